package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply a request body may nest containers. The schema needs
// five levels: the body object, its events array, an event object, its props
// object and a list prop such as languages. Anything deeper cannot be valid,
// so it is refused before it costs stack or allocations.
const MaxDepth = 5

// SyntaxError describes why a body is not acceptable JSON, with the byte
// offset where the parser gave up. It never quotes the body itself, so it is
// safe to log.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("json: %s at byte %d", e.Msg, e.Offset) }

// ErrNotObject is returned when the body is valid JSON but not an object.
var ErrNotObject = errors.New("json: body is not a JSON object")

// parser is the strict JSON parser behind ParseBody and ParseEvent. It is
// stricter than encoding/json on purpose, so that no two parsers between a
// client and a sink can disagree about what a body says: invalid UTF-8
// anywhere, escapes naming lone surrogates, an object key repeated at any
// level (compared after unescaping), nesting deeper than MaxDepth, a byte
// order mark and trailing data are all errors. Values are string, bool,
// json.Number, nil, []any and map[string]any.
type parser struct {
	data []byte
	i    int
	// known is the table of the schema's own words (see intern.go).
	known *knownTable
	// buf is reused to unescape strings that contain backslashes.
	buf []byte
	// keys and vals intern short strings: a batch repeats the same keys and
	// enum values a hundred times, and reusing one string (and one boxed
	// interface value) per spelling halves the parser's allocations.
	keys map[string]string
	vals map[string]any
	// intern is set for request bodies only. One queue line (ParseEvent)
	// repeats nothing but the schema's own words, which known covers, so
	// building the tables there would cost a map per line for nothing:
	// that made `telemetry status` over a full queue spend a fifth of its
	// time allocating maps.
	intern bool
}

// newParser reads one request body, interning the strings it repeats.
func newParser(data []byte) parser { return parser{data: data, known: knownWords(), intern: true} }

// newEventParser reads one queue line: no intern tables.
func newEventParser(data []byte) parser { return parser{data: data, known: knownWords()} }

// maxIntern bounds the intern tables so a body of distinct strings cannot
// make them grow past a few KiB.
const (
	maxIntern    = 256
	maxInternLen = 40
)

func (p *parser) key() (string, error) {
	s, raw, err := p.strRaw()
	if err != nil || raw == nil {
		return s, err
	}
	if k, ok := p.known.key(raw); ok {
		return k, nil
	}
	if !p.intern {
		return string(raw), nil
	}
	if k, ok := p.keys[string(raw)]; ok {
		return k, nil
	}
	k := string(raw)
	if p.keys == nil {
		p.keys = make(map[string]string, 32)
	}
	if len(p.keys) < maxIntern {
		p.keys[k] = k
	}
	return k, nil
}

func (p *parser) strValue() (any, error) {
	s, raw, err := p.strRaw()
	if err != nil || raw == nil {
		return s, err
	}
	if v, ok := p.known.value(raw); ok {
		return v, nil
	}
	if !p.intern {
		return string(raw), nil
	}
	if v, ok := p.vals[string(raw)]; ok {
		return v, nil
	}
	var v any = string(raw)
	if p.vals == nil {
		p.vals = make(map[string]any, 64)
	}
	if len(p.vals) < maxIntern {
		p.vals[string(raw)] = v
	}
	return v, nil
}

func (p *parser) fail(msg string) error { return &SyntaxError{Offset: p.i, Msg: msg} }

func (p *parser) skipSpace() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value parses any JSON value starting at p.i (whitespace already skipped).
// depth is the number of containers already open around it.
func (p *parser) value(depth int) (any, error) {
	if p.i >= len(p.data) {
		return nil, p.fail("unexpected end of input")
	}
	switch c := p.data[p.i]; c {
	case '{':
		return p.object(depth)
	case '[':
		return p.array(depth)
	case '"':
		return p.strValue()
	case 't':
		return true, p.literal("true")
	case 'f':
		return false, p.literal("false")
	case 'n':
		return nil, p.literal("null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return p.number()
		}
		return nil, p.fail("unexpected character")
	}
}

func (p *parser) literal(lit string) error {
	if len(p.data)-p.i < len(lit) || string(p.data[p.i:p.i+len(lit)]) != lit {
		return p.fail("invalid literal")
	}
	p.i += len(lit)
	return nil
}

