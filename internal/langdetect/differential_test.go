package langdetect

import (
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp/syntax"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-enry/go-enry/v2"
	"github.com/go-enry/go-enry/v2/data"
)

// sample is one file of a corpus: its slash path and first bytes.
type sample struct {
	rel  string
	head []byte
}

// minAgreement is the share of files that must get the same answer from
// Detect and from go-enry, among the files either names with one of
// codegraph's ids.
const minAgreement = 0.99

// TestDifferential runs Detect and the go-enry decision (enryDetect) over
// the repository, Go's source tree and generated samples for every name,
// interpreter and heuristic linguist knows. Every disagreement is logged.
func TestDifferential(t *testing.T) {
	corpora := []struct {
		name      string
		files     func(testing.TB) []sample
		synthetic bool // thinned under the race detector (walks are thinned as read)
	}{
		{"repository", repoCorpus, false},
		{"goroot", gorootCorpus, false},
		{"names", nameCorpus, true},
		{"heuristics", heuristicCorpus, true},
		{"classifier", classifierCorpus, true},
		{"shebangs-modelines", scriptCorpus, true},
		{"generated", generatedCorpus, false},
	}
	for _, c := range corpora {
		t.Run(c.name, func(t *testing.T) {
			files := c.files(t)
			if len(files) == 0 {
				t.Fatal("empty corpus")
			}
			var r tally
			for i, f := range files {
				if raceEnabled && c.synthetic && i%raceSample != 0 {
					continue
				}
				r.add(t, f)
			}
			t.Logf("%s: %d files; %d/%d agree on files with a codegraph id (%.4f); %d/%d agree overall "+
				"(%d of them go-enry classifier ties); language alone: %d/%d agree",
				c.name, r.all, r.agree, r.inScope, r.share(), r.allAgree, r.all, r.ties, r.langAgree, r.all)
			if r.share() < minAgreement {
				t.Errorf("agreement %.4f below %.2f", r.share(), minAgreement)
			}
		})
	}
}

// tally counts one corpus's agreement.
type tally struct {
	all, allAgree, inScope, agree, ties, langAgree int
}

func (r *tally) share() float64 {
	if r.inScope == 0 {
		return 1
	}
	return float64(r.agree) / float64(r.inScope)
}

// add compares Detect with enryDetect on one file, and the language alone
// (Guess.Decide with go-enry's GetLanguage, whatever the path rules say).
func (r *tally) add(t *testing.T, f sample) {
	got, gotOK := Detect(f.rel, f.head)
	want, wantOK := enryDetect(f.rel, f.head)
	same := got == want && gotOK == wantOK
	if !same && enryAlternative(f, got, gotOK) {
		// go-enry ranks classifier ties in map order, so its answer varies
		// between runs; langdetect's is one of its answers.
		same = true
		r.ties++
	}
	r.all++
	if same {
		r.allAgree++
	} else {
		t.Logf("disagree %s: langdetect %q/%s counted=%v, go-enry %q/%s counted=%v",
			f.rel, got.Name, got.ID, gotOK, want.Name, want.ID, wantOK)
	}
	if (gotOK && got.ID != Other) || (wantOK && want.ID != Other) {
		r.inScope++
		if same {
			r.agree++
		}
	}

	name := path.Base(f.rel)
	g := ByName(name)
	gl, _ := g.Decide(f.head)
	var el string
	if cands, unknown := enryGuess(name); !unknown {
		if len(cands) == 1 {
			el = cands[0]
		} else {
			el = enry.GetLanguage(name, f.head)
		}
	}
	if gl.Name == el || enryAlternativeLanguage(name, f.head, gl.Name) {
		r.langAgree++
	} else {
		t.Logf("disagree on language alone %s: langdetect %q, go-enry %q", f.rel, gl.Name, el)
	}
}

// enryRetries is how often a disagreement is asked of go-enry again. Go's
// map order is random but far from uniform for small maps, so a tie can
// take many runs to show its other side.
const enryRetries = 500

// enryAlternative reports whether go-enry, asked again, ever answers like
// langdetect did: it does when its classifier meets a tie.
func enryAlternative(f sample, got Language, gotOK bool) bool {
	for range enryRetries {
		if l, ok := enryDetect(f.rel, f.head); l == got && ok == gotOK {
			return true
		}
	}
	return false
}

