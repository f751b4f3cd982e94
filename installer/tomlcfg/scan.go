package tomlcfg

import (
	"errors"
	"strconv"
	"strings"
)

type stmtKind int

const (
	kindOther stmtKind = iota // blank line or comment (not kept)
	kindHeader
	kindArrayHeader
	kindKeyVal
)

// stmt is one top-level line-level construct of a TOML document.
type stmt struct {
	kind       stmtKind
	start, end int      // whole statement, through its newline
	keys       []string // decoded header or key path
	valStart   int      // value span of a key/value
	valEnd     int
}

// scan splits a document that the TOML parser accepted into statements. It
// only needs to be right on valid TOML; anything unexpected is an error so
// the caller refuses instead of guessing.
func scan(b []byte) ([]stmt, error) {
	var out []stmt
	i := 0
	for i < len(b) {
		start := i
		i = skipBlanks(b, i)
		if i >= len(b) {
			break
		}
		s := stmt{start: start}
		switch c := b[i]; {
		case c == '\n' || c == '\r' || c == '#':
			s.kind = kindOther
		case c == '[':
			s.kind = kindHeader
			i++
			if i < len(b) && b[i] == '[' {
				s.kind = kindArrayHeader
				i++
			}
			keys, j, err := scanKey(b, skipBlanks(b, i))
			if err != nil {
				return nil, err
			}
			s.keys = keys
			i = skipBlanks(b, j)
			if i >= len(b) || b[i] != ']' {
				return nil, errors.New("unexpected character in table header")
			}
			i++
			if s.kind == kindArrayHeader {
				if i >= len(b) || b[i] != ']' {
					return nil, errors.New("unterminated array-of-tables header")
				}
				i++
			}
		default:
			s.kind = kindKeyVal
			keys, j, err := scanKey(b, i)
			if err != nil {
				return nil, err
			}
			s.keys = keys
			i = skipBlanks(b, j)
			if i >= len(b) || b[i] != '=' {
				return nil, errors.New("expected '=' after key")
			}
			i = skipBlanks(b, i+1)
			s.valStart = i
			j, err = scanValue(b, i)
			if err != nil {
				return nil, err
			}
			s.valEnd = j
			i = j
		}
		i = restOfLine(b, i)
		s.end = i
		// Blank and comment lines are not kept: nothing looks them up, and a
		// file of a million comment lines would cost a statement each.
		if s.kind != kindOther {
			out = append(out, s)
		}
	}
	return out, nil
}

func skipBlanks(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

// restOfLine skips blanks, a comment and the newline.
func restOfLine(b []byte, i int) int {
	i = skipBlanks(b, i)
	for i < len(b) && b[i] != '\n' {
		i++
	}
	if i < len(b) {
		i++
	}
	return i
}

// skipSpaceAndComments skips whitespace, newlines and comments (inside
// arrays and TOML 1.1 inline tables).
func skipSpaceAndComments(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		case '#':
			for i < len(b) && b[i] != '\n' {
				i++
			}
		default:
			return i
		}
	}
	return i
}

