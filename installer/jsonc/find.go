package jsonc

// Following a key path through a validated document, and naming what was
// found in errors. Values beside the path are skipped lexically (brackets
// counted, strings and comments passed over), never parsed into nodes: the
// only state kept is the few members of the objects on the path.
//
// The functions here assume a document that validate accepted; on any
// other input they still stop within it and never panic, but what they
// report is meaningless (Set checks its output with a full validation).

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// member is one member of an object: where its name starts, and its value.
type member struct {
	name       int // offset of the name's opening quote
	start, end int // the value, without whitespace or comments around it
}

// object is what an edit needs of one object: its extent, how many members
// it has, the first and last, and the member named key (idx, -1 when
// absent) with its neighbours.
type object struct {
	start, end  int // '{' and just after '}'
	n           int
	first, last member
	idx         int
	m           member
	prev, next  member // around m, when there are such members
	dup         bool   // key is there more than once
}

// shifted is o after removed bytes went from inside one of its member
// values, at or after from: the offsets after that value move back.
func (o object) shifted(from, removed int) object {
	sh := func(off *int) {
		if *off >= from {
			*off -= removed
		}
	}
	for _, m := range []*member{&o.first, &o.last, &o.m, &o.prev, &o.next} {
		sh(&m.name)
		sh(&m.start)
		sh(&m.end)
	}
	sh(&o.end)
	return o
}

// scanObject reads the object whose '{' is at b[start], looking for key.
func scanObject(b []byte, start int, key string) object {
	o := object{start: start, idx: -1}
	var scratch []byte
	var prev member
	i := skipExtra(b, start+1)
	for i < len(b) && b[i] == '"' {
		var m member
		m.name = i
		nameEnd, plain := skipString(b, i)
		i = skipExtra(b, nameEnd)
		if i >= len(b) || b[i] != ':' {
			break
		}
		m.start = skipExtra(b, i+1)
		m.end = skipValue(b, m.start)
		var eq bool
		if plain {
			eq = string(b[m.name+1:nameEnd-1]) == key
		} else {
			eq, scratch = nameEquals(b[m.name:nameEnd], key, scratch)
		}
		switch {
		case eq && o.idx >= 0:
			o.dup = true
		case eq:
			o.idx, o.m, o.prev = o.n, m, prev
		case o.idx >= 0 && o.idx == o.n-1:
			o.next = m
		}
		if o.n == 0 {
			o.first = m
		}
		o.last, prev = m, m
		o.n++
		i = skipExtra(b, m.end)
		if i < len(b) && b[i] == ',' {
			i = skipExtra(b, i+1)
		}
	}
	for i < len(b) && b[i] != '}' { // only on a document that is not valid
		i++
	}
	o.end = min(i+1, len(b))
	return o
}

// rootStart is the offset of the document's top-level value.
func rootStart(b []byte) int { return skipExtra(b, 0) }

// lookup follows path from the value at cur and returns the value found,
// ok false when a key is missing, appears twice, or a value on the way is
// not an object.
func lookup(b []byte, cur int, path []string) (m member, ok bool) {
	m = member{name: -1, start: cur, end: skipValue(b, cur)}
	for _, key := range path {
		if m.start >= len(b) || b[m.start] != '{' {
			return member{}, false
		}
		o := scanObject(b, m.start, key)
		if o.dup || o.idx < 0 {
			return member{}, false
		}
		m = o.m
	}
	return m, true
}

// special marks the bytes skipValue stops at inside a container.
var special = [256]bool{'"': true, '/': true, '{': true, '[': true, '}': true, ']': true}

// skipValue returns the end of the value that starts at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		end, _ := skipString(b, i)
		return end
	case '{', '[':
		depth := 0
		for i < len(b) {
			for i < len(b) && !special[b[i]] {
				i++
			}
			if i >= len(b) {
				break
			}
			switch b[i] {
			case '"':
				i, _ = skipString(b, i)
				continue
			case '/':
				if j := skipExtra(b, i); j > i {
					i = j
					continue
				}
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) && isLiteralByte(b[i]) {
		i++
	}
	return i
}

