// Package tablegen renders internal/langdetect's generated tables from
// go-enry's copy of GitHub linguist's data. It is build-time only: the
// langdetect generator (../../gen) and langdetect's up-to-date test import it,
// the codegraph binary never does, so go-enry's data package (whose
// initialisation costs ~125 ms and ~16 MB) stays out of every command.
//
// Everything linguist states as data is read from go-enry here: the
// extension, file name and interpreter tables, aliases, language types, the
// content heuristics (walked by reflection, since go-enry compiles them into
// rule values), the classifier's token frequencies, the vendor and
// documentation path rules, and the generated-code name rules (read from
// go-enry's source, since go-enry keeps them as closures). What linguist
// states as code (the detection strategies, the tokenizer, the content-based
// generated-code checks) is ported by hand in langdetect, and langdetect's
// differential test holds the two together.
package tablegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"math"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/go-enry/go-enry/v2/data"
	"github.com/go-enry/go-enry/v2/data/rule"
)

// EnryModule is the module whose data the tables come from.
const EnryModule = "github.com/go-enry/go-enry/v2"

// Output file names, relative to the langdetect package directory.
const (
	TablesFile     = "tables_generated.go"
	ClassifierFile = "classifier_generated.go"
)

// linguistReleases names the linguist release of a commit go-enry extracted
// its data from, where known (go-enry's README states it; the data files
// only carry the commit).
var linguistReleases = map[string]string{
	"537297cdae3ab05f8d5dd1c03627a5bd73707b19": "v9.5.0",
}

// Source is the go-enry module the tables are generated from.
type Source struct {
	Version string // module version, e.g. v2.9.6
	Dir     string // module directory, for data/generated.go's name rules
}

// Locate asks the go command for the go-enry module this module requires.
// It runs in the langdetect package directory (go generate) or its test.
func Locate() (Source, error) {
	out, err := exec.Command("go", "list", "-m", "-json", EnryModule).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return Source{}, fmt.Errorf("go list -m %s: %v: %s", EnryModule, err, ee.Stderr)
		}
		return Source{}, fmt.Errorf("go list -m %s: %v", EnryModule, err)
	}
	var m struct{ Version, Dir string }
	if err := json.Unmarshal(out, &m); err != nil {
		return Source{}, fmt.Errorf("go list -m %s: %v", EnryModule, err)
	}
	if m.Version == "" || m.Dir == "" {
		return Source{}, fmt.Errorf("go list -m %s: module not downloaded (run go mod download)", EnryModule)
	}
	return Source{Version: m.Version, Dir: m.Dir}, nil
}

// Generate renders the generated files, keyed by file name.
func Generate(src Source) (map[string][]byte, error) {
	g := &gen{src: src, patternIndex: map[string]int{}}
	if err := g.collect(); err != nil {
		return nil, err
	}
	tables, err := g.renderTables()
	if err != nil {
		return nil, err
	}
	classifier, err := g.renderClassifier()
	if err != nil {
		return nil, err
	}
	return map[string][]byte{TablesFile: tables, ClassifierFile: classifier}, nil
}

type gen struct {
	src Source

	names []string       // every language name, sorted
	index map[string]int // name → position in names

	patterns     []string // heuristic regexps, in first-use order
	patternIndex map[string]int

	heuristics []heuristic
	nameRules  []nameRule

	classified []string // languages the classifier can be asked about, sorted
}

type heuristic struct {
	ext   string
	rules []hrule
}

type hrule struct {
	langs []string
	m     matcher
}

// matcher mirrors go-enry's rule values: op is "or", "and", "not",
// "always", "re" (a regexp) or "unsupported" (a regexp RE2 cannot run, which
// go-enry compiles to nil).
type matcher struct {
	op   string
	re   int
	subs []matcher
}

type nameRule struct {
	kind    string // "regexp", "contains", "suffix"
	pattern string
}