func scanKey(b []byte, i int) ([]string, int, error) {
	var keys []string
	for {
		i = skipBlanks(b, i)
		if i >= len(b) {
			return nil, i, errors.New("unexpected end of key")
		}
		var k string
		switch b[i] {
		case '"':
			j, err := scanBasic(b, i)
			if err != nil {
				return nil, i, err
			}
			u, err := unquoteBasic(string(b[i:j]))
			if err != nil {
				return nil, i, err
			}
			k, i = u, j
		case '\'':
			j, err := scanLiteral(b, i)
			if err != nil {
				return nil, i, err
			}
			k, i = string(b[i+1:j-1]), j
		default:
			j := i
			for j < len(b) && isBare(b[j]) {
				j++
			}
			if j == i {
				return nil, i, errors.New("invalid key")
			}
			k, i = string(b[i:j]), j
		}
		keys = append(keys, k)
		j := skipBlanks(b, i)
		if j < len(b) && b[j] == '.' {
			i = j + 1
			continue
		}
		return keys, i, nil
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func scanValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return i, errors.New("missing value")
	}
	switch {
	case strings.HasPrefix(string(b[i:min(i+3, len(b))]), `"""`):
		return scanMulti(b, i, '"')
	case strings.HasPrefix(string(b[i:min(i+3, len(b))]), `'''`):
		return scanMulti(b, i, '\'')
	case b[i] == '"':
		return scanBasic(b, i)
	case b[i] == '\'':
		return scanLiteral(b, i)
	case b[i] == '[':
		i++
		for {
			i = skipSpaceAndComments(b, i)
			if i >= len(b) {
				return i, errors.New("unterminated array")
			}
			if b[i] == ']' {
				return i + 1, nil
			}
			j, err := scanValue(b, i)
			if err != nil {
				return j, err
			}
			i = skipSpaceAndComments(b, j)
			if i < len(b) && b[i] == ',' {
				i++
			}
		}
	case b[i] == '{':
		i++
		for {
			i = skipSpaceAndComments(b, i)
			if i >= len(b) {
				return i, errors.New("unterminated inline table")
			}
			if b[i] == '}' {
				return i + 1, nil
			}
			_, j, err := scanKey(b, i)
			if err != nil {
				return j, err
			}
			j = skipBlanks(b, j)
			if j >= len(b) || b[j] != '=' {
				return j, errors.New("expected '=' in inline table")
			}
			j, err = scanValue(b, skipBlanks(b, j+1))
			if err != nil {
				return j, err
			}
			i = skipSpaceAndComments(b, j)
			if i < len(b) && b[i] == ',' {
				i++
			}
		}
	default:
		j := i
		for j < len(b) && !strings.ContainsRune(" \t\r\n,]}#", rune(b[j])) {
			j++
		}
		// A date-time may use a space between date and time.
		if j-i == 10 && b[i+4] == '-' && j+1 < len(b) && b[j] == ' ' && b[j+1] >= '0' && b[j+1] <= '9' {
			j++
			for j < len(b) && !strings.ContainsRune(" \t\r\n,]}#", rune(b[j])) {
				j++
			}
		}
		if j == i {
			return j, errors.New("invalid value")
		}
		return j, nil
	}
}

func scanBasic(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		case '\n':
			return j, errors.New("newline in string")
		}
	}
	return len(b), errors.New("unterminated string")
}

func scanLiteral(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\'':
			return j + 1, nil
		case '\n':
			return j, errors.New("newline in string")
		}
	}
	return len(b), errors.New("unterminated string")
}

func scanMulti(b []byte, i int, q byte) (int, error) {
	delim := strings.Repeat(string(q), 3)
	for j := i + 3; j < len(b); j++ {
		if q == '"' && b[j] == '\\' {
			j++
			continue
		}
		if strings.HasPrefix(string(b[j:min(j+3, len(b))]), delim) {
			end := j + 3
			// Up to two more quotes belong to the content.
			for k := 0; k < 2 && end < len(b) && b[end] == q; k++ {
				end++
			}
			return end, nil
		}
	}
	return len(b), errors.New("unterminated multi-line string")
}

// unquoteBasic decodes a TOML basic string, escapes included.
func unquoteBasic(s string) (string, error) {
	body := s[1 : len(s)-1]
	if !strings.Contains(body, `\`) {
		return body, nil
	}
	var sb strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			sb.WriteByte(c)
			continue
		}
		i++
		if i >= len(body) {
			return "", errors.New("bad escape")
		}
		switch body[i] {
		case 'b':
			sb.WriteByte('\b')
		case 't':
			sb.WriteByte('\t')
		case 'n':
			sb.WriteByte('\n')
		case 'f':
			sb.WriteByte('\f')
		case 'r':
			sb.WriteByte('\r')
		case 'e':
			sb.WriteByte(0x1b)
		case '"', '\\':
			sb.WriteByte(body[i])
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[body[i]]
			if i+1+n > len(body) {
				return "", errors.New("bad escape")
			}
			v, err := strconv.ParseUint(body[i+1:i+1+n], 16, 32)
			if err != nil {
				return "", err
			}
			sb.WriteRune(rune(v))
			i += n
		default:
			return "", errors.New("bad escape")
		}
	}
	return sb.String(), nil
}
