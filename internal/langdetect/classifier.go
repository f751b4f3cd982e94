package langdetect

// A port of go-enry's naive Bayes classifier (classifier.go) and its
// regexp-based tokenizer (internal/tokenizer/tokenize.go), go-enry v2.9.6,
// Apache-2.0. linguist falls back on the classifier when the name and the
// heuristics leave several candidates (a .cs file without using, namespace or
// comment; a .m file that is neither clearly Objective-C nor MATLAB …).
//
// go-enry keeps every language's token frequencies in maps built at package
// initialisation (~16 MB). Here they are strings in the binary
// (classifier_generated.go), each parsed into a map the first time the
// classifier ranks that language, so a census that never meets an ambiguous
// file never builds one.

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// tokenTables holds each classifiable language's parsed token table, by
// index into classifierData.
var tokenTables [len(classifierData)]struct {
	once sync.Once
	m    map[string]float64
}

func tokenTable(i int) map[string]float64 {
	t := &tokenTables[i]
	t.once.Do(func() { t.m = parseTokens(classifierData[i].tokens) })
	return t.m
}

// parseTokens reads one language's table: a line per log-probability,
// "value TAB token TAB token …". The keys share the table's string.
func parseTokens(s string) map[string]float64 {
	m := make(map[string]float64, strings.Count(s, "\t"))
	for line := range strings.Lines(s) {
		line = strings.TrimSuffix(line, "\n")
		value, toks, _ := strings.Cut(line, "\t")
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			panic("langdetect: corrupt classifier table: " + err.Error())
		}
		for tok := range strings.SplitSeq(toks, "\t") {
			m[tok] = v
		}
	}
	return m
}

func classifierIndex(l lang) (int, bool) {
	i, j := 0, len(classifierData)
	for i < j {
		h := int(uint(i+j) >> 1)
		if classifierData[h].lang < l {
			i = h + 1
		} else {
			j = h
		}
	}
	return i, i < len(classifierData) && classifierData[i].lang == l
}