func (g *gen) collect() error {
	set := map[string]bool{}
	addAll := func(ls []string) {
		for _, l := range ls {
			set[l] = true
		}
	}
	for l := range data.LanguagesType {
		set[l] = true
	}
	for _, ls := range data.LanguagesByExtension {
		addAll(ls)
	}
	for _, ls := range data.LanguagesByFilename {
		addAll(ls)
	}
	for _, ls := range data.LanguagesByInterpreter {
		addAll(ls)
	}
	for _, l := range data.LanguageByAliasMap {
		set[l] = true
	}
	for l := range data.LanguagesLogProbabilities {
		set[l] = true
	}
	addAll(manpageLanguages)

	exts := sortedKeys(data.ContentHeuristics)
	for _, ext := range exts {
		h := heuristic{ext: ext}
		for _, r := range *data.ContentHeuristics[ext] {
			var langs []string
			for _, l := range r.Languages() {
				// Resolved here as go-enry's Heuristics.Match does at run
				// time: an unknown name or alias is dropped.
				if name, ok := data.LanguageByAlias(l); ok {
					langs = append(langs, name)
				}
			}
			addAll(langs)
			m, err := g.matcherOf(reflect.ValueOf(r))
			if err != nil {
				return fmt.Errorf("heuristics for %s: %v", ext, err)
			}
			h.rules = append(h.rules, hrule{langs: langs, m: m})
		}
		g.heuristics = append(g.heuristics, h)
	}

	for l := range set {
		if l == "" {
			return fmt.Errorf("empty language name in go-enry data")
		}
		g.names = append(g.names, l)
	}
	sort.Strings(g.names)
	if len(g.names) > math.MaxUint16 {
		return fmt.Errorf("%d languages do not fit a uint16", len(g.names))
	}
	g.index = map[string]int{}
	for i, l := range g.names {
		g.index[l] = i
	}

	var err error
	if g.nameRules, err = g.readNameRules(); err != nil {
		return err
	}
	g.classified = g.classifierLanguages()
	return nil
}

// manpageLanguages is what go-enry's GetLanguagesByManpage answers for a
// manual page's name (common.go); langdetect ports that strategy.
var manpageLanguages = []string{"Roff Manpage", "Roff"}

var regexpType = reflect.TypeOf((*regexp.Regexp)(nil))

// matcherOf walks one go-enry rule value. The rule types are unexported, so
// their fields are read by reflection, and a compiled *regexp.Regexp held in
// an unexported field is reached through its pointer.
func (g *gen) matcherOf(v reflect.Value) (matcher, error) {
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return matcher{}, fmt.Errorf("nil matcher")
		}
		v = v.Elem()
	}
	if v.Type() == regexpType {
		if v.IsNil() {
			return matcher{op: "unsupported", re: -1}, nil
		}
		re := (*regexp.Regexp)(unsafe.Pointer(v.Pointer()))
		return matcher{op: "re", re: g.pattern(re.String())}, nil
	}
	if v.Kind() != reflect.Struct || v.Type().PkgPath() != reflect.TypeOf((*rule.Matcher)(nil)).Elem().PkgPath() {
		return matcher{}, fmt.Errorf("unexpected matcher type %s", v.Type())
	}
	m := matcher{op: v.Type().Name(), re: -1}
	var subs []reflect.Value
	switch m.op {
	case "or":
		subs = []reflect.Value{v.FieldByName("pattern")}
	case "and":
		f := v.FieldByName("patterns")
		for i := 0; i < f.Len(); i++ {
			subs = append(subs, f.Index(i))
		}
	case "not":
		f := v.FieldByName("Patterns")
		for i := 0; i < f.Len(); i++ {
			subs = append(subs, f.Index(i))
		}
	case "always":
	default:
		return matcher{}, fmt.Errorf("unknown rule type %s", v.Type())
	}
	for _, s := range subs {
		if !s.IsValid() {
			return matcher{}, fmt.Errorf("rule type %s has changed shape", v.Type())
		}
		sm, err := g.matcherOf(s)
		if err != nil {
			return matcher{}, err
		}
		m.subs = append(m.subs, sm)
	}
	return m, nil
}