// skipString returns the end of the string literal at b[i], and whether
// its content is plain: ASCII without escapes, the same decoded.
func skipString(b []byte, i int) (int, bool) {
	var hi byte
	for i++; i < len(b); i++ {
		switch c := b[i]; c {
		case '\\':
			hi = 0x80
			i++
		case '"':
			return i + 1, hi < 0x80
		default:
			hi |= c
		}
	}
	return len(b), false
}

// nameEquals reports whether the string literal raw decodes to key, as
// encoding/json decodes it (hujson compared names that way). Names without
// escapes or non-ASCII bytes are compared as they are; others are decoded
// into scratch, which is returned for reuse, so an object of a million
// escaped names costs no allocation per name.
func nameEquals(raw []byte, key string, scratch []byte) (bool, []byte) {
	if len(raw) < 2 {
		return false, scratch
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && isASCII(inner) {
		return string(inner) == key, scratch
	}
	dec, ok := unquote(inner, scratch[:0])
	if !ok {
		// encoding/json could not decode it; hujson then used the raw text.
		return string(raw) == key, dec
	}
	return string(dec) == key, dec
}

// unquote appends the decoded content of a JSON string (without its
// quotes) to buf, with encoding/json's rules: invalid UTF-8 and lone
// surrogates become U+FFFD.
func unquote(s, buf []byte) ([]byte, bool) {
	for r := 0; r < len(s); {
		switch c := s[r]; {
		case c == '\\':
			r++
			if r >= len(s) {
				return buf, false
			}
			switch s[r] {
			case '"', '\\', '/', '\'':
				buf = append(buf, s[r])
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				rr := getu4(s[r-1:])
				if rr < 0 {
					return buf, false
				}
				r += 5
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
						r += 6
						buf = utf8.AppendRune(buf, dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				buf = utf8.AppendRune(buf, rr)
				continue
			default:
				return buf, false
			}
			r++
		case c == '"', c < ' ':
			return buf, false
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			buf = utf8.AppendRune(buf, rr)
		}
	}
	return buf, true
}

// getu4 decodes \uXXXX at the start of s, -1 when it is not one.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

func describePath(path []string) string {
	if len(path) == 0 {
		return "the top-level value"
	}
	return fmt.Sprintf("%q", strings.Join(path, "."))
}

// kindName names the value that starts at b[i].
func kindName(b []byte, i int) string {
	if i >= len(b) {
		return "not an object"
	}
	switch b[i] {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "a number"
	case '[':
		return "an array"
	}
	return "not an object"
}

// Get returns the value at path as standard JSON (comments and trailing
// commas removed), or nil when the document has no such member. It reads
// a document as the agents do, for checks such as codegraph doctor.
func Get(src []byte, path []string) ([]byte, error) {
	body := bytes.TrimPrefix(src, utf8BOM)
	if isBlankDocument(body) {
		return nil, nil
	}
	if err := validateDoc(src, len(src)-len(body)); err != nil {
		return nil, err
	}
	v, ok := lookup(body, rootStart(body), path)
	if !ok {
		return nil, nil
	}
	return standardize(body[v.start:v.end]), nil
}

// standardize returns a copy of the valid value b as standard JSON, the
// way hujson.Standardize does: every comment and trailing comma becomes
// blanks of the same length (newlines kept), so offsets stay the same.
func standardize(b []byte) []byte {
	out := append([]byte(nil), b...)
	blank := func(from, to int) {
		for k := from; k < to; k++ {
			if c := out[k]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				out[k] = ' '
			}
		}
	}
	for i := 0; i < len(b); {
		switch b[i] {
		case '"':
			i, _ = skipString(b, i)
		case '/':
			j := skipExtra(b, i)
			if j == i {
				i++
				continue
			}
			blank(i, j)
			i = j
		case ',':
			if j := skipExtra(b, i+1); j < len(b) && (b[j] == '}' || b[j] == ']') {
				out[i] = ' '
			}
			i++
		default:
			i++
		}
	}
	return out
}
