package jsonc

// Lexical helpers: blanks, comments and trailing commas around a member.

import (
	"bytes"
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
		case b[i] != '/' || i+1 >= len(b):
			return i
		case b[i+1] == '/':
			i = lineEnd(b, i+2)
		case b[i+1] == '*':
			j := blockEnd(b, i+2)
			if j < 0 {
				return i // unterminated: not extra
			}
			i = j + 2
		default:
			return i
		}
	}
	return i
}

// lineEnd returns the offset of the first '\n' from i, len(b) when none.
// A byte loop first: in hostile files lines are a few bytes, where a call
// to IndexByte costs more than the loop.
func lineEnd(b []byte, i int) int {
	for stop := min(i+32, len(b)); i < stop; i++ {
		if b[i] == '\n' {
			return i
		}
	}
	if i >= len(b) {
		return len(b)
	}
	if j := bytes.IndexByte(b[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(b)
}

// blockEnd returns the offset of the first "*/" from i, -1 when none: a
// byte loop first, as for lineEnd.
func blockEnd(b []byte, i int) int {
	for stop := min(i+32, len(b)-1); i < stop; i++ {
		if b[i] == '*' && b[i+1] == '/' {
			return i
		}
	}
	if i >= len(b)-1 {
		return -1
	}
	if j := bytes.Index(b[i:], []byte("*/")); j >= 0 {
		return i + j
	}
	return -1
}

// sameLineTrailEnd returns the end of the last comment that follows i on
// the same line (only blanks and comments in between), or i when none.
func sameLineTrailEnd(b []byte, i int) int {
	end := i
	for j := i; j < len(b); {
		switch {
		case b[j] == ' ' || b[j] == '\t':
			j++
		case b[j] == '/' && j+1 < len(b) && b[j+1] == '/':
			end = lineEnd(b, j)
			if end == len(b) {
				return end
			}
			if end > 0 && b[end-1] == '\r' {
				end--
			}
			return end
		case b[j] == '/' && j+1 < len(b) && b[j+1] == '*':
			k := blockEnd(b, j+2)
			if k < 0 || bytes.IndexByte(b[j:k], '\n') >= 0 {
				return end
			}
			j = k + 2
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

// hasNoMembers reports an object at b[at] without members (comments
// allowed).
func hasNoMembers(b []byte, at int) bool {
	if at >= len(b) || b[at] != '{' {
		return false
	}
	i := skipExtra(b, at+1)
	return i < len(b) && b[i] == '}'
}

// isEmptyObject reports an object at b[at] with no members and no
// comments inside: only blanks between its braces.
func isEmptyObject(b []byte, at int) bool {
	if at >= len(b) || b[at] != '{' {
		return false
	}
	i := at + 1
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	return i < len(b) && b[i] == '}'
}

// sameIgnoringSpace reports whether b and s are equal once blanks are
// removed from both.
func sameIgnoringSpace(b []byte, s string) bool {
	i, j := 0, 0
	for {
		for i < len(b) && isBlank(b[i]) {
			i++
		}
		for j < len(s) && isBlank(s[j]) {
			j++
		}
		if i == len(b) || j == len(s) {
			return i == len(b) && j == len(s)
		}
		if b[i] != s[j] {
			return false
		}
		i++
		j++
	}
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
