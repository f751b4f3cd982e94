// Package census takes the language census behind `codegraph init [DIR]`:
// it walks a project the way git and GitHub linguist see it (honouring
// .gitignore files, leaving out vendored, generated, documentation and hidden
// trees), names each file's language as linguist does (package langdetect,
// generated tables: nothing is built at start-up), and counts files per
// linguist language and per codegraph schema language id.
//
// The package owns the walk, the detection policy (which files count) and
// the local census file DIR/.codegraph/census.json (Write, Read, Remove);
// langdetect owns the tables and the mapping to schema ids.
//
// It never reports a path, file name or file content: a Result holds only
// language names and counts, so it can feed telemetry and the local status
// tool alike. It never follows symbolic links, never writes to stdout or
// stderr (progress goes to a caller's callback) and never fails a whole
// census because one file or subdirectory cannot be read.
package census

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNotDirectory is wrapped by Take when DIR exists but is not a directory.
var ErrNotDirectory = errors.New("not a directory")

// progressInterval is how often Options.Progress is called at most: often
// enough for a live counter, rare enough to cost nothing.
const progressInterval = 100 * time.Millisecond

// Options tunes Take. The zero value is ready to use.
type Options struct {
	// Now is the clock behind Result.TakenAt and Result.Duration; nil means
	// time.Now. Tests inject a fixed or stepping clock. (Progress pacing uses
	// real time: it is about a human watching, not about the result.)
	Now func() time.Time

	// Progress, when set, is called with the number of files seen so far at
	// most about every 100 ms while the walk runs, and once more with the
	// final count before Take returns. It is called from one goroutine at a
	// time and never after Take has returned.
	Progress func(filesSeen int)

	// Workers is the number of goroutines that read directories and classify
	// files; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// Result is one census. It holds language names and counts only, never a
// path.
type Result struct {
	// Languages counts files per language as GitHub linguist
	// names it, e.g. "TypeScript", "C++", "HTML".
	Languages map[string]int
	// SchemaLanguages counts the same files per codegraph schema language id
	// (see SchemaLanguage); languages codegraph has no id for count as "other".
	SchemaLanguages map[string]int
	// Total is the number of files counted, the sum of either map.
	Total int
	// Skipped counts entries that should have been looked at but could not
	// be: symbolic links (never followed), special files (devices, sockets,
	// pipes), files whose content was needed but was binary or unreadable, and
	// subdirectories or .gitignore files that could not be read.
	Skipped int
	// Duration is how long the census took by Options.Now.
	Duration time.Duration
	// TakenAt is when the census started by Options.Now.
	TakenAt time.Time
}

// Take walks dir and returns its language census.
//
// Which files count: a file counts when linguist names its language and that
// language is either a programming or markup language in linguist's sense (the
// rule behind GitHub's language bar) or maps to a codegraph schema id (so YAML,
// XML and Java properties count although linguist calls them data). Prose
// (Markdown, plain text) and other data formats (JSON, TOML, CSV, lock files)
// never count: they are not what codegraph extracts, and as "other" they would
// drown the signal the census exists for.
//
// Which files are never looked at: anything a .gitignore in dir or below it
// (or dir/.git/info/exclude) ignores, the .git, node_modules and .codegraph
// directories, hidden files and directories, and what linguist treats as
// vendored, documentation or generated.
//
// Take fails only when dir itself cannot be used (it does not exist, is not a
// directory or cannot be read) or ctx is done; the error names dir.
func Take(ctx context.Context, dir string, opts Options) (Result, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()

	info, err := os.Stat(dir)
	if err != nil {
		// The *PathError already names dir.
		return Result{}, fmt.Errorf("census: %w", err)
	}
	if !info.IsDir() {
		return Result{}, fmt.Errorf("census: %s: %w", dir, ErrNotDirectory)
	}

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}

	w := newWalker(ctx, dir)
	stopProgress := startProgress(opts.Progress, &w.seen)
	tallies := w.run(workers)
	stopProgress()

	if w.rootErr != nil {
		return Result{}, fmt.Errorf("census: %w", w.rootErr)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("census: %s: %w", dir, err)
	}

	r := Result{
		Languages:       map[string]int{},
		SchemaLanguages: map[string]int{},
		TakenAt:         start,
	}
	for _, t := range tallies {
		for lang, n := range t.langs {
			r.Languages[lang] += n
		}
		for id, n := range t.schema {
			r.SchemaLanguages[id] += n
		}
		r.Total += t.total
		r.Skipped += t.skipped
	}
	r.Duration = now().Sub(start)
	return r, nil
}

// startProgress reports seen on a ticker until the returned stop function is
// called; stop waits for the reporter to finish and then reports the final
// count, so the callback never runs concurrently with itself or after Take.
func startProgress(progress func(int), seen *atomic.Int64) (stop func()) {
	if progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(progressInterval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				progress(int(seen.Load()))
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		progress(int(seen.Load()))
	}
}

// RankedSchemaLanguages returns the schema language ids of the census in
// Ranked order: the order in which they are shown and in which the index
// event keeps them when it has to cap the list.
func (r Result) RankedSchemaLanguages() []string { return Ranked(r.SchemaLanguages) }

// Ranked returns the names of counts, most files first and ties by name,
// so every listing of a census is in the same, deterministic order.
func Ranked(counts map[string]int) []string {
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		if ci, cj := counts[names[i]], counts[names[j]]; ci != cj {
			return ci > cj
		}
		return names[i] < names[j]
	})
	return names
}
