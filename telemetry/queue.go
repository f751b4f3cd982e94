package telemetry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/atomicfile"
	"github.com/getcodegraph/codegraph-install/internal/safefile"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Queue limits, as TELEMETRY.md states them: the queue file never holds
// more than 256 KiB (oldest lines dropped), and a claim left by a process that
// died is merged back after an hour.
const (
	// QueueCap bounds the queue file; past it the oldest lines are dropped.
	QueueCap = 256 << 10
	// compactTo is what a compaction keeps: a full queue is rewritten once
	// per 128 KiB of appends, not on every append.
	compactTo = QueueCap / 2
	// StaleClaim is when a claim left by a sender that died is merged back.
	StaleClaim = time.Hour
)

const (
	// readWindow bounds every read of the queue or a claim: the newest
	// QueueCap bytes and room for the markers of a claim's sections. Of a
	// larger file (a sparse 20 GiB file, a queue written by something
	// else) only the end is read; the rest is past the cap, and the next
	// write cuts it.
	readWindow = QueueCap + 8<<10
	// lockWait bounds the wait for another process's lock on the queue,
	// held for microseconds (an append) to a millisecond (a rewrite); a
	// process that cannot get it in time gives up silently.
	lockWait = time.Second
	// maxClaims bounds how many claim files one flush or read looks at.
	maxClaims = 32
)

// entry is one queue line and one event of a request: the wire shape.
type entry struct {
	Event string         `json:"event"`
	TS    string         `json:"ts"`
	Props map[string]any `json:"props"`
	// A rollup just harvested from a counter holds the counter and its
	// counts instead of Props (see withProps).
	ctr         *Counter
	calls, errs int64
}

// withProps returns e with its props as a map, for code that reads them.
func (e entry) withProps() entry {
	if e.ctr == nil {
		return e
	}
	ctr := e.ctr
	props := map[string]any{"kind": ctr.kind, "name": ctr.name, "count": e.calls}
	if e.errs > 0 {
		props["error_count"] = e.errs
	}
	if ctr.clientName != "" {
		props["client_name"] = ctr.clientName
	}
	if ctr.clientVersion != "" {
		props["client_version"] = ctr.clientVersion
	}
	return entry{Event: e.Event, TS: e.TS, Props: props}
}

// parseLine reads one queue line with the schema's strict parser, the one
// the ingest reads bodies with. Anything that is not an event the schema
// accepts, with a parsable time, is skipped: a damaged or hand-edited queue
// can never make the client send something outside the allowlist. Keys
// other than event, ts and props are ignored.
func parseLine(line []byte) (entry, bool) {
	ev, err := schema.ParseEvent(line)
	if err != nil {
		return entry{}, false
	}
	name, _ := ev.Name.(string)
	ts, ok := ev.TS.(string)
	if !ok {
		return entry{}, false
	}
	if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
		return entry{}, false
	}
	var props map[string]any
	switch p := ev.Props.(type) {
	case map[string]any:
		props = p
	case nil:
		props = map[string]any{}
	default:
		return entry{}, false
	}
	// props was parsed from this line and nothing else holds it, so it is
	// cleaned in place: `telemetry status` reads thousands of lines.
	if _, ok := schema.CleanEventInPlace(name, props); !ok {
		return entry{}, false
	}
	return entry{Event: name, TS: ts, Props: props}, true
}

// marshalEntry renders an entry as one line (keys sorted, so output is stable).
func marshalEntry(e entry) []byte { return appendEntry(nil, e) }

// appendLines renders entries as queue lines.
func appendLines(buf []byte, entries []entry) []byte {
	for _, e := range entries {
		buf = append(appendEntry(buf, e), '\n')
	}
	return buf
}

// A claim file is divided into sections by marker lines of its own token,
// {"claim":"<token>","state":"P"}: the lines after a marker belong to its
// state, P (pending: merged back if the sender dies) or S (sending: their
// request may have started, so they are never merged back). The state is
// one byte, flipped in place before a request starts. Lines before the
// first marker are pending. A marker with another token is an ordinary
// skipped line: a put-back leaves one in the queue, and it means nothing
// once the file is claimed again under a new token. Markers are JSON
// objects, so every line of the queue stays one JSON object.
const (
	markerPrefix = `{"claim":"`
	markerMiddle = `","state":"`
	markerEnd    = `"}`
	statePending = 'P'
	stateSending = 'S'
)

// appendMarker appends the marker line of token in state and returns the
// offset of its state byte.
func appendMarker(buf []byte, token string, state byte) ([]byte, int64) {
	buf = append(append(append(buf, markerPrefix...), token...), markerMiddle...)
	off := int64(len(buf))
	return append(append(buf, state), markerEnd+"\n"...), off
}

