package langdetect

import (
	"path/filepath"
	"strings"
)

// compiledPatterns holds the heuristics' regexps once compiled, by index
// into patterns. Only the patterns of the extensions a census meets are ever
// compiled (a C project compiles the .h rules and nothing else).
var compiledPatterns [len(patterns)]lazyPattern

// byContent applies linguist's content heuristics for the file's extension
// (go-enry's GetLanguagesByContent): the first rule that matches names the
// languages.
func byContent(filename string, content []byte, _ []lang) []lang {
	if filename == "" {
		return nil
	}
	h := findHeuristic(strings.ToLower(filepath.Ext(filename)))
	if h == nil {
		return nil
	}
	for i := range h.rules {
		if h.rules[i].m.match(content) {
			return h.rules[i].langs
		}
	}
	return nil
}

func findHeuristic(ext string) *heuristic {
	i, j := 0, len(heuristics)
	for i < j {
		h := int(uint(i+j) >> 1)
		if heuristics[h].ext < ext {
			i = h + 1
		} else {
			j = h
		}
	}
	if i < len(heuristics) && heuristics[i].ext == ext {
		return &heuristics[i]
	}
	return nil
}

// match is go-enry's rule semantics (data/rule): a pattern RE2 cannot run
// never satisfies an "or" and is left out of an "and" or a "not".
func (m *matcher) match(content []byte) bool {
	switch m.op {
	case opRegexp:
		return compiledPatterns[m.re].get(patterns[m.re]).Match(content)
	case opOr:
		s := &m.subs[0]
		return s.op != opUnsupported && s.match(content)
	case opAnd:
		for i := range m.subs {
			s := &m.subs[i]
			if s.op != opUnsupported && !s.match(content) {
				return false
			}
		}
		return true
	case opNot:
		for i := range m.subs {
			s := &m.subs[i]
			if s.op != opUnsupported && s.match(content) {
				return false
			}
		}
		return true
	case opAlways:
		return true
	}
	return false // opUnsupported on its own: go-enry never evaluates one
}