// classify ranks candidates by decreasing probability, leaving out those
// without samples (go-enry's naiveBayes.classify). go-enry ranks in map
// order, so languages with equal scores come out in an order that varies from
// run to run there; here they keep the candidates' order.
func classify(content []byte, candidates []lang) []lang {
	type scored struct {
		l     lang
		score float64
	}
	var langs []scored
	for _, l := range candidates {
		// As go-enry: a candidate may be an alias (never, from the tables).
		if a, ok := languageByAlias(l.name()); ok {
			l = a
		}
		dup := false
		for _, s := range langs {
			dup = dup || s.l == l
		}
		if !dup {
			langs = append(langs, scored{l: l})
		}
	}

	empty := len(content) == 0
	var tokens []string
	if !empty {
		tokens = tokenize(content)
		empty = len(tokens) == 0
	}
	// math.Log(1/total) is what an unseen token scores (go-enry computes it
	// per token; it is the same number).
	unseen := math.Log(1.000000 / float64(tokensTotal))

	ranked := langs[:0]
	for _, s := range langs {
		i, ok := classifierIndex(s.l)
		if !ok {
			continue // no samples: go-enry leaves the language out
		}
		s.score = classifierData[i].prior
		if !empty {
			table := tokenTable(i)
			var sum float64
			for _, tok := range tokens {
				p, ok := table[tok]
				if !ok {
					p = unseen
				}
				sum += p
			}
			s.score += sum
		}
		ranked = append(ranked, s)
	}
	// go-enry sorts with sort.Stable and Less(i, j) = score[j] < score[i].
	slices.SortStableFunc(ranked, func(a, b scored) int {
		switch {
		case b.score < a.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	out := make([]lang, len(ranked))
	for i, s := range ranked {
		out[i] = s.l
	}
	return out
}

// tokenByteLimit is how much content the tokenizer reads.
const tokenByteLimit = 100000

// The tokenizer's expressions, verbatim from go-enry (which rewrote
// linguist's to behave alike under RE2 and Oniguruma).
var (
	reLiteralStringQuotes = lazyRegexp{src: `("(.|\n)*?"|'(.|\n)*?')`}
	reSingleLineComment   = lazyRegexp{src: `(?m)(//|--|#|%|")\s([^\n]*$)`}
	reMultilineComment    = lazyRegexp{src: `(/\*(.|\n)*?\*/|<!--(.|\n)*?-->|\{-(.|\n)*?-\}|\(\*(.|\n)*?\*\)|"""(.|\n)*?"""|'''(.|\n)*?''')`}
	reLiteralNumber       = lazyRegexp{src: `(0x[0-9A-Fa-f]([0-9A-Fa-f]|\.)*|\d(\d|\.)*)([uU][lL]{0,2}|([eE][-+]\d*)?[fFlL]*)`}
	reShebang             = lazyRegexp{src: `(?m)^#!(?:/[0-9A-Za-z_]+)*/(?:([0-9A-Za-z_]+)|[0-9A-Za-z_]+(?:\s*[0-9A-Za-z_]+=[0-9A-Za-z_]+\s*)*\s*([0-9A-Za-z_]+))(?:\s*-[0-9A-Za-z_]+\s*)*$`}
	rePunctuation         = lazyRegexp{src: `;|\{|\}|\(|\)|\[|\]`}
	reSGML                = lazyRegexp{src: `(<\/?[^\s<>=\d"']+)(?:\s(.|\n)*?\/?>|>)`}
	reSGMLComment         = lazyRegexp{src: `(<!--(.|\n)*?-->)`}
	reSGMLAttributes      = lazyRegexp{src: `\s+([0-9A-Za-z_]+=)|\s+([^\s>]+)`}
	reSGMLLoneAttribute   = lazyRegexp{src: `([0-9A-Za-z_]+)`}
	reRegularToken        = lazyRegexp{src: `[0-9A-Za-z_\.@#\/\*]+`}
	reOperators           = lazyRegexp{src: `<<?|\+|\-|\*|\/|%|&&?|\|\|?`}

	// regexToSkip, in this order.
	regexToSkip = [...]*lazyRegexp{
		&reLiteralStringQuotes,
		&reMultilineComment,
		&reSingleLineComment,
		&reLiteralNumber,
	}
)

// tokenize is go-enry's Tokenize: the tokens linguist's samples were
// counted by, extracted in this order.
func tokenize(content []byte) []string {
	if len(content) > tokenByteLimit {
		content = content[:tokenByteLimit]
	}
	tokens := make([][]byte, 0, 50)
	for _, extract := range [...]func([]byte) ([]byte, [][]byte){
		extractAndReplaceShebang,
		extractAndReplaceSGML,
		skipCommentsAndLiterals,
		extractAndReplacePunctuation,
		extractAndReplaceRegular,
		extractAndReplaceOperator,
		extractRemainders,
	} {
		var extracted [][]byte
		content, extracted = extract(content)
		tokens = append(tokens, extracted...)
	}
	out := make([]string, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, string(t))
	}
	return out
}

func extractAndReplaceShebang(content []byte) ([]byte, [][]byte) {
	var tokens [][]byte
	matches := reShebang.get().FindAllSubmatch(content, -1)
	if matches != nil {
		tokens = make([][]byte, 0, 2)
		for _, match := range matches {
			tokens = append(tokens, shebangToken(match))
		}
		// go-enry discards this replacement, so the shebang line is
		// tokenized again by the later steps; kept for the same tokens.
		reShebang.get().ReplaceAll(content, []byte(` `))
	}
	return content, tokens
}

func shebangToken(matched [][]byte) []byte {
	const prefix = `SHEBANG#!`
	var token []byte
	for i := 1; i < len(matched); i++ {
		if len(matched[i]) > 0 {
			token = matched[i]
			break
		}
	}
	return append([]byte(prefix), token...)
}

func commonExtractAndReplace(content []byte, re *lazyRegexp) ([]byte, [][]byte) {
	tokens := re.get().FindAll(content, -1)
	content = re.get().ReplaceAll(content, []byte(` `))
	return content, tokens
}

func extractAndReplacePunctuation(content []byte) ([]byte, [][]byte) {
	return commonExtractAndReplace(content, &rePunctuation)
}

func extractAndReplaceRegular(content []byte) ([]byte, [][]byte) {
	return commonExtractAndReplace(content, &reRegularToken)
}

func extractAndReplaceOperator(content []byte) ([]byte, [][]byte) {
	return commonExtractAndReplace(content, &reOperators)
}

func extractAndReplaceSGML(content []byte) ([]byte, [][]byte) {
	var tokens [][]byte
	matches := reSGML.get().FindAllSubmatch(content, -1)
	if matches != nil {
		tokens = make([][]byte, 0, 2)
		for _, match := range matches {
			if reSGMLComment.get().Match(match[0]) {
				continue
			}
			token := append(append([]byte(nil), match[1]...), '>')
			tokens = append(tokens, token)
			tokens = append(tokens, sgmlAttributes(match[0])...)
		}
		content = reSGML.get().ReplaceAll(content, []byte(` `))
	}
	return content, tokens
}

func sgmlAttributes(tag []byte) [][]byte {
	var attributes [][]byte
	matches := reSGMLAttributes.get().FindAllSubmatch(tag, -1)
	if matches != nil {
		attributes = make([][]byte, 0, 5)
		for _, match := range matches {
			if len(match[1]) != 0 {
				attributes = append(attributes, match[1])
			}
			if len(match[2]) != 0 {
				attributes = append(attributes, reSGMLLoneAttribute.get().FindAll(match[2], -1)...)
			}
		}
	}
	return attributes
}

func skipCommentsAndLiterals(content []byte) ([]byte, [][]byte) {
	for _, skip := range regexToSkip {
		content = skip.get().ReplaceAll(content, []byte(` `))
	}
	return content, nil
}

func extractRemainders(content []byte) ([]byte, [][]byte) {
	fields := bytes.Fields(content)
	tokens := make([][]byte, 0, len(fields)*3)
	for _, f := range fields {
		tokens = append(tokens, bytes.Split(f, nil)...)
	}
	return content, tokens
}