func (g *gen) pattern(s string) int {
	if i, ok := g.patternIndex[s]; ok {
		return i
	}
	// Every pattern must compile: langdetect compiles them lazily with
	// regexp.MustCompile.
	regexp.MustCompile(s)
	g.patterns = append(g.patterns, s)
	g.patternIndex[s] = len(g.patterns) - 1
	return len(g.patterns) - 1
}

// readNameRules reads go-enry's generated-code name rules from the source of
// data/generated.go: go-enry builds them as closures (nameMatches,
// nameContains, nameEndsWith), which keep their patterns out of reach of
// reflection.
func (g *gen) readNameRules() ([]nameRule, error) {
	path := filepath.Join(g.src.Dir, "data", "generated.go")
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	var rules []nameRule
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "GeneratedCodeNameMatchers" || len(vs.Values) != 1 {
			return true
		}
		found = true
		lit, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			err = fmt.Errorf("%s: GeneratedCodeNameMatchers is not a literal", path)
			return false
		}
		for _, e := range lit.Elts {
			call, ok := e.(*ast.CallExpr)
			var fn *ast.Ident
			var arg *ast.BasicLit
			if ok && len(call.Args) == 1 {
				fn, _ = call.Fun.(*ast.Ident)
				arg, _ = call.Args[0].(*ast.BasicLit)
			}
			if fn == nil || arg == nil || arg.Kind != token.STRING {
				err = fmt.Errorf("%s: unexpected GeneratedCodeNameMatchers element", path)
				return false
			}
			s, uerr := strconv.Unquote(arg.Value)
			if uerr != nil {
				err = uerr
				return false
			}
			kind := map[string]string{"nameMatches": "regexp", "nameContains": "contains", "nameEndsWith": "suffix"}[fn.Name]
			if kind == "" {
				err = fmt.Errorf("%s: unknown name matcher %s", path, fn.Name)
				return false
			}
			rules = append(rules, nameRule{kind: kind, pattern: s})
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%s: GeneratedCodeNameMatchers not found", path)
	}
	// The source must be the code this binary links: same rule count.
	if len(rules) != len(data.GeneratedCodeNameMatchers) {
		return nil, fmt.Errorf("%s has %d name rules, the linked go-enry %d: source and build disagree",
			path, len(rules), len(data.GeneratedCodeNameMatchers))
	}
	return rules, nil
}

