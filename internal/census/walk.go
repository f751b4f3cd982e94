package census

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/getcodegraph/codegraph-install/internal/langdetect"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
)

// headSize is how much of a file is read when its name alone is ambiguous.
// It matches go-enry's binary sniffing window (8000 bytes) with room to
// spare; linguist's heuristics look at the start of a file, and reading less
// keeps the census fast on large files.
const headSize = langdetect.HeadSize

// skipDirs are never descended into whatever the ignore files say: git's own
// data, installed JavaScript packages (often not ignored in small projects)
// and codegraph's own per-project directory.
var skipDirs = map[string]bool{
	".git":         true,
	"node_modules": true,
	statedir.Name:  true,
}

// dirJob is one directory still to be read.
type dirJob struct {
	abs    string
	rel    string   // slash-separated path below the root, "" for the root
	parts  []string // rel split into names, as the gitignore matcher wants
	ignore []gitignore.Pattern
}

// walker reads directories in parallel. Directories, not files, are the unit
// of work: each worker reads one directory, classifies its files in place and
// queues its subdirectories, so there is no per-file hand-off between
// goroutines and no per-file lock.
type walker struct {
	ctx  context.Context
	root string

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []dirJob // LIFO: depth-first keeps the queue short
	pending int      // jobs queued or being processed

	seen    atomic.Int64 // files seen, for progress
	rootErr error        // set only while processing the root job
}

func newWalker(ctx context.Context, root string) *walker {
	w := &walker{ctx: ctx, root: root}
	w.cond = sync.NewCond(&w.mu)
	return w
}

// tally is one worker's private counts, merged after the walk.
type tally struct {
	langs   map[string]int
	schema  map[string]int
	total   int
	skipped int

	buf   []byte   // head of the file being classified
	parts []string // scratch path for gitignore matching
}

// run walks the whole tree with n workers and returns their tallies.
func (w *walker) run(n int) []*tally {
	// The root is read first and alone, so that an unreadable root is an
	// error rather than a skipped directory.
	root := &tally{langs: map[string]int{}, schema: map[string]int{}, buf: make([]byte, headSize)}
	subdirs := w.processDir(root, dirJob{abs: w.root}, true)
	if w.rootErr != nil {
		return nil
	}
	w.queue = subdirs
	w.pending = len(subdirs)

	tallies := make([]*tally, n)
	tallies[0] = root
	var wg sync.WaitGroup
	for i := range n {
		if tallies[i] == nil {
			tallies[i] = &tally{langs: map[string]int{}, schema: map[string]int{}, buf: make([]byte, headSize)}
		}
		wg.Add(1)
		go func(t *tally) {
			defer wg.Done()
			w.work(t)
		}(tallies[i])
	}
	wg.Wait()
	return tallies
}

func (w *walker) work(t *tally) {
	for {
		w.mu.Lock()
		for len(w.queue) == 0 && w.pending > 0 {
			w.cond.Wait()
		}
		if len(w.queue) == 0 {
			w.mu.Unlock()
			return
		}
		job := w.queue[len(w.queue)-1]
		w.queue = w.queue[:len(w.queue)-1]
		w.mu.Unlock()

		var subdirs []dirJob
		if w.ctx.Err() == nil {
			// Once ctx is done the remaining jobs are drained unread.
			subdirs = w.processDir(t, job, false)
		}

		w.mu.Lock()
		w.queue = append(w.queue, subdirs...)
		w.pending += len(subdirs) - 1
		if len(subdirs) > 0 || w.pending == 0 {
			w.cond.Broadcast()
		}
		w.mu.Unlock()
	}
}

