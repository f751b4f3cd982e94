package tomlcfg

// The limits: a document nested deeper than MaxDepth, larger than MaxSize,
// or costing the TOML parser more than MaxCost is refused by linear scans
// before the parser runs.
//
// The parser (github.com/BurntSushi/toml) builds maps of every key, and
// copies the full key path of each: it allocates 35 to 50 bytes per input
// byte of an ordinary config, over 100 for a file of nothing but tiny keys
// or tables, and its time and memory grow with the square of a key's depth
// (10,000 nested inline tables took over 40 s; 256 KiB of keys under one
// table header 990 parts deep, 8.6 s and 2.3 GB; of keys 990 dotted parts
// long, 15 s and 10 GB). The cost scan bounds that work whatever the
// document's shape, so an edit of any accepted file (two parses) stays
// within tens of megabytes and well under a second.

import (
	"fmt"

	"github.com/getcodegraph/codegraph-install/installer/configerr"
)

// MaxSize is the largest Codex config this package parses. Real ones are
// kilobytes: a few dozen settings, MCP servers, and a table per trusted
// project (about 60 bytes each: 4 MiB would be some 70,000 projects).
// Strings and comments cost the parser little, so this bounds the memory
// they take (about 4 bytes per input byte per parse).
const MaxSize = 4 << 20

// MaxCost is the most parser work a document may take, in units of about
// 90 bytes of the parser's allocations per parse: each key costs 10 plus
// its length in parts times the depth of the table it lands in (a key
// "a.b" under [x.y] costs 10 + (2+2)·2), each table header 10 plus the
// square of its parts, each array or inline table 10 plus its depth, each
// further array element or inline-table member 3 and each comment 1. An
// ordinary config costs about one unit per two bytes: a trusted project
// costs 27, an MCP server with args and env about 100, so 80,000 is near
// 3,000 projects or 800 servers. With MaxSize, an edit and its undo (three
// parses) of any accepted file allocate at most about 80 MB, 20 times
// MaxSize.
const MaxCost = 80_000

// MaxDepth is the deepest nesting a document may have: arrays and inline
// tables inside each other plus the dotted parts of the key that holds them.
// Real Codex configs nest a handful of levels.
const MaxDepth = 1000

// checkDepth fails when the nesting exceeds MaxDepth. One pass; strings and
// comments are skipped. A key's dotted parts are counted from the last
// separator ('=', ',', a bracket, a newline), so the dot of a float such as
// 1.5 counts once and is reset by the next separator.
func checkDepth(b []byte) error {
	depth, dots, line := 0, 0, 1
	refuse := func() error {
		return &configerr.LimitError{Msg: fmt.Sprintf("nested more than %d levels deep (line %d); refusing to parse it", MaxDepth, line)}
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

// Headroom for reading what Set wrote: a file Set accepted just under the
// limits, with our table added, must still be read (Get) and reverted.
const (
	sizeSlack = 64 << 10
	costSlack = 10_000
)

// checkLimits refuses a document over MaxSize or MaxCost, or, when edit is
// false (a document read or reverted, perhaps with our table in it), over
// them by more than the slack.
func checkLimits(b []byte, edit bool) error {
	maxSize, maxCost := MaxSize, MaxCost
	if !edit {
		maxSize, maxCost = MaxSize+sizeSlack, MaxCost+costSlack
	}
	if len(b) > maxSize {
		return &configerr.LimitError{Msg: fmt.Sprintf("larger than %d MiB (%d bytes), more than any Codex config; refusing to parse it", MaxSize>>20, len(b))}
	}
	if err := checkDepth(b); err != nil {
		return err
	}
	if cost, line := parseCost(b, maxCost); cost > maxCost {
		return &configerr.LimitError{Msg: fmt.Sprintf("too large to parse safely: more keys, tables, values and comments than any Codex config holds (line %d); refusing to parse it", line)}
	}
	return nil
}

// costFrame is an array or inline table open in the value being read: the
// depth of the table its keys land in (ctx), and the parts of the key the
// array belongs to or of the inline table's current member (parts).
type costFrame struct {
	inline     bool
	ctx, parts int
}

// parseCost is the cost of b as MaxCost counts it, stopping once it is over
// limit, and the line it had reached. One pass; strings and comments are
// skipped as in checkDepth. It only estimates (a key is the run of dots
// before '=', a table header a '[' first on a line outside any value),
// which is enough on a document the depth scan accepted: anything the
// estimate gets wrong costs the parser what a value or a string does.
func parseCost(b []byte, limit int) (cost, line int) {
	line = 1
	var stack []costFrame
	table, keyParts := 0, 0 // the current table's parts; the last top-level key's
	dots := 0               // dots since the last separator: the key being read
	lineStart := true       // no value or key begun on this line yet
	for i := 0; i < len(b) && cost <= limit; i++ {
		c := b[i]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '[' {
			lineStart = false
		}
		switch c {
		case '\n':
			line++
			dots = 0
			lineStart = len(stack) == 0
		case '#':
			cost++
			for i < len(b) && b[i] != '\n' {
				i++
			}
			i-- // let the newline be counted
		case '"', '\'':
			i = skipQuoted(b, i, &line)
		case '.':
			dots++
		case '=':
			parts, ctx := dots+1, table
			if len(stack) > 0 {
				top := &stack[len(stack)-1]
				ctx, top.parts = top.ctx, parts
			} else {
				keyParts = parts
			}
			cost += 10 + (ctx+parts)*parts
			dots = 0
		case ',':
			cost += 3
			dots = 0
		case '[':
			if lineStart {
				// A table header, [a.b] or [[a.b]]: count its parts.
				parts := 1
				for i++; i < len(b) && b[i] != ']' && b[i] != '\n'; i++ {
					switch b[i] {
					case '.':
						parts++
					case '"', '\'':
						i = skipQuoted(b, i, &line)
					}
				}
				if i < len(b) && b[i] == '\n' {
					i-- // let the newline be counted
				}
				table, lineStart = parts, false
				cost += 10 + parts*parts
				continue
			}
			ctx, parts := table, keyParts
			if len(stack) > 0 {
				ctx, parts = stack[len(stack)-1].ctx, stack[len(stack)-1].parts
			}
			stack = append(stack, costFrame{ctx: ctx, parts: parts})
			cost += 10 + ctx + parts
			dots = 0
		case '{':
			ctx, parts := table, keyParts
			if len(stack) > 0 {
				ctx, parts = stack[len(stack)-1].ctx, stack[len(stack)-1].parts
			}
			stack = append(stack, costFrame{inline: true, ctx: ctx + parts})
			cost += 10 + 2*(ctx+parts)
			dots = 0
		case ']', '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			dots = 0
		}
	}
	return cost, line
}

// skipQuoted returns the offset of the last byte of the string that starts
// at b[i] (basic, literal or multi-line, as checkDepth reads them),
// counting its newlines into line.
func skipQuoted(b []byte, i int, line *int) int {
	c := b[i]
	delim := []byte{c}
	if i+2 < len(b) && b[i+1] == c && b[i+2] == c {
		delim = []byte{c, c, c}
	}
	for i += len(delim); i < len(b); i++ {
		if b[i] == '\n' {
			*line++
		}
		if c == '"' && b[i] == '\\' {
			i++
			continue
		}
		if hasPrefixAt(b, i, delim) {
			return i + len(delim) - 1
		}
	}
	return len(b)
}
