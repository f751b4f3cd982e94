package tomlcfg

import (
	"bytes"
	"strings"

	"github.com/getcodegraph/codegraph-install/installer/secret"
)

// tomlFrame is an open inline table or array while scanning TOML.
type tomlFrame struct {
	table  bool   // inline table (else array)
	secret bool   // every value inside is redacted
	prev   string // array: the previous string element, for secret.Arg
}

// Redact returns b with secret values replaced by secret.Redacted, for
// printing. It scans TOML (1.0 and 1.1's multi-line inline tables): table
// headers set the path, keys (dotted or quoted) extend it, and a value is
// redacted when any part of its path is sensitive.
func Redact(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	var stack []tomlFrame
	tableSecret := false // the current [table] header's path is sensitive
	keySecret := false   // the key of the value being read is sensitive
	expectKey := true    // at the start of a key/value pair
	valueSecret := func() bool {
		if n := len(stack); n > 0 && stack[n-1].secret {
			return true
		}
		return (len(stack) == 0 && tableSecret) || keySecret
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			out.WriteByte(c)
			i++
		case c == '\n':
			if len(stack) == 0 {
				expectKey, keySecret = true, false
			}
			out.WriteByte(c)
			i++
		case c == '#':
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				j = len(b) - i
			}
			out.Write(b[i : i+j])
			i += j
		case c == '[' && expectKey && len(stack) == 0:
			// A table header: its path decides for the keys below it.
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				j = len(b) - i
			}
			line := b[i : i+j]
			if k := bytes.IndexByte(line, '#'); k >= 0 {
				line = line[:k]
			}
			tableSecret = false
			for _, part := range tomlKeyParts(strings.Trim(strings.TrimSpace(string(line)), "[]")) {
				tableSecret = tableSecret || secret.Key(part)
			}
			out.Write(b[i : i+j])
			i += j
		case expectKey && c != '}' && c != ',':
			// A key, up to '=' (or a stray line: copied as it is).
			j := i
			for j < len(b) && b[j] != '=' && b[j] != '\n' {
				if b[j] == '"' || b[j] == '\'' {
					j = tomlStringEnd(b, j)
					continue
				}
				j++
			}
			keySecret = false
			for _, part := range tomlKeyParts(string(b[i:j])) {
				keySecret = keySecret || secret.Key(part)
			}
			if j < len(b) && b[j] == '=' {
				expectKey = false
				j++
			}
			out.Write(b[i:j])
			i = j
		case c == '"' || c == '\'':
			end := tomlStringEnd(b, i)
			tok := b[i:end]
			n := len(stack)
			single := len(tok) >= 2 && tok[len(tok)-1] == c && !(len(tok) >= 6 && tok[1] == c && tok[2] == c)
			switch {
			case valueSecret() && !emptyQuoted(tok):
				out.WriteString(`"` + secret.Redacted + `"`)
			case n > 0 && !stack[n-1].table && single:
				inner := string(tok[1 : len(tok)-1])
				shown, _ := secret.Arg(stack[n-1].prev, inner)
				stack[n-1].prev = inner
				out.WriteString(string(c) + shown + string(c))
			default:
				out.Write(tok)
			}
			i = end
		case c == '{' || c == '[':
			stack = append(stack, tomlFrame{table: c == '{', secret: valueSecret()})
			expectKey = c == '{'
			keySecret = false
			out.WriteByte(c)
			i++
		case c == '}' || c == ']':
			if n := len(stack); n > 0 {
				stack = stack[:n-1]
			}
			expectKey, keySecret = false, false
			out.WriteByte(c)
			i++
		case c == ',':
			if n := len(stack); n > 0 && stack[n-1].table {
				expectKey, keySecret = true, false
			}
			out.WriteByte(c)
			i++
		default:
			// A bare value: number, boolean, date.
			j := i
			for j < len(b) && !bytes.ContainsRune([]byte(" \t\r\n,#{}[]\"'"), rune(b[j])) {
				j++
			}
			if j == i {
				j = i + 1
			}
			if valueSecret() {
				out.WriteString(`"` + secret.Redacted + `"`)
			} else {
				out.Write(b[i:j])
			}
			i = j
		}
	}
	return out.Bytes()
}

// tomlStringEnd returns the index after the string starting at b[i]:
// basic or literal, single- or multi-line. An unterminated single-line
// string ends at the end of its line.
func tomlStringEnd(b []byte, i int) int {
	q := b[i]
	if i+2 < len(b) && b[i+1] == q && b[i+2] == q {
		delim := []byte{q, q, q}
		j := bytes.Index(b[i+3:], delim)
		if j < 0 {
			return len(b)
		}
		end := i + 3 + j + 3
		for end < len(b) && b[end] == q { // """a"""" ends with quotes in the value
			end++
		}
		return end
	}
	for j := i + 1; j < len(b); j++ {
		switch {
		case b[j] == '\\' && q == '"':
			j++
		case b[j] == q:
			return j + 1
		case b[j] == '\n':
			return j
		}
	}
	return len(b)
}

// tomlKeyParts splits a dotted key into its parts, unquoted.
func tomlKeyParts(key string) []string {
	var parts []string
	var cur strings.Builder
	quote := byte(0)
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			quote = c
		case c == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}

func emptyQuoted(tok []byte) bool {
	s := string(tok)
	return s == `""` || s == `''` || s == `""""""` || s == `''''''`
}
