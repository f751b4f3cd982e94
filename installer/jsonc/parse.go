package jsonc

// The document grammar, checked in one pass without building a tree.
//
// A syntax tree of a config costs far more than the config: hujson's took
// about 250 bytes of memory per input byte on a file of many tiny arrays
// (16 GB for a 63 MiB file), and ~/.claude.json runs to megabytes. An edit
// needs only the few objects on the key path, so the document is validated
// by a loop with an explicit stack (one byte of state per open container,
// nothing per value), and the path is then followed by a lexical scanner
// that skips the values beside it (find.go).
//
// The grammar, the offsets of errors and their wording are those of
// github.com/tailscale/hujson's Parse, which this replaces (the fuzz test
// checks the two agree), so messages such as "line 5, column 2: invalid
// character ',' at start of value" read as before.

import (
	"bytes"
	"fmt"
	"github.com/getcodegraph/codegraph-install/installer/configerr"
	"unicode"
	"unicode/utf8"
)

// parseError is a syntax error at an offset of the document, or (limit)
// nesting deeper than MaxDepth there.
type parseError struct {
	off   int
	msg   string
	limit bool
}

// syntaxAt renders e as hujson does, with the line and column (in bytes,
// from 1) of its offset in b.
func syntaxAt(b []byte, e *parseError) *configerr.SyntaxError {
	line := 1 + bytes.Count(b[:e.off], []byte("\n"))
	column := 1 + e.off - (bytes.LastIndexByte(b[:e.off], '\n') + 1)
	return &configerr.SyntaxError{Msg: fmt.Sprintf("hujson: line %d, column %d: %s", line, column, e.msg)}
}

// validateDoc checks src, whose JSON starts at src[base] (after a BOM), as
// checkDepth and then hujson.Parse did, in one pass: the nesting limit is
// checked as the document is parsed (the parser's depth is the brackets'
// depth in a document that parses so far), and only when the parse fails
// is the lexical depth scan run, so that a document both too deep and
// invalid is still refused for its depth.
func validateDoc(src []byte, base int) error {
	body := src[base:]
	perr := parseDocument(body, MaxDepth)
	if perr == nil {
		return nil
	}
	if err := checkDepth(src); err != nil {
		return err
	}
	if perr.limit { // not reached: checkDepth counts the same brackets
		return &configerr.LimitError{Msg: fmt.Sprintf("nested more than %d levels deep (line %d); refusing to parse it", MaxDepth, 1+bytes.Count(body[:perr.off], []byte("\n")))}
	}
	return syntaxAt(body, perr)
}

// validate reports whether b is one JSONC value, with comments and
// whitespace around it: nil, or the error hujson.Parse would give. It does
// not limit the nesting (see validateDoc).
func validate(b []byte) error {
	if perr := parseDocument(b, 0); perr != nil {
		return syntaxAt(b, perr)
	}
	return nil
}

// parseDocument parses b as hujson.Parse does; limit, when not 0, is the
// deepest nesting accepted.
func parseDocument(b []byte, limit int) *parseError {
	n, perr := consumeExtra(b, 0)
	if perr == nil {
		n, perr = parseValue(b, n, limit)
	}
	if perr == nil {
		n, perr = consumeExtra(b, n)
	}
	if perr == nil && n < len(b) {
		perr = invalidChar(b, n, "after top-level value")
	}
	return perr
}

// validValueAt reports whether exactly b[start:end] parses as one value
// (no whitespace or comments around it). After a splice inside a valid
// document, checking the changed value this way proves the whole document
// valid: what precedes and follows it is unchanged.
func validValueAt(b []byte, start, end int) bool {
	if start < 0 || end > len(b) || start >= end {
		return false
	}
	n, perr := parseValue(b, start, 0)
	return perr == nil && n == end
}

// frame is an open object ('{') or array ('['). name is set while an
// object expects a member name, start is its opening bracket.
type frame struct {
	kind  byte
	name  bool
	start int
}

// maybeExtra reports a byte that may start whitespace or a comment; others
// spare a call to consumeExtra, the commonest case between tokens.
func maybeExtra(c byte) bool { return c <= ' ' || c == '/' }