// classifierLanguages lists every language go-enry's classifier can be asked
// to rank, so that only their token frequencies are carried. The classifier
// ranks the candidates of the last strategy that named several languages:
// a file name or interpreter shared by several languages, an extension whose
// heuristics can leave it ambiguous (none, no fallback rule, or a rule
// naming no language), a heuristic rule naming several languages, or the
// manual page pair.
func (g *gen) classifierLanguages() []string {
	set := map[string]bool{}
	add := func(ls []string) {
		if len(ls) < 2 {
			return
		}
		for _, l := range ls {
			set[l] = true
		}
	}
	for _, ls := range data.LanguagesByFilename {
		add(ls)
	}
	for _, ls := range data.LanguagesByInterpreter {
		add(ls)
	}
	add(manpageLanguages)
	heur := map[string]heuristic{}
	for _, h := range g.heuristics {
		heur[h.ext] = h
		for _, r := range h.rules {
			add(r.langs)
		}
	}
	for ext, ls := range data.LanguagesByExtension {
		// Content heuristics are looked up by the last extension only.
		h, ok := heur[filepath.Ext(ext)]
		settled := false
		if ok {
			for _, r := range h.rules {
				if len(r.langs) == 0 {
					settled = false
					break
				}
				if r.m.op == "always" {
					settled = true
					break
				}
			}
		}
		if !settled {
			add(ls)
		}
	}
	var out []string
	for l := range set {
		if _, ok := data.LanguagesLogProbabilities[l]; ok {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func (g *gen) header(b *bytes.Buffer, what string) {
	commit := data.LinguistCommit
	release := linguistReleases[commit]
	ling := "commit " + commit
	if release != "" {
		ling = release + ", commit " + commit
	}
	fmt.Fprintf(b, "// Code generated by internal/langdetect/gen from %s %s; DO NOT EDIT.\n", EnryModule, g.src.Version)
	fmt.Fprintf(b, "//\n// %s\n//\n", what)
	fmt.Fprintf(b, "// Source data: go-enry %s (Apache-2.0), whose data package is extracted\n", g.src.Version)
	fmt.Fprintf(b, "// from GitHub linguist %s, MIT-licensed.\n", ling)
	fmt.Fprintf(b, "// Regenerate with `go generate ./internal/langdetect/`.\n\npackage langdetect\n\n")
}

func (g *gen) langList(ls []string) string {
	var parts []string
	for _, l := range ls {
		parts = append(parts, strconv.Itoa(g.index[l]))
	}
	return "[]lang{" + strings.Join(parts, ", ") + "}"
}

func (g *gen) renderTables() ([]byte, error) {
	var b bytes.Buffer
	g.header(&b, "Linguist's language tables, content heuristics and path rules, read by\n// strategies.go, heuristics.go and pathrules.go. Plain literals: nothing\n// here runs at package initialisation.")

	fmt.Fprintf(&b, "// linguistCommit is the linguist commit the data was extracted from.\nconst linguistCommit = %q\n\n", data.LinguistCommit)
	fmt.Fprintf(&b, "// enryVersion is the go-enry release the data was read from.\nconst enryVersion = %q\n\n", g.src.Version)

	// Languages.
	b.WriteString("// languageNames holds every language name linguist knows, sorted; a lang\n// is an index into it.\nvar languageNames = [...]string{\n")
	for i, l := range g.names {
		fmt.Fprintf(&b, "%q, // %d\n", l, i)
	}
	b.WriteString("}\n\n")
	b.WriteString("// languageTypes is each language's linguist type, by lang.\nvar languageTypes = [len(languageNames)]langType{\n")
	for i, l := range g.names {
		t, ok := data.LanguagesType[l]
		if !ok {
			t = int(data.TypeUnknown)
		}
		fmt.Fprintf(&b, "%s, // %d %s\n", typeConst(t), i, l)
	}
	b.WriteString("}\n\n")
	b.WriteString("// Languages the hand-written strategies name.\nconst (\n")
	for _, c := range []struct{ ident, name string }{
		{"langXML", "XML"}, {"langRoff", "Roff"}, {"langRoffManpage", "Roff Manpage"},
	} {
		i, ok := g.index[c.name]
		if !ok {
			return nil, fmt.Errorf("language %q missing from go-enry data", c.name)
		}
		fmt.Fprintf(&b, "%s lang = %d\n", c.ident, i)
	}
	b.WriteString(")\n\n")

	// Name tables.
	for _, t := range []struct {
		ident, doc string
		m          map[string][]string
	}{
		{"byExtensionTable", "byExtensionTable maps a lower-case extension (with its dot, possibly several\n// dots deep) to its candidate languages, sorted by extension.", data.LanguagesByExtension},
		{"byFilenameTable", "byFilenameTable maps an exact file name to its candidate languages, sorted by\n// name.", data.LanguagesByFilename},
		{"byInterpreterTable", "byInterpreterTable maps a shebang interpreter to its candidate languages,\n// sorted by interpreter.", data.LanguagesByInterpreter},
	} {
		fmt.Fprintf(&b, "// %s\nvar %s = [...]candidates{\n", t.doc, t.ident)
		for _, k := range sortedKeys(t.m) {
			fmt.Fprintf(&b, "{%q, %s}, // %s\n", k, g.langList(t.m[k]), strings.Join(t.m[k], ", "))
		}
		b.WriteString("}\n\n")
	}
	b.WriteString("// aliases maps a lower-case alias key (spaces as underscores) to its\n// language, sorted by key; modelines name languages this way.\nvar aliases = [...]alias{\n")
	for _, k := range sortedKeys(data.LanguageByAliasMap) {
		fmt.Fprintf(&b, "{%q, %d},\n", k, g.index[data.LanguageByAliasMap[k]])
	}
	b.WriteString("}\n\n")

	// Heuristics.
	b.WriteString("// heuristics holds linguist's content heuristics per lower-case\n// extension, sorted by extension; the first rule that matches names the\n// languages.\nvar heuristics = [...]heuristic{\n")
	for _, h := range g.heuristics {
		fmt.Fprintf(&b, "{%q, []hrule{\n", h.ext)
		for _, r := range h.rules {
			fmt.Fprintf(&b, "{%s, matcher%s}, // %s\n", g.langList(r.langs), g.renderMatcher(r.m), strings.Join(r.langs, ", "))
		}
		b.WriteString("}},\n")
	}
	b.WriteString("}\n\n")
	b.WriteString("// patterns are the heuristics' regular expressions, compiled on first use\n// (see heuristics.go).\nvar patterns = [...]string{\n")
	for i, p := range g.patterns {
		fmt.Fprintf(&b, "%s, // %d\n", goString(p), i)
	}
	b.WriteString("}\n\n")

	// Path rules.
	for _, t := range []struct {
		ident, doc string
		res        []*regexp.Regexp
	}{
		{"vendorRules", "vendorRules are linguist's vendored-code path rules.", data.VendorMatchers},
		{"documentationRules", "documentationRules are linguist's documentation path rules.", data.DocumentationMatchers},
	} {
		fmt.Fprintf(&b, "// %s\nvar %s = [...]pathRule{\n", t.doc, t.ident)
		for _, re := range t.res {
			if re == nil {
				// go-enry leaves nil where RE2 cannot compile a rule and
				// skips it; so does langdetect.
				continue
			}
			r, err := analyse("regexp", re.String())
			if err != nil {
				return nil, err
			}
			b.WriteString(r + "\n")
		}
		b.WriteString("}\n\n")
	}
	b.WriteString("// generatedNameRules are linguist's generated-code rules on the path alone\n// (lock files, designer files, Pods/ …), from go-enry's data/generated.go.\nvar generatedNameRules = [...]pathRule{\n")
	for _, nr := range g.nameRules {
		r, err := analyse(nr.kind, nr.pattern)
		if err != nil {
			return nil, err
		}
		b.WriteString(r + "\n")
	}
	b.WriteString("}\n\n")
	b.WriteString("// generatedExtensions are extensions that always mean generated code.\nvar generatedExtensions = [...]string{\n")
	for _, e := range sortedKeys(data.GeneratedCodeExtensions) {
		fmt.Fprintf(&b, "%q,\n", e)
	}
	b.WriteString("}\n")

	return format.Source(b.Bytes())
}

func (g *gen) renderMatcher(m matcher) string {
	switch m.op {
	case "re":
		return fmt.Sprintf("{op: opRegexp, re: %d}", m.re)
	case "unsupported":
		return "{op: opUnsupported}"
	case "always":
		return "{op: opAlways}"
	}
	var subs []string
	for _, s := range m.subs {
		subs = append(subs, g.renderMatcher(s))
	}
	op := map[string]string{"or": "opOr", "and": "opAnd", "not": "opNot"}[m.op]
	return fmt.Sprintf("{op: %s, subs: []matcher{%s}}", op, strings.Join(subs, ", "))
}

func typeConst(t int) string {
	switch data.Type(t) {
	case data.TypeData:
		return "typeData"
	case data.TypeProgramming:
		return "typeProgramming"
	case data.TypeMarkup:
		return "typeMarkup"
	case data.TypeProse:
		return "typeProse"
	}
	return "typeUnknown"
}

// goString quotes s as a raw string literal where it can (regexps read
// better without doubled backslashes), else as an interpreted one.
func goString(s string) string {
	if !strings.Contains(s, "`") && utf8.ValidString(s) && !strings.ContainsAny(s, "\r\x00") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// analyse renders one path rule with the two facts that make the census's
// path rules cheap, computed here once instead of at every run: whether
// every match ends in "/" (a directory rule, settled when the directory is
// walked) and a literal prefilter (lower-case strings at least one of which
// every match contains; nil when none can be derived).
func analyse(kind, pattern string) (string, error) {
	var dirOnly bool
	var lits []string
	switch kind {
	case "regexp":
		tree, err := syntax.Parse(pattern, syntax.Perl)
		if err != nil {
			return "", fmt.Errorf("path rule %q: %v", pattern, err)
		}
		tree = tree.Simplify()
		dirOnly = endsWithSlash(tree)
		lits = requiredLiterals(tree)
		for _, l := range lits {
			if len(l) < minLiteral {
				lits = nil
				break
			}
		}
	case "contains":
		// Any path containing pattern has a directory prefix ending in the
		// pattern's final "/", which the walk checks first.
		dirOnly = strings.HasSuffix(pattern, "/")
		lits = []string{strings.ToLower(pattern)}
	case "suffix":
		dirOnly = strings.HasSuffix(pattern, "/")
		lits = []string{strings.ToLower(pattern)}
	}
	if kind != "regexp" && !isASCII(pattern) {
		lits = nil
	}
	litStr := "nil"
	if lits != nil {
		var q []string
		for _, l := range lits {
			q = append(q, strconv.Quote(l))
		}
		litStr = "[]string{" + strings.Join(q, ", ") + "}"
	}
	k := map[string]string{"regexp": "ruleRegexp", "contains": "ruleContains", "suffix": "ruleSuffix"}[kind]
	return fmt.Sprintf("{%s, %s, %v, %s},", k, goString(pattern), dirOnly, litStr), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// minLiteral is the shortest literal worth a prefilter; a one-byte literal
// such as "/" or "." would let nearly every path through.
const minLiteral = 2

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
// used as prefilters (langdetect skips the prefilter for non-ASCII paths).
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

// renderClassifier writes the naive Bayes classifier's data for the
// languages it can be asked about. Each language's token log-probabilities
// are one string, parsed on first use: a line per distinct value, "value
// TAB token TAB token …" (tokens never hold whitespace; checked here).
func (g *gen) renderClassifier() ([]byte, error) {
	var b bytes.Buffer
	g.header(&b, "Token frequencies of linguist's samples for the naive Bayes classifier\n// (classifier.go), only for languages it can be asked to rank. Each string\n// is parsed when the classifier first needs that language.")
	fmt.Fprintf(&b, "// tokensTotal is the number of tokens in all of linguist's samples.\nconst tokensTotal = %s\n\n", strconv.FormatFloat(data.TokensTotal, 'g', -1, 64))
	b.WriteString("// classifierData holds, by lang, each classifiable language's prior\n// log-probability and token table; sorted by lang.\nvar classifierData = [...]classEntry{\n")
	for _, l := range g.classified {
		byValue := map[float64][]string{}
		for tok, v := range data.TokensLogProbabilities[l] {
			if strings.ContainsAny(tok, " \t\n\r\v\f") || tok == "" {
				return nil, fmt.Errorf("%s: token %q holds whitespace", l, tok)
			}
			byValue[v] = append(byValue[v], tok)
		}
		values := make([]float64, 0, len(byValue))
		for v := range byValue {
			values = append(values, v)
		}
		slices.Sort(values)
		slices.Reverse(values)
		var s strings.Builder
		for _, v := range values {
			toks := byValue[v]
			sort.Strings(toks)
			s.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			for _, t := range toks {
				s.WriteByte('\t')
				s.WriteString(t)
			}
			s.WriteByte('\n')
		}
		fmt.Fprintf(&b, "{%d, %s, %s}, // %s\n", g.index[l],
			strconv.FormatFloat(data.LanguagesLogProbabilities[l], 'g', -1, 64), strconv.Quote(s.String()), l)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