// processDir classifies the files of one directory and returns the
// subdirectories still to walk.
func (w *walker) processDir(t *tally, job dirJob, isRoot bool) []dirJob {
	entries, err := readDir(job.abs)
	if err != nil {
		if isRoot {
			w.rootErr = err
			return nil
		}
		// An unreadable subdirectory costs its own files, not the census.
		t.skipped++
		if len(entries) == 0 {
			return nil
		}
	}

	ignore := job.ignore
	if isRoot {
		// Repository-local excludes apply like a root .gitignore with lower
		// priority. The user's global excludes file is deliberately not read:
		// the census describes the project, not one person's machine.
		// The file is optional (and .git may be a worktree's gitdir file), so
		// a failure to read it simply means no excludes.
		ignore, _ = readIgnoreFile(filepath.Join(job.abs, ".git", "info", "exclude"), nil)
	}
	for _, e := range entries {
		if e.Name() == ".gitignore" && e.Type().IsRegular() {
			ps, err := readIgnoreFile(filepath.Join(job.abs, ".gitignore"), job.parts)
			if err != nil {
				t.skipped++
			}
			// A fresh backing array: siblings share the parent's patterns.
			ignore = append(ignore[:len(ignore):len(ignore)], ps...)
			break
		}
	}
	matcher := gitignore.NewMatcher(ignore)

	var subdirs []dirJob
	seen := 0
	for _, e := range entries {
		name := e.Name()
		typ := e.Type()
		switch {
		case typ.IsDir():
			// Hidden directories (.github, .idea, .venv …) are tooling, not
			// the project's code; enry's CLI leaves them out the same way.
			if skipDirs[name] || name[0] == '.' {
				continue
			}
			parts := append(job.parts[:len(job.parts):len(job.parts)], name)
			if len(ignore) > 0 && matcher.Match(parts, true) {
				continue
			}
			rel := joinRel(job.rel, name)
			// The trailing slash lets linguist's directory rules match; a
			// pruned directory also settles those rules for every file in it
			// (see pathrules.go).
			if dirExcluded(rel + "/") {
				continue
			}
			subdirs = append(subdirs, dirJob{
				abs:    filepath.Join(job.abs, name),
				rel:    rel,
				parts:  parts,
				ignore: ignore,
			})
		case typ.IsRegular():
			seen++
			if name[0] == '.' {
				continue // dotfiles are configuration, as for enry's CLI
			}
			if len(ignore) > 0 {
				t.parts = append(append(t.parts[:0], job.parts...), name)
				if matcher.Match(t.parts, false) {
					continue
				}
			}
			t.classify(job.abs, job.rel, name)
		default:
			// Symbolic links are never followed (they may leave the tree or
			// loop); devices, sockets and pipes have no source to read.
			seen++
			t.skipped++
		}
	}
	w.seen.Add(int64(seen))
	return subdirs
}

// dirExcluded applies linguist's vendored, documentation and generated
// rules to a directory path ending in "/".
func dirExcluded(relSlash string) bool {
	return langdetect.ExcludedDir(relSlash)
}

// readDir lists a directory without sorting it (order does not matter to a
// count) and without a stat per entry: the entry types come from the
// directory read itself.
func readDir(dir string) ([]fs.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// classify detects one file's language and counts it if it qualifies.
func (t *tally) classify(dirAbs, dirRel, name string) {
	// Names first; only when they leave the language open is the file read.
	g := langdetect.ByName(name)
	if g.Unknown() {
		return // an extension no language claims: images, archives …
	}
	rel := joinRel(dirRel, name)
	// Path rules before any read, so vendored files are never opened.
	if langdetect.ExcludedFile(rel) {
		return
	}
	var head []byte
	if g.NeedsContent() {
		var err error
		head, err = readHead(filepath.Join(dirAbs, name), t.buf)
		if err != nil {
			t.skipped++ // unreadable: counted, never fatal
			return
		}
		if langdetect.IsBinary(head) {
			t.skipped++
			return
		}
	}
	l, counted := g.Decide(head)
	if !counted {
		return
	}
	// Last, as the costliest check, and only for files that would count.
	if langdetect.IsGenerated(rel, head) {
		return
	}
	t.langs[l.Name]++
	t.schema[l.ID]++
	t.total++
}

// readHead reads up to len(buf) bytes from the start of the file at path.
func readHead(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return buf[:n], nil
}