func enryAlternativeLanguage(name string, head []byte, got string) bool {
	if cands, _ := enryGuess(name); len(cands) == 1 {
		return false
	}
	for range enryRetries {
		if enry.GetLanguage(name, head) == got {
			return true
		}
	}
	return false
}

// maxTreeFiles and treeBudget bound a walked corpus; under the race
// detector only every raceSample-th file is kept.
const (
	maxTreeFiles = 30_000
	treeBudget   = 8 * time.Second
	raceSample   = 10
)

func repoCorpus(tb testing.TB) []sample {
	files, err := treeCorpus(filepath.Join("..", ".."))
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// goroot caches Go's source tree: several tests and benchmarks read it.
var goroot struct {
	once  sync.Once
	files []sample
	err   error
}

func gorootCorpus(tb testing.TB) []sample {
	root := filepath.Join(runtime.GOROOT(), "src")
	if _, err := os.Stat(root); err != nil {
		tb.Skipf("no Go source tree: %v", err)
	}
	goroot.once.Do(func() { goroot.files, goroot.err = treeCorpus(root) })
	if goroot.err != nil {
		tb.Fatal(goroot.err)
	}
	if min := 1000; raceEnabled && len(goroot.files) < min/raceSample || !raceEnabled && len(goroot.files) < min {
		tb.Fatalf("only %d files read from %s", len(goroot.files), root)
	}
	return goroot.files
}

// treeCorpus reads every regular file below root (but .git), up to
// maxTreeFiles and treeBudget, with paths relative to root.
func treeCorpus(root string) ([]sample, error) {
	var files []sample
	deadline := time.Now().Add(treeBudget)
	buf := make([]byte, HeadSize)
	stop := fmt.Errorf("stop")
	seen := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable: not the test's concern
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if len(files) >= maxTreeFiles || time.Now().After(deadline) {
			return stop
		}
		seen++
		if raceEnabled && seen%raceSample != 0 {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		n, _ := io.ReadFull(f, buf)
		f.Close()
		files = append(files, sample{rel: filepath.ToSlash(rel), head: slices.Clone(buf[:n])})
		return nil
	})
	if err != nil && err != stop {
		return nil, err
	}
	return files, nil
}

// nameCorpus has a file for every extension and file name linguist knows,
// with plain content, in a few directories.
func nameCorpus(testing.TB) []sample {
	var files []sample
	content := []byte("hello\nworld\n")
	for _, dir := range []string{"", "src/", "lib/app/"} {
		for _, ext := range sortedKeys(data.LanguagesByExtension) {
			files = append(files, sample{dir + "file" + ext, content})
			files = append(files, sample{dir + "File" + strings.ToUpper(ext), content})
		}
		for _, name := range sortedKeys(data.LanguagesByFilename) {
			files = append(files, sample{dir + name, content})
		}
	}
	for _, n := range []string{"x.ets", "View.jsx", "App.JSX", "noext", "logo.png", "archive.tar.gz", "x.unknownext"} {
		files = append(files, sample{n, content})
	}
	return files
}

// heuristicCorpus has, for every extension with content heuristics, a file
// built to satisfy each rule in turn (text generated from the rule's
// regexps), plus a binary one and an empty one.
func heuristicCorpus(testing.TB) []sample {
	var files []sample
	rng := rand.New(rand.NewPCG(1, 2))
	for _, h := range heuristics {
		for i, r := range h.rules {
			for variant := range 3 {
				text := ruleSample(&r.m, rng, variant)
				files = append(files, sample{fmt.Sprintf("src/rule%d_%d%s", i, variant, h.ext), []byte(text)})
			}
		}
		files = append(files,
			sample{"src/empty" + h.ext, nil},
			sample{"src/binary" + h.ext, []byte("ab\x00cd")})
	}
	return files
}

