package census

import (
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/go-enry/go-enry/v2"
	"github.com/go-enry/go-enry/v2/data"
)

// Linguist's path rules (vendored, documentation) are ~190 regular
// expressions. Go's regexp engine runs them at a few microseconds each, so
// applying enry.IsVendor and enry.IsDocumentation to every file would cost
// far more than detecting the language. The census keeps their exact meaning
// and makes them cheap in two ways:
//
//  1. Directories are checked with the full enry functions (with a trailing
//     slash) and pruned, so for files the rules whose every match ends in "/"
//     can never match anything new and are dropped.
//  2. Each remaining rule gets a literal prefilter derived from its syntax
//     tree: a set of lower-case strings at least one of which any match must
//     contain. The regexp only runs when the (lower-cased) path contains one.
//
// Both steps only ever skip a regexp that provably cannot match, so the
// answer is the same as enry's; TestPathRulesAgreeWithEnry checks it.
//
// This relies on go-enry's default RE2 build, where its regexps are
// *regexp.Regexp (the oniguruma engine needs cgo, which the census never
// uses).

var (
	fileVendorRules = newRuleSet(data.VendorMatchers)
	fileDocRules    = newRuleSet(data.DocumentationMatchers)
)

// minLiteral is the shortest literal worth a prefilter; a one-byte literal
// such as "/" or "." would let nearly every path through.
const minLiteral = 2

type rule struct {
	re   *regexp.Regexp
	lits []string // nil: no prefilter, always run re
}

type ruleSet []rule

func newRuleSet(res []*regexp.Regexp) ruleSet {
	var s ruleSet
	for _, re := range res {
		if re == nil {
			continue // enry leaves nil where RE2 cannot compile a rule
		}
		tree, err := syntax.Parse(re.String(), syntax.Perl)
		if err != nil {
			s = append(s, rule{re: re})
			continue
		}
		tree = tree.Simplify()
		if endsWithSlash(tree) {
			continue // directory rule: decided when the directory was walked
		}
		lits := requiredLiterals(tree)
		for _, l := range lits {
			if len(l) < minLiteral {
				lits = nil
				break
			}
		}
		s = append(s, rule{re: re, lits: lits})
	}
	return s
}

// match reports whether any rule matches the slash-separated path.
func (s ruleSet) match(path string) bool {
	lower, ascii := asciiLower(path)
	for _, r := range s {
		// Non-ASCII paths skip the prefilter: Unicode case folding (ſ, K)
		// could defeat a lower-cased literal comparison.
		if ascii && r.lits != nil && !containsAny(lower, r.lits) {
			continue
		}
		if r.re.MatchString(path) {
			return true
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func asciiLower(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return "", false
		}
	}
	return strings.ToLower(s), true
}

// endsWithSlash reports whether every match of re ends with "/".
func endsWithSlash(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) > 0 && re.Rune[len(re.Rune)-1] == '/'
	case syntax.OpCapture:
		return endsWithSlash(re.Sub[0])
	case syntax.OpConcat:
		return len(re.Sub) > 0 && endsWithSlash(re.Sub[len(re.Sub)-1])
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !endsWithSlash(sub) {
				return false
			}
		}
		return len(re.Sub) > 0
	}
	return false
}

// requiredLiterals returns lower-case strings at least one of which every
// match of re contains, or nil when it cannot tell.
func requiredLiterals(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if s, ok := literalString(re); ok {
			return []string{s}
		}
		return nil
	case syntax.OpCharClass:
		if c, ok := caseClass(re); ok {
			return []string{string(c)}
		}
		return nil
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
		return nil
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			l := requiredLiterals(sub)
			if l == nil {
				return nil // one branch without a literal: anything may match
			}
			all = append(all, l...)
		}
		return all
	case syntax.OpConcat:
		// Adjacent literal pieces join into one longer literal; otherwise
		// the best single child's set wins (the one whose shortest literal
		// is longest, i.e. the most selective).
		var best []string
		consider := func(l []string) {
			if l != nil && minLen(l) > minLen(best) {
				best = l
			}
		}
		var run strings.Builder
		flush := func() {
			if run.Len() > 0 {
				consider([]string{run.String()})
				run.Reset()
			}
		}
		for _, sub := range re.Sub {
			switch {
			case sub.Op == syntax.OpLiteral:
				if s, ok := literalString(sub); ok {
					run.WriteString(s)
					continue
				}
			case sub.Op == syntax.OpCharClass:
				if c, ok := caseClass(sub); ok {
					run.WriteByte(c)
					continue
				}
			}
			flush()
			consider(requiredLiterals(sub))
		}
		flush()
		return best
	}
	return nil
}

func minLen(l []string) int {
	if l == nil {
		return 0
	}
	m := len(l[0])
	for _, s := range l[1:] {
		m = min(m, len(s))
	}
	return m
}

// literalString lower-cases an ASCII literal; non-ASCII literals are not
// used as prefilters (see match).
func literalString(re *syntax.Regexp) (string, bool) {
	var b strings.Builder
	for _, r := range re.Rune {
		if r >= utf8.RuneSelf {
			return "", false
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String()), true
}

// caseClass recognises a one-letter class such as [Dd] or [x] and returns
// its lower-case letter.
func caseClass(re *syntax.Regexp) (byte, bool) {
	var runes []rune
	for i := 0; i+1 < len(re.Rune); i += 2 {
		for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
			runes = append(runes, r)
			if len(runes) > 2 {
				return 0, false
			}
		}
	}
	if len(runes) == 0 || runes[0] >= utf8.RuneSelf {
		return 0, false
	}
	low := strings.ToLower(string(runes[0]))
	for _, r := range runes[1:] {
		if r >= utf8.RuneSelf || strings.ToLower(string(r)) != low {
			return 0, false
		}
	}
	return low[0], true
}

// generatedNameHints are lower-case substrings at least one of which every
// go-enry generated-code *name* rule that can match a file name needs
// (designer files, lock files, Zephir and TLB output, sqlx query caches).
// Those rules are closures, so unlike the vendor rules they cannot be
// prefiltered automatically; this list mirrors go-enry v2.9.6 and
// TestGeneratedAgreesWithEnry guards it. Directory rules (Pods/,
// __generated__/, node_modules/ …) are applied when directories are pruned.
var generatedNameHints = []string{
	".designer.", ".feature.cs", ".lock", "shrinkwrap.json", "package-lock.json",
	"pnpm-lock.yaml", ".pnp.", ".zep.", ".orig", "_tlb.pas", "query-",
}

// isGenerated is enry.IsGenerated(rel, head) for a file in a directory the
// walk did not prune, without running the name regexps for names that no
// name rule can match. The content rules always run: they are cheap and
// return early on extensions they do not handle.
func isGenerated(rel, name string, head []byte) bool {
	lower, ascii := asciiLower(name)
	if !ascii || containsAny(lower, generatedNameHints) {
		return enry.IsGenerated(rel, head)
	}
	ext := strings.ToLower(filepath.Ext(rel))
	if _, ok := data.GeneratedCodeExtensions[ext]; ok {
		return true
	}
	lowerRel := strings.ToLower(rel)
	for _, m := range data.GeneratedCodeMatchers {
		if m(lowerRel, ext, head) {
			return true
		}
	}
	return false
}
