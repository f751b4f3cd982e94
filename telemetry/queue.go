package telemetry

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/atomicfile"
	"github.com/getcodegraph/codegraph-install/internal/safefile"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
)

// Queue limits, as TELEMETRY.md states them.
const (
	QueueCap   = 256 << 10    // past it the oldest lines are dropped
	compactTo  = QueueCap / 2 // a full queue is rewritten once per 128 KiB of appends
	StaleClaim = time.Hour    // a claim of a sender that died is merged back after it
	// readWindow bounds every read: the cap and room for a claim's
	// markers. Of a larger file (a sparse 20 GiB one) only the end is read.
	readWindow = QueueCap + 8<<10
	lockWait   = time.Second // the lock is held for at most a millisecond or so
	maxClaims  = 32          // claim files one flush or read looks at
)

// queue is the file of buffered events of one state directory, and its
// claims (claim.go). Every change to either, but a sender's one-byte marks
// in its own claim, is made under the queue's lock (lock_unix.go,
// lock_windows.go). Appends are whole lines (O_APPEND); every rewrite is a
// new file renamed over the old (internal/atomicfile), so a kill at any
// instant leaves the old file or the new, and a full disk the old. Readers
// take no lock. Files are closed before a rename or removal, as Windows
// requires.
type queue struct {
	dir  statedir.Dir
	path string
	// crash, set by the crash tests only, is called between the steps of
	// every operation: their child process stops there and is killed.
	crash func(step string)
}

func newQueue(dir statedir.Dir) queue { return queue{dir: dir, path: dir.Queue()} }

func (q queue) hook(step string) {
	if q.crash != nil {
		q.crash(step)
	}
}

var (
	errBusy       = errors.New("is locked by another codegraph process")
	errHardLinked = errors.New("has other hard links, so it may be someone else's file as well")
)

// lock takes the queue's lock within lockWait (fs.ErrNotExist without a
// state directory); who cannot get it gives up silently.
func (q queue) lock() (unlock func(), err error) {
	q.hook("lock:opened")
	for deadline := time.Now().Add(lockWait); ; time.Sleep(time.Millisecond) {
		unlock, err := q.tryLock()
		if !errors.Is(err, errBusy) || time.Now().After(deadline) {
			return unlock, err
		}
	}
}