// ruleSample writes text meant to satisfy m: each regexp it needs on a line
// of its own.
func ruleSample(m *matcher, rng *rand.Rand, variant int) string {
	switch m.op {
	case opRegexp:
		re, err := syntax.Parse(patterns[m.re], syntax.Perl)
		if err != nil {
			return ""
		}
		var b strings.Builder
		writeMatch(&b, re.Simplify(), rng, variant)
		return b.String() + "\n"
	case opOr, opAnd:
		var s string
		for i := range m.subs {
			s += ruleSample(&m.subs[i], rng, variant)
		}
		return s
	}
	return "" // not, always, unsupported: nothing to satisfy
}

// writeMatch writes a string re likely matches: variant picks among
// alternatives, repetitions repeat their minimum (or once).
func writeMatch(b *strings.Builder, re *syntax.Regexp, rng *rand.Rand, variant int) {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		if len(re.Rune) >= 2 {
			lo, hi := re.Rune[0], re.Rune[1]
			// Prefer a printable letter when the first range allows one.
			r := lo
			if lo <= 'a' && 'a' <= hi {
				r = 'a'
			} else if r < ' ' && hi >= ' ' {
				r = ' '
			}
			b.WriteRune(r)
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('x')
	case syntax.OpCapture:
		writeMatch(b, re.Sub[0], rng, variant)
	case syntax.OpPlus:
		writeMatch(b, re.Sub[0], rng, variant)
	case syntax.OpStar, syntax.OpQuest:
		if variant == 2 {
			writeMatch(b, re.Sub[0], rng, variant)
		}
	case syntax.OpRepeat:
		for range max(re.Min, 1) {
			writeMatch(b, re.Sub[0], rng, variant)
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			writeMatch(b, s, rng, variant)
		}
	case syntax.OpAlternate:
		i := 0
		if variant > 0 {
			i = rng.IntN(len(re.Sub))
		}
		writeMatch(b, re.Sub[i], rng, variant)
	}
}

// classifierCorpus has, for every ambiguous extension, a file made of each
// candidate's most frequent tokens in linguist's samples, so that the
// classifier, not the heuristics, decides.
func classifierCorpus(testing.TB) []sample {
	var files []sample
	for _, ext := range sortedKeys(data.LanguagesByExtension) {
		cands := data.LanguagesByExtension[ext]
		if len(cands) < 2 {
			continue
		}
		for _, l := range cands {
			toks := topTokens(l, 40)
			if len(toks) == 0 {
				continue
			}
			files = append(files, sample{"src/" + strings.ReplaceAll(l, " ", "_") + ext, []byte(strings.Join(toks, " ") + "\n")})
		}
	}
	return files
}

func topTokens(l string, n int) []string {
	type tp struct {
		tok string
		p   float64
	}
	var all []tp
	for tok, p := range data.TokensLogProbabilities[l] {
		all = append(all, tp{tok, p})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].p != all[j].p {
			return all[i].p > all[j].p
		}
		return all[i].tok < all[j].tok
	})
	var out []string
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].tok)
	}
	return out
}

// scriptCorpus has extension-less scripts for every interpreter linguist
// knows, env and exec variants, XML without an extension, and modelines in
// files whose extension is ambiguous.
func scriptCorpus(testing.TB) []sample {
	var files []sample
	for i, interp := range sortedKeys(data.LanguagesByInterpreter) {
		files = append(files,
			sample{fmt.Sprintf("bin/a%d", i), []byte("#!/usr/bin/" + interp + "\nx\n")},
			sample{fmt.Sprintf("bin/b%d", i), []byte("#!/usr/bin/env " + interp + "\nx\n")},
			sample{fmt.Sprintf("bin/c%d", i), []byte("#!/usr/bin/env -S A=1 " + interp + " -x\nx\n")},
			sample{fmt.Sprintf("bin/d%d", i), []byte("#!/bin/sh\n# comment\nexec " + interp + " -x \"$0\" \"$@\"\n")})
	}
	files = append(files,
		sample{"bin/py", []byte("#!/usr/bin/python3.11\nprint(1)\n")},
		sample{"bin/osa", []byte("#!/usr/bin/osascript -l JavaScript\n")},
		sample{"bin/env", []byte("#!/usr/bin/env\n")},
		sample{"bin/empty", nil},
		sample{"conf/Settings", []byte("<?xml version=\"1.0\"?>\n<a/>\n")},
		sample{"conf/Other", []byte("first\n<?xml version=\"1.0\"?>\n")},
		sample{"man/tool.1", []byte(".TH TOOL 1\n.SH NAME\n")},
	)
	var aliasKeys []string
	for k := range data.LanguageByAliasMap {
		aliasKeys = append(aliasKeys, k)
	}
	sort.Strings(aliasKeys)
	long := strings.Repeat("int x;\n", 20)
	for i, a := range aliasKeys {
		ext := []string{".h", ".m", ".pl", ".ts", ".inc", ".cs", ".r"}[i%7]
		files = append(files,
			sample{fmt.Sprintf("src/emacs%d%s", i, ext), []byte("/* -*- mode: " + a + "; -*- */\nint x;\n")},
			sample{fmt.Sprintf("src/vim%d%s", i, ext), []byte(long + "// vim: set ft=" + a + ":\n")},
			sample{fmt.Sprintf("src/emacsplain%d%s", i, ext), []byte("-*- " + a + " -*-\n")})
	}
	files = append(files,
		sample{"src/vimconflict.h", []byte("// vim: syntax=cpp ft=c:\n")},
		sample{"src/vimagree.h", []byte("// vim: syntax=cpp ft=cpp:\n")},
	)
	return files
}

