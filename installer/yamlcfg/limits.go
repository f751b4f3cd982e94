package yamlcfg

// The limits: a document nested deeper than MaxDepth, larger than MaxSize,
// or costing the parser more than MaxCost is refused by linear scans
// before the parser runs.
//
// The parser (go.yaml.in/yaml/v3) builds a node per scalar and collection,
// and a token and an event on the way: it allocates 40 to 80 bytes per
// input byte of a file of tiny entries, over 6 even of a long string, and
// an edit parses a document several times (the input, the output, and
// again after each changed field). The cost scan bounds the nodes, the
// size the rest.

import (
	"bytes"
	"fmt"
	"github.com/getcodegraph/codegraph-install/installer/configerr"
)

// MaxSize is the largest YAML config this package parses. goose's, Hermes'
// and Continue's configs are kilobytes (a few dozen settings and servers,
// Continue's rules and prompts): 512 KiB is fifty times the largest.
const MaxSize = 512 << 10

// MaxCost is the most parser work a document may take, in units of about
// 100 bytes of the parser's allocations per parse: each line with content
// costs 3, each further "- " item on it 1, each flow ',' '[' or '{' 2,
// each comment line 1. A goose extension or an MCP server costs 15 to 30,
// so 20,000 is some 1,000 servers.
const MaxCost = 20_000

// Headroom for reading what Set wrote: a file Set accepted just under the
// limits, with our entry added, must still be read (Get) and reverted.
const (
	sizeSlack = 16 << 10
	costSlack = 1_000
)

// checkLimits refuses a document over MaxSize, MaxDepth or MaxCost, or,
// when edit is false (a document read or reverted, perhaps with our entry
// in it), over the size or the cost by more than the slack.
func checkLimits(b []byte, edit bool) error {
	maxSize, maxCost := MaxSize, MaxCost
	if !edit {
		maxSize, maxCost = MaxSize+sizeSlack, MaxCost+costSlack
	}
	if len(b) > maxSize {
		return &configerr.LimitError{Msg: fmt.Sprintf("larger than %d KiB (%d bytes), more than any agent's YAML config; refusing to parse it", MaxSize>>10, len(b))}
	}
	if err := checkDepth(b); err != nil {
		return err
	}
	if cost, line := parseCost(b, maxCost); cost > maxCost {
		return &configerr.LimitError{Msg: fmt.Sprintf("too large to parse safely: more entries, values and comments than any agent's YAML config holds (line %d); refusing to parse it", line)}
	}
	return nil
}

// lines calls f with each line of b (without its "\n") and its number,
// until f returns false: bytes.Split would cost a slice header per line.
func lines(b []byte, f func(n int, line []byte) bool) {
	for n := 1; ; n++ {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			f(n, b)
			return
		}
		if !f(n, b[:i]) {
			return
		}
		b = b[i+1:]
	}
}

// parseCost is the cost of b as MaxCost counts it, stopping once it is
// over limit, and the line it had reached.
func parseCost(b []byte, limit int) (cost, line int) {
	lines(b, func(n int, l []byte) bool {
		line = n
		i := 0
		for i < len(l) && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r') {
			i++
		}
		switch {
		case i == len(l):
			return true
		case l[i] == '#':
			cost++
			return cost <= limit
		}
		cost += 3
		for j := i; j+1 < len(l) && l[j] == '-' && l[j+1] == ' '; {
			cost++
			for j += 2; j < len(l) && l[j] == ' '; j++ {
			}
		}
		for k := i; k < len(l); k++ {
			switch c := l[k]; c {
			case '\'', '"':
				for k++; k < len(l) && l[k] != c; k++ {
					if c == '"' && l[k] == '\\' {
						k++
					}
				}
			case '#':
				if k > 0 && (l[k-1] == ' ' || l[k-1] == '\t') {
					k = len(l)
				}
			case ',', '[', '{':
				cost += 2
			}
		}
		return cost <= limit
	})
	return cost, line
}

// MaxDepth is the deepest nesting a document may have: block levels
// (indentation and "- " items) plus flow brackets. Real agent configs nest
// a handful of levels.
const MaxDepth = 1000

// checkDepth estimates the nesting line by line: a stack of the block
// indentations open above the line, the "- " items that start it, and the
// flow brackets open at its end (quotes and comments skipped).
func checkDepth(b []byte) error {
	var stack []int
	flow := 0
	var err error
	lines(b, func(n int, line []byte) bool {
		err = depthOfLine(&stack, &flow, n, line)
		return err == nil
	})
	return err
}

// depthOfLine is checkDepth's step for line n (from 1): the stack of
// block indentations and the open flow brackets carry over.
func depthOfLine(stack *[]int, flow *int, n int, line []byte) error {
	line = bytes.TrimSuffix(line, []byte("\r"))
	i := 0
	for i < len(line) && line[i] == ' ' {
		i++
	}
	if i == len(line) || line[i] == '#' {
		return nil
	}
	dashes := 0
	if *flow == 0 {
		for len(*stack) > 0 && (*stack)[len(*stack)-1] >= i {
			*stack = (*stack)[:len(*stack)-1]
		}
		*stack = append(*stack, i)
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
			*flow++
		case ']', '}':
			if *flow > 0 {
				*flow--
			}
		}
		if len(*stack)+dashes+*flow > MaxDepth {
			return &configerr.LimitError{Msg: fmt.Sprintf("nested more than %d levels deep (line %d); refusing to parse it", MaxDepth, n)}
		}
	}
	return nil
}
