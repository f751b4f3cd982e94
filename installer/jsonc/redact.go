package jsonc

import (
	"bytes"
	"strings"

	"github.com/getcodegraph/codegraph-install/installer/secret"
)

// jsonFrame is an open object or array while scanning JSON.
type jsonFrame struct {
	object    bool
	expectKey bool   // object: the next string is a member name
	key       string // object: the current member name
	secret    bool   // every value inside is redacted
	prev      string // array: the previous string element, for secret.Arg
}

// Redact returns b with the values secret.Key and secret.Arg name replaced
// by secret.Redacted, for printing. It scans JSON or JSONC (comments, trailing commas) token by
// token, tracking the member names that lead to each value.
func Redact(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	var stack []jsonFrame
	valueSecret := func() bool {
		if len(stack) == 0 {
			return false
		}
		top := stack[len(stack)-1]
		return top.secret || (top.object && secret.Key(top.key))
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				j = len(b) - i
			}
			out.Write(b[i : i+j])
			i += j
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			j := bytes.Index(b[i+2:], []byte("*/"))
			end := len(b)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			out.Write(b[i:end])
			i = end
		case c == '"':
			end := jsonStringEnd(b, i)
			tok := b[i:end]
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				stack[n-1].key = strings.Trim(string(tok), `"`)
				out.Write(tok)
			} else if valueSecret() && len(tok) > 2 {
				out.WriteString(`"` + secret.Redacted + `"`)
			} else if n := len(stack); n > 0 && !stack[n-1].object && len(tok) >= 2 && tok[len(tok)-1] == '"' {
				inner := string(tok[1 : len(tok)-1])
				shown, _ := secret.Arg(stack[n-1].prev, inner)
				stack[n-1].prev = inner
				out.WriteString(`"` + shown + `"`)
			} else {
				out.Write(tok)
			}
			i = end
		case c == ':':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].expectKey = false
			}
			out.WriteByte(c)
			i++
		case c == ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].expectKey = true
			}
			out.WriteByte(c)
			i++
		case c == '{' || c == '[':
			stack = append(stack, jsonFrame{object: c == '{', expectKey: c == '{', secret: valueSecret()})
			out.WriteByte(c)
			i++
		case c == '}' || c == ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			out.WriteByte(c)
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			out.WriteByte(c)
			i++
		default:
			// A literal (number, true, false, null) or stray bytes.
			j := i
			for j < len(b) && !bytes.ContainsRune([]byte(" \t\r\n,:{}[]\"/"), rune(b[j])) {
				j++
			}
			if j == i {
				j = i + 1 // a lone '/' that starts no comment
			}
			if lit := string(b[i:j]); valueSecret() && lit != "null" {
				out.WriteString(`"` + secret.Redacted + `"`)
			} else {
				out.WriteString(lit)
			}
			i = j
		}
	}
	return out.Bytes()
}

// jsonStringEnd returns the index after the string starting at b[i] (a
// quote); an unterminated string ends at the end of its line.
func jsonStringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		case '\n':
			return j
		}
	}
	return len(b)
}
