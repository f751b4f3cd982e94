package jsonc

// Lexical helpers: blanks, comments and trailing commas around a member.

import (
	"bytes"
	"strings"

	"github.com/tailscale/hujson"
)

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isBlankDocument(b []byte) bool {
	return skipExtra(b, 0) == len(b)
}

// skipExtra skips whitespace and comments from i.
func skipExtra(b []byte, i int) int {
	for i < len(b) {
		switch {
		case b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r':
			i++
		case bytes.HasPrefix(b[i:], []byte("//")):
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				return len(b)
			}
			i += j
		case bytes.HasPrefix(b[i:], []byte("/*")):
			j := bytes.Index(b[i+2:], []byte("*/"))
			if j < 0 {
				return i // unterminated: not extra
			}
			i += 2 + j + 2
		default:
			return i
		}
	}
	return i
}

// sameLineTrailEnd returns the end of the last comment that follows i on
// the same line (only blanks and comments in between), or i when none.
func sameLineTrailEnd(b []byte, i int) int {
	end := i
	for j := i; j < len(b); {
		switch {
		case b[j] == ' ' || b[j] == '\t':
			j++
		case bytes.HasPrefix(b[j:], []byte("//")):
			k := bytes.IndexByte(b[j:], '\n')
			if k < 0 {
				return len(b)
			}
			end = j + k
			if end > 0 && b[end-1] == '\r' {
				end--
			}
			return end
		case bytes.HasPrefix(b[j:], []byte("/*")):
			k := bytes.Index(b[j+2:], []byte("*/"))
			if k < 0 || bytes.IndexByte(b[j:j+2+k], '\n') >= 0 {
				return end
			}
			j += 2 + k + 2
			end = j
		default:
			return end
		}
	}
	return end
}

func hasComment(b []byte) bool {
	return bytes.Contains(b, []byte("//")) || bytes.Contains(b, []byte("/*"))
}

// hasNoMembers reports an object without members (comments allowed).
func hasNoMembers(v *hujson.Value) bool {
	obj, ok := v.Value.(*hujson.Object)
	return ok && len(obj.Members) == 0
}

// isEmptyObject reports an object with no members and no comments inside.
func isEmptyObject(b []byte, v *hujson.Value) bool {
	if v == nil {
		return false
	}
	obj, ok := v.Value.(*hujson.Object)
	if !ok || len(obj.Members) != 0 {
		return false
	}
	return strings.TrimSpace(string(b[v.StartOffset+1:v.EndOffset-1])) == ""
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
}

func lineIndent(b []byte, pos int) string {
	start := bytes.LastIndexByte(b[:pos], '\n') + 1
	end := start
	for end < len(b) && (b[end] == ' ' || b[end] == '\t') {
		end++
	}
	return string(b[start:end])
}

// leadingBlanks returns the spaces/tabs right before pos on its line.
func leadingBlanks(b []byte, pos int) string {
	start := pos
	for start > 0 && (b[start-1] == ' ' || b[start-1] == '\t') {
		start--
	}
	return string(b[start:pos])
}
