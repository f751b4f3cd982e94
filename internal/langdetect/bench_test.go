package langdetect

import (
	"fmt"
	"path"
	"testing"

	"github.com/go-enry/go-enry/v2"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

func mixCorpus() []sample {
	var out []sample
	for i := range 1600 {
		f := testkit.RepositoryMix[i%len(testkit.RepositoryMix)]
		rel := fmt.Sprintf("pkg%03d/sub%02d/f%d_%s", i/50/20, i/50%20, i, f.Name)
		out = append(out, sample{rel, []byte(f.Content)})
	}
	return out
}

// benchGoroot is Go's source tree as a census meets it: files below a
// vendored, documentation or generated directory (testdata/ …) are left
// out, since the walk never reaches them.
func benchGoroot(b *testing.B) []sample {
	if raceEnabled {
		b.Skip("thinned under the race detector")
	}
	var files []sample
	for _, f := range gorootCorpus(b) {
		if !dirPruned(f.rel) {
			files = append(files, f)
		}
	}
	return files
}

// The census's per-file work with langdetect, as walk.go's classify will do
// it: the name first, path rules before any read, the content only when the
// name needs it, generated-code rules last. Directories are assumed pruned
// by ExcludedDir already, as the walk does.
func censusFile(f sample) bool {
	g := ByName(path.Base(f.rel))
	if g.Unknown() || ExcludedFile(f.rel) {
		return false
	}
	var head []byte
	if g.NeedsContent() {
		head = f.head
		if IsBinary(head) {
			return false
		}
	}
	if _, ok := g.Decide(head); !ok {
		return false
	}
	return !IsGenerated(f.rel, head)
}

// The same with go-enry, as walk.go's classify does it today (with go-enry's
// unfiltered IsVendor and IsDocumentation where the census prefilters them:
// BenchmarkEnryLanguage compares detection alone).
func enryCensusFile(f sample) bool {
	name := path.Base(f.rel)
	cands, unknown := enryGuess(name)
	if unknown || enry.IsVendor(f.rel) || enry.IsDocumentation(f.rel) {
		return false
	}
	var lang string
	var head []byte
	if len(cands) == 1 {
		lang = cands[0]
	} else {
		head = f.head
		if enry.IsBinary(head) {
			return false
		}
		lang = enry.GetLanguage(name, head)
	}
	if lang == "" {
		return false
	}
	if enrySchemaID(lang, name) == Other {
		if typ := enry.GetLanguageType(lang); typ != enry.Programming && typ != enry.Markup {
			return false
		}
	}
	return !enry.IsGenerated(f.rel, head)
}

// language is detection alone: the name, then the content when needed.
func language(f sample) string {
	name := path.Base(f.rel)
	g := ByName(name)
	l, _ := g.Decide(f.head)
	return l.Name
}

func enryLanguage(f sample) string {
	name := path.Base(f.rel)
	cands, unknown := enryGuess(name)
	switch {
	case unknown:
		return ""
	case len(cands) == 1:
		return cands[0]
	}
	return enry.GetLanguage(name, f.head)
}

func benchFiles[T any](b *testing.B, files []sample, fn func(sample) T) {
	b.ReportAllocs()
	// Warm up: compile what the corpus needs once, outside the timing, as
	// a census does in its first files.
	for _, f := range files {
		fn(f)
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		fn(files[i%len(files)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkDetect is the census's per-file decision with langdetect on the
// census benchmark's mix; ns/op is per file.
//
// Measured 2026-11-30 on the 2-vCPU CI-class VM while other builds ran
// (`go test -run '^$' -bench . -benchmem -cpu 1,2 -count 3
// ./internal/langdetect/`): BenchmarkDetect 2.2–2.4 µs/file, 100 B, 3 allocs
// (≈420k files/s on one goroutine) against BenchmarkEnryDetect 23–25 µs
// (go-enry's unfiltered path rules dominate); detection alone
// (BenchmarkLanguage) 1.05–1.16 µs against 1.60–1.72 µs. On Go's tree, where
// assembly files reach the classifier, both spend their time in the same
// regexps: 140–190 µs/file against 166–255 µs.
func BenchmarkDetect(b *testing.B) { benchFiles(b, mixCorpus(), censusFile) }

// BenchmarkEnryDetect is the same decision with go-enry, for comparison.
func BenchmarkEnryDetect(b *testing.B) { benchFiles(b, mixCorpus(), enryCensusFile) }

// BenchmarkDetectGoroot and BenchmarkEnryDetectGoroot run the same on Go's
// source tree (read once into memory).
func BenchmarkDetectGoroot(b *testing.B) { benchFiles(b, benchGoroot(b), censusFile) }

func BenchmarkEnryDetectGoroot(b *testing.B) { benchFiles(b, benchGoroot(b), enryCensusFile) }

// BenchmarkLanguage and BenchmarkEnryLanguage compare detection alone
// (names, strategies, heuristics, classifier), without path rules.
func BenchmarkLanguage(b *testing.B) { benchFiles(b, mixCorpus(), language) }

func BenchmarkEnryLanguage(b *testing.B) { benchFiles(b, mixCorpus(), enryLanguage) }
