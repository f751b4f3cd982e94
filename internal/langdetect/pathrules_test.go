package langdetect

import (
	"math/rand/v2"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/go-enry/go-enry/v2"
)

// TestPathRulesDifferential compares ExcludedDir, ExcludedFile and
// IsGenerated with go-enry's IsVendor, IsDocumentation and IsGenerated on
// the repository's and Go's paths and on paths built from every rule.
func TestPathRulesDifferential(t *testing.T) {
	files := append(repoCorpus(t), gorootCorpus(t)...)
	for i, f := range rulePaths() {
		if !raceEnabled || i%raceSample == 0 {
			files = append(files, f)
		}
	}
	dirs := map[string]bool{}
	for _, f := range files {
		for i := 0; i < len(f.rel); i++ {
			if f.rel[i] == '/' {
				dirs[f.rel[:i+1]] = true
			}
		}
	}
	bad := 0
	for d := range dirs {
		if got, want := ExcludedDir(d), enryDirExcluded(d); got != want {
			bad++
			t.Errorf("ExcludedDir(%q) = %v, go-enry %v", d, got, want)
		}
	}
	checkedFiles := 0
	for _, f := range files {
		if got, want := IsGenerated(f.rel, f.head), enry.IsGenerated(f.rel, f.head); got != want {
			bad++
			t.Errorf("IsGenerated(%q) = %v, go-enry %v", f.rel, got, want)
		}
		if dirPruned(f.rel) {
			continue // ExcludedFile's precondition
		}
		checkedFiles++
		if got, want := ExcludedFile(f.rel), enry.IsVendor(f.rel) || enry.IsDocumentation(f.rel); got != want {
			bad++
			t.Errorf("ExcludedFile(%q) = %v, go-enry %v", f.rel, got, want)
		}
	}
	t.Logf("%d directories, %d files (%d below no excluded directory), %d disagreements", len(dirs), len(files), checkedFiles, bad)
	if checkedFiles < 1000 && !raceEnabled {
		t.Fatalf("only %d files checked", checkedFiles)
	}
}

func dirPruned(rel string) bool {
	for i := 0; i < len(rel); i++ {
		if rel[i] == '/' && enryDirExcluded(rel[:i+1]) {
			return true
		}
	}
	return false
}

// rulePaths builds paths around text each path rule should match: alone,
// below a directory, as a directory, with a suffix, in upper case.
func rulePaths() []sample {
	var out []sample
	rng := rand.New(rand.NewPCG(3, 4))
	add := func(m string) {
		m = strings.TrimPrefix(m, "/")
		for _, p := range []string{m, "a/" + m, "a/b/" + m + "/c.js", m + "x", "src/" + m + ".go", strings.ToUpper(m), "Ä/" + m} {
			out = append(out, sample{rel: p, head: []byte("x\n")})
		}
	}
	for _, rules := range [][]pathRule{vendorRules[:], documentationRules[:], generatedNameRules[:]} {
		for _, r := range rules {
			if r.kind != ruleRegexp {
				add(r.pattern)
				add("x" + r.pattern)
				continue
			}
			re, err := syntax.Parse(r.pattern, syntax.Perl)
			if err != nil {
				continue
			}
			re = re.Simplify()
			for variant := range 3 {
				var b strings.Builder
				writeMatch(&b, re, rng, variant)
				add(b.String())
			}
		}
	}
	return out
}