// parseMarker returns the token and state of a marker line.
func parseMarker(line []byte) (string, byte, bool) {
	rest, ok := bytes.CutPrefix(line, []byte(markerPrefix))
	if !ok {
		return "", 0, false
	}
	token, rest, ok := bytes.Cut(rest, []byte(markerMiddle))
	if !ok || len(rest) != 1+len(markerEnd) || string(rest[1:]) != markerEnd {
		return "", 0, false
	}
	return string(token), rest[0], true
}

// lineStart is how every queue line written by appendEntry begins.
const lineStart = `{"event":`

// parseLines parses every line once and returns the events that parse,
// both as entries and as their raw bytes, in order; corrupt lines are
// skipped without a word. With the token of a claim, lines in its sending
// sections are left out (see appendMarker).
func parseLines(data []byte, token string) (entries []entry, raw [][]byte) {
	include := true
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		if tok, state, ok := parseMarker(line); ok && token != "" {
			if tok == token {
				include = state != stateSending
			}
			continue
		}
		if !include {
			continue
		}
		e, ok := parseLine(line)
		if !ok {
			// A line appended right after a torn one (its writer died, or
			// the disk filled up) shares its physical line. It starts at
			// the last `{"event":`, which no valid line holds anywhere
			// but at its start (no value the schema allows contains a
			// quote or a brace). Appends never read the last byte to
			// avoid this: readers pay for it, rarely, instead.
			if i := bytes.LastIndex(line, []byte(lineStart)); i > 0 {
				line = line[i:]
				e, ok = parseLine(line)
			}
		}
		if ok {
			entries = append(entries, e)
			raw = append(raw, line)
		}
	}
	return entries, raw
}

// joinLines puts raw lines back together, each ended by a newline.
func joinLines(raw [][]byte) []byte {
	var buf []byte
	for _, l := range raw {
		buf = append(append(buf, l...), '\n')
	}
	return buf
}

// keepNewest returns the newest whole lines of data that fit in max bytes.
// It cuts by bytes only: lines are validated when they are read for
// sending.
func keepNewest(data []byte, max int) []byte {
	if len(data) <= max {
		return data
	}
	if max <= 0 {
		return nil
	}
	cut := len(data) - max
	if data[cut-1] == '\n' {
		return data[cut:]
	}
	if i := bytes.IndexByte(data[cut:], '\n'); i >= 0 {
		return data[cut+i+1:]
	}
	return nil
}

// readTail reads the newest whole lines of the open file f of size bytes,
// at most window bytes of them: a queue is never read whole. A torn last
// line gets its newline, so that what the caller appends stays a line of
// its own.
func readTail(f *os.File, size int64, window int) ([]byte, error) {
	off := max(0, size-int64(window)-1) // one byte more: does the window start a line?
	buf := make([]byte, size-off)
	n, err := f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	buf = buf[:n]
	if off > 0 {
		// Up to the first newline is the end of a line that started
		// before the window.
		_, buf, _ = bytes.Cut(buf, []byte{'\n'})
	}
	if len(buf) > 0 && buf[len(buf)-1] != '\n' {
		buf = append(buf, '\n')
	}
	return buf, nil
}

var (
	errLockTimeout = errors.New("stays locked by another codegraph process")
	errHardLinked  = errors.New("has other hard links, so it may be someone else's file as well")
	errBusy        = errors.New("is in use by another codegraph process")
)

// openFile opens a queue or claim file without following a symlink or
// blocking on a FIFO, refusing anything but a regular file with one link
// (another name for it may be outside the state directory, and an append
// would change that file too).
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

// readFile reads the newest window bytes of lines of the file at path.
func readFile(path string, window int) ([]byte, fs.FileInfo, error) {
	f, fi, err := openFile(path, os.O_RDONLY)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := readTail(f, fi.Size(), window)
	return data, fi, err
}

// queue is the file of buffered events of one state directory and its
// claims.
//
// Every change to the queue or a claim, but for a sender's one-byte marks
// in its own claim, is made under one lock, taken for microseconds to a
// millisecond (lock_unix.go, lock_windows.go). Every rewrite is a new file
// renamed over the old one (internal/atomicfile), so a kill at any instant
// leaves the old file or the new, whole. A sender also holds a lock on its
// claim, which the kernel drops when it dies: that is how a live sender's
// claim is told from a dead one's. A file is closed before it is renamed
// or removed, which Windows requires; the queue's lock keeps everyone else
// out meanwhile.
type queue struct {
	dir  statedir.Dir
	path string
	// crash, when set (by this package's crash tests only), is called
	// between the steps of every queue operation with the step's name: the
	// tests stop a child process there and kill it (crash_test.go).
	crash func(step string)
}

func newQueue(dir statedir.Dir) queue { return queue{dir: dir, path: dir.Queue()} }

func (q queue) hook(step string) {
	if q.crash != nil {
		q.crash(step)
	}
}

