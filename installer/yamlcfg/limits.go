package yamlcfg

// The nesting limit: a document nested deeper than MaxDepth is refused by a
// linear scan before the parser.

import (
	"bytes"
	"fmt"
)

// MaxDepth is the deepest nesting a document may have: block levels
// (indentation and "- " items) plus flow brackets. Real agent configs nest
// a handful of levels.
const MaxDepth = 1000

// LimitError reports a document refused for its shape before parsing.
type LimitError struct{ Msg string }

func (e *LimitError) Error() string { return e.Msg }

// checkDepth estimates the nesting line by line: a stack of the block
// indentations open above the line, the "- " items that start it, and the
// flow brackets open at its end (quotes and comments skipped).
func checkDepth(b []byte) error {
	var stack []int
	flow := 0
	for n, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		i := 0
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i == len(line) || line[i] == '#' {
			continue
		}
		dashes := 0
		if flow == 0 {
			for len(stack) > 0 && stack[len(stack)-1] >= i {
				stack = stack[:len(stack)-1]
			}
			stack = append(stack, i)
			for j := i; j+1 < len(line) && line[j] == '-' && line[j+1] == ' '; {
				dashes++
				for j += 2; j < len(line) && line[j] == ' '; j++ {
				}
			}
		}
		for k := i; k < len(line); k++ {
			switch c := line[k]; c {
			case '\'', '"':
				for k++; k < len(line) && line[k] != c; k++ {
					if c == '"' && line[k] == '\\' {
						k++
					}
				}
			case '#':
				if k > 0 && (line[k-1] == ' ' || line[k-1] == '\t') {
					k = len(line)
				}
			case '[', '{':
				flow++
			case ']', '}':
				if flow > 0 {
					flow--
				}
			}
			if len(stack)+dashes+flow > MaxDepth {
				return &LimitError{Msg: fmt.Sprintf("nested more than %d levels deep (line %d); refusing to parse it", MaxDepth, n+1)}
			}
		}
	}
	return nil
}
