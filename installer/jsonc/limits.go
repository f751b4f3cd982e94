package jsonc

// The nesting limit: a document nested deeper than MaxDepth is refused (no
// agent writes one; a hostile or corrupt file nested 700,000 deep overflowed
// the stack of the recursive parser this package once used). The parser
// (parse.go) counts the depth as it goes; checkDepth, a linear scan of the
// brackets, says which error a document both too deep and invalid gets, so
// that the depth is reported first, whatever comes first in the file.

import (
	"fmt"

	"github.com/getcodegraph/codegraph-install/installer/configerr"
)

// MaxDepth is the deepest nesting of objects and arrays a document may have.
// Real agent configs nest a handful of levels.
const MaxDepth = 1000

// checkDepth fails when objects and arrays nest deeper than MaxDepth. It
// skips strings and comments, and runs in one pass whatever the input.
func checkDepth(b []byte) error {
	depth, line := 0, 1
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '\n':
			line++
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				switch b[i] {
				case '\\':
					i++
				case '\n':
					line++
				}
			}
		case '/':
			if i+1 < len(b) && b[i+1] == '/' {
				for i < len(b) && b[i] != '\n' {
					i++
				}
				if i < len(b) {
					line++
				}
			} else if i+1 < len(b) && b[i+1] == '*' {
				for i += 2; i+1 < len(b) && !(b[i] == '*' && b[i+1] == '/'); i++ {
					if b[i] == '\n' {
						line++
					}
				}
				i++
			}
		case '{', '[':
			depth++
			if depth > MaxDepth {
				return &configerr.LimitError{Msg: fmt.Sprintf("nested more than %d levels deep (line %d); refusing to parse it", MaxDepth, line)}
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