func (p *parser) object(depth int) (map[string]any, error) {
	m := make(map[string]any, 8)
	err := p.members(depth, func(k string, keyAt int) error {
		v, err := p.value(depth + 1)
		if err != nil {
			return err
		}
		// One hash instead of a lookup and an insert: a repeated key
		// leaves the length unchanged.
		n := len(m)
		if m[k] = v; len(m) == n {
			return &SyntaxError{Offset: keyAt, Msg: "duplicate object key"}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (p *parser) array(depth int) ([]any, error) {
	a := make([]any, 0, 4)
	err := p.elements(depth, func() error {
		v, err := p.value(depth + 1)
		a = append(a, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// members parses the members of the object at p.i, calling member with each
// key while p.i is at the start of its value; member must consume the value.
func (p *parser) members(depth int, member func(key string, keyAt int) error) error {
	if depth >= MaxDepth {
		return p.fail("nesting too deep")
	}
	p.i++ // '{'
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return p.fail("expected a string key")
		}
		keyAt := p.i
		k, err := p.key()
		if err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return p.fail("expected ':'")
		}
		p.i++
		p.skipSpace()
		if p.i >= len(p.data) {
			return p.fail("unexpected end of input")
		}
		if err := member(k, keyAt); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.data) {
			return p.fail("unterminated object")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return p.fail("expected ',' or '}'")
		}
	}
}

// elements parses the array at p.i, calling elem with p.i at the start of
// each element; elem must consume it.
func (p *parser) elements(depth int, elem func() error) error {
	if depth >= MaxDepth {
		return p.fail("nesting too deep")
	}
	p.i++ // '['
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		p.skipSpace()
		if err := elem(); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.data) {
			return p.fail("unterminated array")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return p.fail("expected ',' or ']'")
		}
	}
}

// str parses a string starting at the opening quote. The common case (no
// escapes, ASCII) is one scan and one allocation.
// When the string has no escapes it returns raw, the bytes between the
// quotes, and no string: the caller converts (or interns) it. Otherwise it
// returns the unescaped string and raw == nil.
func (p *parser) strRaw() (s string, raw []byte, err error) {
	p.i++ // opening quote
	start := p.i
	ascii := true
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			raw := p.data[start:p.i]
			if !ascii && !utf8.Valid(raw) {
				return "", nil, &SyntaxError{Offset: start, Msg: "invalid UTF-8 in string"}
			}
			p.i++
			if len(raw) > maxInternLen {
				return string(raw), nil, nil
			}
			return "", raw, nil
		case c == '\\':
			s, err := p.strEscaped(start)
			return s, nil, err
		case c < 0x20:
			return "", nil, p.fail("control character in string")
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return "", nil, p.fail("unterminated string")
}

// strEscaped finishes a string that has at least one backslash, copying into
// p.buf.
func (p *parser) strEscaped(start int) (string, error) {
	b := append(p.buf[:0], p.data[start:p.i]...)
	if !utf8.Valid(b) {
		return "", &SyntaxError{Offset: start, Msg: "invalid UTF-8 in string"}
	}
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			p.buf = b
			return string(b), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c == '\\':
			if p.i+1 >= len(p.data) {
				return "", p.fail("unterminated escape")
			}
			e := p.data[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.fail("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					// Only a high surrogate followed by an escaped low
					// surrogate names a character; anything else would
					// decode differently in different parsers.
					if r >= 0xDC00 || p.i+1 >= len(p.data) || p.data[p.i] != '\\' || p.data[p.i+1] != 'u' {
						return "", p.fail("lone surrogate in \\u escape")
					}
					p.i += 2
					r2, ok := p.hex4()
					if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
						return "", p.fail("lone surrogate in \\u escape")
					}
					r = utf16.DecodeRune(r, r2)
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", p.fail("invalid escape")
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			p.i++
		default:
			r, size := utf8.DecodeRune(p.data[p.i:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.fail("invalid UTF-8 in string")
			}
			b = append(b, p.data[p.i:p.i+size]...)
			p.i += size
		}
	}
	return "", p.fail("unterminated string")
}

func (p *parser) hex4() (rune, bool) {
	if len(p.data)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// number checks the RFC 8259 grammar and keeps the literal, so the schema can
// tell 1 from 1.0 and 1e0.
func (p *parser) number() (json.Number, error) {
	start := p.i
	if p.data[p.i] == '-' {
		p.i++
	}
	if p.i >= len(p.data) {
		return "", p.fail("invalid number")
	}
	switch c := p.data[p.i]; {
	case c == '0':
		p.i++
	case c >= '1' && c <= '9':
		p.i++
		p.digits()
	default:
		return "", p.fail("invalid number")
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return "", p.fail("invalid number")
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return "", p.fail("invalid number")
		}
	}
	return json.Number(p.data[start:p.i]), nil
}

func (p *parser) digits() int {
	n := 0
	for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}