// generatedCorpus exercises the generated-code rules: names, and content
// checks on files whose name needs the content.
func generatedCorpus(testing.TB) []sample {
	var files []sample
	for _, n := range []string{"Form.designer.cs", "Form.Designer.VB", "Login.feature.cs", "Gopkg.lock", "poetry.lock",
		"x.esy.lock", "package-lock.json", "pnpm-lock.yaml", "x.zep.c", "x.zep.php", "Cargo.lock", "Cargo.toml.orig",
		"flake.lock", "MODULE.bazel.lock", "Pipfile.lock", ".terraform.lock.hcl", "Lib_TLB.pas", "app.min.js",
		"app.js.map", "x.nib", "vendor/github.com/x/y.go", "a/.sqlx/query-abc.json", "Pods/x.m", "a/__generated__/x.ts",
		"node_modules/x/y.js", "a/Carthage/Build/x.swift", "htmlcov/x.html", "Godeps/x.go", ".idea/x.xml", "src/.pnp.cjs"} {
		files = append(files, sample{n, []byte("x\n")})
	}
	heads := map[string]string{
		"gen.h":      "// Generated by the gRPC C++ plugin.\n",
		"jni.h":      "/* DO NOT EDIT THIS FILE - it is machine generated */\n#include <jni.h>\n",
		"pb.h":       "// Generated by the protocol buffer compiler.  DO NOT EDIT!\n// source: x.proto\n\n",
		"thrift.h":   "/**\n * Autogenerated by Thrift Compiler (0.9)\n */\n",
		"haxe.h":     "// Generated by Haxe 4\n",
		"gimp.h":     "/*  GIMP header image file format (RGB): x.h  */\n",
		"ppport.h":   strings.Repeat("x\n", 8) + "Automatically created by Devel::PPPort\n" + "x\n",
		"pb.m":       "// Generated by the protocol buffer compiler.  DO NOT EDIT!\n// source: x.proto\n\n",
		"minified.m": strings.Repeat("x", 200) + "\n",
		"plain.h":    "int f(void);\n",
	}
	for n, h := range heads {
		files = append(files, sample{"src/" + n, []byte(h)})
	}
	return files
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestHeuristicSamplesSatisfyRules checks that the heuristic corpus means
// something: nearly every rule (but the fallbacks) is satisfied by text
// synthesised for it, so the differential test reaches each rule's regexps.
func TestHeuristicSamplesSatisfyRules(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	total, satisfied := 0, 0
	for _, h := range heuristics {
		for i := range h.rules {
			m := &h.rules[i].m
			if m.op == opAlways {
				continue
			}
			total++
			ok := false
			for variant := range 3 {
				ok = ok || m.match([]byte(ruleSample(m, rng, variant)))
			}
			if ok {
				satisfied++
			} else {
				t.Logf("no sample satisfies rule %d of %s", i, h.ext)
			}
		}
	}
	t.Logf("%d of %d rules satisfied by their samples", satisfied, total)
	if satisfied < total*9/10 {
		t.Errorf("only %d of %d rules satisfied by their samples", satisfied, total)
	}
}