// openFile opens a queue or claim file without following a symlink or
// blocking on a FIFO (safefile), and refuses a file of more than one name:
// another may be outside the state directory.
func openFile(path string, flag int) (*os.File, fs.FileInfo, error) {
	f, err := safefile.Open(path, flag, 0o600)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && hardLinked(fi) {
		err = &fs.PathError{Op: "open", Path: path, Err: errHardLinked}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// readTail reads the newest whole lines of f (size bytes) within window
// bytes. A torn last line gets its newline, so that what the caller
// appends stays a line of its own.
func readTail(f *os.File, size int64, window int) ([]byte, error) {
	off := max(0, size-int64(window)-1) // one byte more: does the window start a line?
	buf := make([]byte, size-off)
	n, err := f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if buf = buf[:n]; off > 0 {
		// Up to the first newline is the end of a line begun before the
		// window, but for a whole line glued to it (see parseLines).
		first, _, _ := bytes.Cut(buf, []byte{'\n'})
		if i := bytes.LastIndex(first, []byte(lineStart)); i >= 0 {
			buf = buf[i:]
		} else {
			buf = buf[min(len(first)+1, len(buf)):]
		}
	}
	if len(buf) > 0 && buf[len(buf)-1] != '\n' {
		buf = append(buf, '\n')
	}
	return buf, nil
}

// readFile is readTail of the file at path.
func readFile(path string, window int) ([]byte, fs.FileInfo, error) {
	f, fi, err := openFile(path, os.O_RDONLY)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := readTail(f, fi.Size(), window)
	return data, fi, err
}

// keepNewest returns the newest whole lines of data within max bytes.
func keepNewest(data []byte, max int) []byte {
	if len(data) <= max {
		return data
	}
	if max <= 0 {
		return nil
	}
	if i := bytes.IndexByte(data[len(data)-max-1:], '\n'); i >= 0 {
		return data[len(data)-max+i:]
	}
	return nil
}

// appendEntries adds entries to the queue as whole lines, compacting it
// when they would take it past the cap, and returns how many are in it
// now (or dropped as the oldest): the caller keeps the others. After a
// torn last line the first of ours continues its physical line; readers
// find it by its start (parseLines), so an append reads nothing.
func (q queue) appendEntries(entries []entry) (int, error) {
	if len(entries) == 0 {
		return 0, nil
	}
	data := appendLines(nil, entries)
	unlock, err := q.lock()
	if errors.Is(err, fs.ErrNotExist) {
		// First use: only here, so that a persist does not stat it.
		if err := q.dir.Ensure(); err != nil {
			return 0, err
		}
		unlock, err = q.lock()
	}
	if err != nil {
		return 0, err
	}
	defer unlock()
	q.hook("append:locked")
	f, fi, err := openFile(q.path, os.O_RDWR|os.O_APPEND|os.O_CREATE)
	if err != nil {
		return 0, err
	}
	if fi.Size()+int64(len(data)) > QueueCap {
		// The newest lines that fit in compactTo with ours: the oldest go.
		data = keepNewest(data, QueueCap)
		kept, err := readTail(f, fi.Size(), compactTo-min(len(data), compactTo))
		f.Close()
		if err == nil {
			err = q.rewrite(q.path, append(kept, data...), "compact")
		}
		if err != nil {
			return 0, err
		}
		return len(entries), nil
	}
	n, err := f.Write(data)
	f.Close()
	q.hook("append:written")
	return bytes.Count(data[:n], []byte{'\n'}), err // a full disk: the whole lines are queued
}

// rewrite replaces the file at path by content. No fsync: a power cut may
// cost counts, a kill cannot (the page cache outlives the process).
func (q queue) rewrite(path string, content []byte, step string) error {
	err := atomicfile.Write(path, content, 0o600, atomicfile.Derived, atomicfile.BeforeRename(func() error {
		q.hook(step + ":written")
		return nil
	}))
	if err == nil {
		q.hook(step + ":renamed")
	}
	return err
}

// stateFiles is one reading of the state directory, by name only: the
// claims (at most maxClaims), what interrupted rewrites left (atomicfile's
// temporary files, made under the lock: one seen under it is a dead
// process's), and what earlier versions wrote aside without the lock.
type stateFiles struct{ claims, ours, earlier []string }

func (q queue) list() stateFiles {
	var l stateFiles
	base := func(p string) string { return filepath.Base(p) }
	ours := []string{base(atomicfile.TempPattern(q.path)), base(atomicfile.TempPattern(q.dir.SendingPattern())), base(atomicfile.TempPattern(q.dir.SentLog()))}
	names, _ := os.ReadDir(q.dir.Root())
	for _, n := range names {
		name, p := n.Name(), filepath.Join(q.dir.Root(), n.Name())
		matches := func(pattern string) bool { ok, _ := filepath.Match(pattern, name); return ok }
		switch {
		case matches(base(q.dir.SendingPattern())):
			if len(l.claims) < maxClaims {
				l.claims = append(l.claims, p)
			}
		case slices.ContainsFunc(ours, matches):
			l.ours = append(l.ours, p)
		case matches(base(q.dir.QueueTempPattern())):
			l.earlier = append(l.earlier, p)
		}
	}
	return l
}

// scan reads the queue and every claim once: their pending entries, and
// the first file among them that cannot be used, described with what to
// do. With staleOnly, only claims the next flush would merge back count
// (what `telemetry show` describes).
func (q queue) scan(now time.Time, staleOnly bool) ([]entry, error) {
	data, _, err := readFile(q.path, readWindow)
	problem := describeProblem(q.path, err)
	out, _ := parseLines(data, "")
	for _, p := range q.list().claims {
		if staleOnly {
			f, err := lockFile(p, os.O_RDONLY) // one its sender holds is not stale
			if err != nil {
				continue
			}
			f.Close()
		}
		data, fi, err := readFile(p, readWindow)
		if err != nil {
			problem = cmp.Or(problem, describeProblem(p, err))
			continue
		}
		if !staleOnly || now.Sub(fi.ModTime()) >= StaleClaim {
			token, _ := q.dir.SendingToken(p)
			entries, _ := parseLines(data, token)
			out = append(out, entries...)
		}
	}
	return out, problem
}

// describeProblem says what to do about a file at path that openFile
// refused with err; nil for none, or none there.
func describeProblem(path string, err error) error {
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if fi, lerr := os.Lstat(path); lerr == nil && fi.IsDir() {
		return fmt.Errorf("%w; telemetry skips it: delete that directory by hand", err)
	}
	return fmt.Errorf("%w; telemetry skips it until it is removed: delete it, or run `codegraph telemetry reset`", err)
}

// removeLeftovers deletes, under the lock, the copies that interrupted
// rewrites left (never the only place of a line): ours and an earlier
// version's spare queue at once, its other files once StaleClaim old (it
// may still run, and takes no lock of ours).
func (q queue) removeLeftovers(l stateFiles) {
	spare := q.dir.QueueTemp("spare")
	for i, p := range append(l.ours, l.earlier...) {
		fi, err := os.Lstat(p)
		if err == nil && fi.Mode().IsRegular() && (i < len(l.ours) || p == spare || time.Since(fi.ModTime()) > StaleClaim) {
			os.Remove(p)
		}
	}
}

// removeAll deletes the queue, every claim and leftover, the log of what
// was sent and Windows's lock file. A symlink is removed, not its target.
func (q queue) removeAll() error {
	l := q.list()
	var errs []error
	for _, p := range append(append(append([]string{q.path, q.dir.SentLog(), q.dir.QueueLock()}, l.claims...), l.ours...), l.earlier...) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("%w; codegraph removes only its own files: delete it by hand", err))
		}
	}
	return errors.Join(errs...)
}
