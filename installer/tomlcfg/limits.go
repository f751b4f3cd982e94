package tomlcfg

// The nesting limit: a document nested deeper than MaxDepth is refused by a
// linear scan before the TOML parser, whose time grows with the square of
// the depth (10,000 nested inline tables took over 40 s, a key of 10,000
// dotted parts 20 s).

import "fmt"

// MaxDepth is the deepest nesting a document may have: arrays and inline
// tables inside each other plus the dotted parts of the key that holds them.
// Real Codex configs nest a handful of levels.
const MaxDepth = 1000

// LimitError reports a document refused for its shape before parsing.
type LimitError struct{ Msg string }

func (e *LimitError) Error() string { return e.Msg }

// checkDepth fails when the nesting exceeds MaxDepth. One pass; strings and
// comments are skipped. A key's dotted parts are counted from the last
// separator ('=', ',', a bracket, a newline), so the dot of a float such as
// 1.5 counts once and is reset by the next separator.
func checkDepth(b []byte) error {
	depth, dots, line := 0, 0, 1
	refuse := func() error {
		return &LimitError{Msg: fmt.Sprintf("nested more than %d levels deep (line %d); refusing to parse it", MaxDepth, line)}
	}
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '\n':
			line++
			dots = 0
		case '#':
			for i < len(b) && b[i] != '\n' {
				i++
			}
			i-- // let the newline be counted
		case '"', '\'':
			delim := []byte{c}
			if i+2 < len(b) && b[i+1] == c && b[i+2] == c {
				delim = []byte{c, c, c}
			}
			for i += len(delim); i < len(b); i++ {
				if b[i] == '\n' {
					line++
				}
				if c == '"' && b[i] == '\\' {
					i++
					continue
				}
				if hasPrefixAt(b, i, delim) {
					i += len(delim) - 1
					break
				}
			}
		case '.':
			dots++
			if depth+dots+1 > MaxDepth {
				return refuse()
			}
		case '[', '{':
			depth++
			dots = 0
			if depth > MaxDepth {
				return refuse()
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
			dots = 0
		case '=', ',':
			dots = 0
		}
	}
	return nil
}

func hasPrefixAt(b []byte, i int, p []byte) bool {
	if i+len(p) > len(b) {
		return false
	}
	for k := range p {
		if b[i+k] != p[k] {
			return false
		}
	}
	return true
}