// parseValue parses the value that starts at n (its leading whitespace and
// comments already consumed) and returns its end, the trailing whitespace
// and comments not consumed. It follows hujson's recursive descent with an
// explicit stack, so no input overflows the goroutine stack; limit, when
// not 0, is the deepest nesting accepted.
func parseValue(b []byte, n, limit int) (int, *parseError) {
	return parseFrom(b, n, nil, false, limit)
}

// objectEndAfter parses the rest of the object whose '{' is at b[start],
// from the end of one of its member values at n, and returns the object's
// end: how an insertion after a valid object's last value is checked
// without parsing the whole document again.
func objectEndAfter(b []byte, start, n int) (int, bool) {
	end, perr := parseFrom(b, n, []frame{{kind: '{', start: start}}, true, 0)
	return end, perr == nil
}

// parseFrom is parseValue from any state: with the containers of stack
// open and, when resume is set, a value just ended at n.
func parseFrom(b []byte, n int, stack []frame, resume bool, limit int) (int, *parseError) {
	var perr *parseError
	for {
		start := n
		if resume {
			resume = false
			goto complete
		}
		// Begin a value at n.
		if n == len(b) {
			return n, &parseError{off: n, msg: "parsing value: unexpected EOF"}
		}
		switch c := b[n]; c {
		case '{', '[':
			if limit > 0 && len(stack) == limit {
				return n, &parseError{off: n, limit: true}
			}
			stack = append(stack, frame{kind: c, name: c == '{', start: n})
			n++
			if n < len(b) && maybeExtra(b[n]) {
				if n, perr = consumeExtra(b, n); perr != nil {
					return n, perr
				}
			}
			continue
		case '}':
			if len(stack) == 0 || stack[len(stack)-1].kind != '{' || !stack[len(stack)-1].name {
				return n, &parseError{off: n, msg: "invalid character '}' at start of value"}
			}
			// "{}" or a trailing comma: the object ends here.
			start = stack[len(stack)-1].start
			stack = stack[:len(stack)-1]
			n++
		case ']':
			if len(stack) == 0 || stack[len(stack)-1].kind != '[' {
				return n, &parseError{off: n, msg: "invalid character ']' at start of value"}
			}
			start = stack[len(stack)-1].start
			stack = stack[:len(stack)-1]
			n++
		case '"':
			if n, perr = parseString(b, n); perr != nil {
				return n, perr
			}
		default:
			if n, perr = parseLiteral(b, n); perr != nil {
				return n, perr
			}
		}
	complete:
		// The value b[start:n] is complete; close the containers it ends.
		for {
			if len(stack) == 0 {
				return n, nil
			}
			if n < len(b) && maybeExtra(b[n]) {
				if n, perr = consumeExtra(b, n); perr != nil {
					return n, perr
				}
			}
			top := &stack[len(stack)-1]
			if top.kind == '{' && top.name {
				if b[start] != '"' {
					return start, invalidChar(b, start, "at start of object name")
				}
				switch {
				case n == len(b):
					return n, &parseError{off: n, msg: "parsing object after name: unexpected EOF"}
				case b[n] != ':':
					return n, invalidChar(b, n, "after object name")
				}
				top.name = false
				break
			}
			closing, what := byte('}'), "object"
			if top.kind == '[' {
				closing, what = ']', "array"
			}
			if n == len(b) {
				return n, &parseError{off: n, msg: "parsing " + what + " after value: unexpected EOF"}
			}
			if b[n] == ',' {
				top.name = top.kind == '{'
				break
			}
			if b[n] != closing {
				return n, invalidChar(b, n, "after "+what+" value (expecting ',' or '"+string(closing)+"')")
			}
			start = top.start
			stack = stack[:len(stack)-1]
			n++
		}
		// After ':' or ',': the next value's leading extra.
		n++
		if n < len(b) && maybeExtra(b[n]) {
			if n, perr = consumeExtra(b, n); perr != nil {
				return n, perr
			}
		}
	}
}

