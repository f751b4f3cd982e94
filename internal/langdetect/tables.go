package langdetect

//go:generate go run ./gen

// The types of the generated tables (tables_generated.go,
// classifier_generated.go). Tables are arrays of plain literals sorted by
// key and searched by bisection, not maps: the compiler lays such literals
// out as static data, so they cost nothing at package initialisation, and a
// lookup allocates nothing.

// lang is a language: an index into languageNames.
type lang uint16

func (l lang) name() string { return languageNames[l] }

// langType is linguist's language type, with go-enry's numbering.
type langType uint8

const (
	typeUnknown langType = iota
	typeData
	typeProgramming
	typeMarkup
	typeProse
)

// candidates is one row of a name table: a key and the languages it may
// mean, in linguist's (alphabetical) order.
type candidates struct {
	key   string
	langs []lang
}

// alias maps an alias key (see aliasKey) to a language.
type alias struct {
	key  string
	lang lang
}

// heuristic is linguist's content heuristics for one extension.
type heuristic struct {
	ext   string
	rules []hrule
}

// hrule is one heuristic: when m matches the content, the file is one of
// langs (which may be empty, naming nothing).
type hrule struct {
	langs []lang
	m     matcher
}

type matchOp uint8

const (
	opRegexp      matchOp = iota // patterns[re] matches
	opUnsupported                // a regexp RE2 cannot run (go-enry: a nil pattern)
	opOr                         // subs[0] matches
	opAnd                        // every supported sub matches
	opNot                        // no supported sub matches
	opAlways                     // always matches
)

// matcher mirrors go-enry's rule values (data/rule): heuristics nest them.
type matcher struct {
	op   matchOp
	re   int
	subs []matcher
}

type ruleKind uint8

const (
	ruleRegexp   ruleKind = iota // pattern is a regular expression
	ruleContains                 // the path contains pattern
	ruleSuffix                   // the path ends with pattern
)

// pathRule is one of linguist's path rules, with facts the generator worked
// out: dirOnly when every match ends in "/" (such a rule is settled when the
// directory itself is checked), and lits, lower-case strings at least one of
// which every match contains (nil: no prefilter).
type pathRule struct {
	kind    ruleKind
	pattern string
	dirOnly bool
	lits    []string
}

// classEntry is one language's classifier data: its prior log-probability
// and its token table (see parseTokens).
type classEntry struct {
	lang   lang
	prior  float64
	tokens string
}

// lookup bisects a name table sorted by key.
func lookup(table []candidates, key string) []lang {
	i, j := 0, len(table)
	for i < j {
		h := int(uint(i+j) >> 1)
		if table[h].key < key {
			i = h + 1
		} else {
			j = h
		}
	}
	if i < len(table) && table[i].key == key {
		return table[i].langs
	}
	return nil
}