// lock takes the queue's lock, waiting at most lockWait.
func (q queue) lock() (unlock func(), err error) {
	deadline := time.Now().Add(lockWait)
	l, err := q.openLock()
	if err != nil {
		return nil, err
	}
	q.hook("lock:opened")
	for {
		ok, err := l.try()
		if ok || err != nil {
			if err != nil {
				l.close()
				return nil, err
			}
			return l.close, nil
		}
		if time.Now().After(deadline) {
			l.close()
			return nil, &fs.PathError{Op: "lock", Path: q.path, Err: errLockTimeout}
		}
		time.Sleep(time.Millisecond)
	}
}

// appendEntries adds entries to the queue as whole lines (O_APPEND),
// compacting first when the file would pass the cap. It returns how many
// entries are in the file now (or were dropped by the cap as the oldest);
// the others were not written, and the caller keeps them.
//
// If the file ends in a torn line, the first of ours continues it on the
// same physical line, and readers find it by its start (parseLines).
func (q queue) appendEntries(entries []entry) (int, error) {
	if len(entries) == 0 {
		return 0, nil
	}
	data := appendLines(make([]byte, 0, 200*len(entries)), entries)
	unlock, err := q.lock()
	if errors.Is(err, fs.ErrNotExist) {
		// First use: create the 0700 state directory. Doing it only here
		// keeps its stat off every persist.
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
		// The newest lines that fit in compactTo with ours, written aside
		// and renamed over the queue: a crash or a full disk leaves the
		// old queue or the new one, never less. The oldest lines are the
		// ones the cap drops.
		data = keepNewest(data, QueueCap)
		content, err := readTail(f, fi.Size(), compactTo-min(len(data), compactTo))
		f.Close()
		if err != nil {
			return 0, err
		}
		q.removeLeftovers()
		if err := q.rewrite(q.path, append(content, data...), "compact"); err != nil {
			return 0, err
		}
		return len(entries), nil
	}
	n, err := f.Write(data)
	f.Close()
	q.hook("append:written")
	if err != nil {
		// A full disk: the lines that made it whole are queued; a torn one
		// is skipped by readers.
		return bytes.Count(data[:n], []byte{'\n'}), err
	}
	return len(entries), nil
}

// rewrite replaces the file at path by content, under the queue's lock.
// The telemetry queue is worth no fsync (a power cut may cost counts; a
// kill cannot, the page cache survives it).
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

// claimPaths lists the claim files, at most maxClaims of them.
func (q queue) claimPaths() []string {
	paths, _ := filepath.Glob(q.dir.SendingPattern())
	return paths[:min(len(paths), maxClaims)]
}

// pendingEntries is everything buffered on disk: the queue and the pending
// lines of every claim, read without the lock (appends are whole lines,
// rewrites are renames). With staleOnly, only claims the next flush would
// merge back count: what `telemetry show` describes.
func (q queue) pendingEntries(now time.Time, staleOnly bool) []entry {
	data, _, _ := readFile(q.path, readWindow)
	out, _ := parseLines(data, "")
	for _, p := range q.claimPaths() {
		token, _ := q.dir.SendingToken(p)
		if staleOnly {
			// A claim its sender still holds is not stale, however old.
			f, err := lockFile(p, os.O_RDONLY)
			if err != nil {
				continue
			}
			f.Close()
		}
		data, fi, err := readFile(p, readWindow)
		if err != nil || staleOnly && now.Sub(fi.ModTime()) < StaleClaim {
			continue
		}
		entries, _ := parseLines(data, token)
		out = append(out, entries...)
	}
	return out
}

// removeAll deletes the queue, every claim and file left by an interrupted
// write, and the lock file (Windows): `telemetry off` and reset. A
// symlink is removed, not its target.
func (q queue) removeAll() error {
	var errs []error
	paths := []string{q.path, q.dir.QueueLock()}
	for _, pattern := range q.leftoverPatterns() {
		m, _ := filepath.Glob(pattern)
		paths = append(paths, m...)
	}
	for _, p := range append(paths, q.claimPaths()...) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("%w; codegraph removes only its own files: delete it by hand", err))
		}
	}
	return errors.Join(errs...)
}

// leftoverPatterns match what interrupted writes leave: atomicfile's
// temporary files of the queue and of claims, and the files written aside
// by earlier versions (their spare copy of the queue included).
func (q queue) leftoverPatterns() []string {
	return []string{atomicfile.TempPattern(q.path), atomicfile.TempPattern(q.dir.SendingPattern()), q.dir.QueueTempPattern()}
}

// problem describes a file that stands where the queue or a claim belongs
// and cannot be used, with what to do; nil when there is none.
func (q queue) problem() error {
	for _, p := range append([]string{q.path}, q.claimPaths()...) {
		f, _, err := openFile(p, os.O_RDONLY)
		switch {
		case err == nil:
			f.Close()
		case errors.Is(err, fs.ErrNotExist):
		case isDir(p):
			return fmt.Errorf("%w; telemetry skips it: delete that directory by hand", err)
		default:
			return fmt.Errorf("%w; telemetry skips it until it is removed: delete it, or run `codegraph telemetry reset`", err)
		}
	}
	return nil
}

func isDir(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.IsDir()
}