// parseString scans the string literal at n (b[n] == '"') and returns its
// end. Like hujson it first finds the closing quote, then checks the
// literal as encoding/json does: no control characters, known escapes,
// \u with four hex digits (UTF-8 is not checked, as json.Valid does not).
func parseString(b []byte, n int) (int, *parseError) {
	bad := false
	i := n + 1
	for {
		for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
			i++
		}
		if i >= len(b) {
			return len(b), &parseError{off: len(b), msg: "parsing string: unexpected EOF"}
		}
		switch b[i] {
		case '"':
			if bad {
				return n, &parseError{off: n, msg: "invalid literal: " + string(b[n:i+1])}
			}
			return i + 1, nil
		case '\\':
			if i+1 >= len(b) {
				return len(b), &parseError{off: len(b), msg: "parsing string: unexpected EOF"}
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					bad = true
				}
			default:
				bad = true
			}
			i += 2
		default: // a control character
			bad = true
			i++
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isLiteralByte(c byte) bool {
	return c == '-' || c == '+' || c == '.' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// parseLiteral scans null, a boolean or a number at n.
func parseLiteral(b []byte, n int) (int, *parseError) {
	i := n
	for i < len(b) && isLiteralByte(b[i]) {
		i++
	}
	lit := b[n:i]
	switch {
	case len(lit) == 0:
		return n, invalidChar(b, n, "at start of value")
	case string(lit) == "null", string(lit) == "true", string(lit) == "false", isNumber(lit):
		return i, nil
	}
	return n, &parseError{off: n, msg: "invalid literal: " + string(lit)}
}

// isNumber reports a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isNumber(s []byte) bool {
	i := 0
	digits := func() int {
		j := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// consumeExtra skips whitespace and comments from n as hujson does: a line
// comment must end with a newline and hold no U+2028 or U+2029, and every
// comment must be valid UTF-8.
func consumeExtra(b []byte, n int) (int, *parseError) {
	for n < len(b) {
		switch b[n] {
		case ' ', '\t', '\r', '\n':
			n++
		case '/':
			if n+1 >= len(b) || (b[n+1] != '/' && b[n+1] != '*') {
				return n, nil
			}
			line := b[n+1] == '/'
			size := -1 // of the comment with its end, -1 when unterminated
			ascii := false
			if line {
				// Most line comments are short: a byte loop finds their end
				// (and sees whether they are ASCII) faster than a call.
				j, hi := n+2, byte(0)
				for j < len(b) && j < n+64 && b[j] != '\n' {
					hi |= b[j]
					j++
				}
				switch {
				case j < len(b) && b[j] == '\n':
					size, ascii = j+1-n, hi < 0x80
				case j < len(b):
					if k := bytes.IndexByte(b[j:], '\n'); k >= 0 {
						size = j + k + 1 - n
					}
				}
			} else if k := blockEnd(b, n+2); k >= 0 {
				size = k + 2 - n
			}
			switch {
			case size < 0:
				if line {
					if i := indexLineSeparator(b[n:]); i >= 0 {
						return n + i, invalidChar(b, n+i, "in line comment")
					}
				}
				return n, &parseError{off: n, msg: "parsing comment: unexpected EOF"}
			case ascii || isASCII(b[n:n+size]):
			case !utf8.Valid(b[n : n+size]):
				return n, &parseError{off: n, msg: "invalid UTF-8 in comment"}
			case line:
				if i := indexLineSeparator(b[n : n+size]); i >= 0 {
					return n + i, invalidChar(b, n+i, "in line comment")
				}
			}
			n += size
		default:
			return n, nil
		}
	}
	return n, nil
}

func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if (uint64(b[0])|uint64(b[1])|uint64(b[2])|uint64(b[3])|uint64(b[4])|uint64(b[5])|uint64(b[6])|uint64(b[7]))&0x80 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func indexLineSeparator(b []byte) int {
	i := bytes.IndexRune(b, '\u2028')
	j := bytes.IndexRune(b, '\u2029')
	if i < 0 || (j >= 0 && j < i) {
		return j
	}
	return i
}

// invalidChar names the character at b[n] as hujson does.
func invalidChar(b []byte, n int, where string) *parseError {
	var what string
	r, size := utf8.DecodeRune(b[n:])
	switch {
	case r == utf8.RuneError && size == 1:
		what = fmt.Sprintf(`'\x%02x'`, b[n])
	case unicode.IsPrint(r):
		what = fmt.Sprintf(`%q`, r)
	case r <= '\uffff':
		what = fmt.Sprintf(`'\u%04x'`, r)
	default:
		what = fmt.Sprintf(`'\U%08x'`, r)
	}
	return &parseError{off: n, msg: "invalid character " + what + " " + where}
}
