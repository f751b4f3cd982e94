package telemetry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"

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
	// per 128 KiB of appends, not on every append, and copies the 128 KiB
	// it keeps.
	compactTo = QueueCap / 2
	// StaleClaim is when a claim left by a sender that died is merged back.
	StaleClaim = time.Hour
)

const (
	// readWindow bounds every read of the queue or a claim: the newest
	// QueueCap bytes and room for the markers of a claim's sections. Of a
	// larger file (a 20 GiB sparse file, a queue written by something
	// else) only the last readWindow bytes are read; the rest is past the
	// cap, and the next write cuts it.
	readWindow = QueueCap + 8<<10
	// lockWait bounds the wait for another process's lock on the queue.
	// Locks are held for microseconds (a persist) to milliseconds (a
	// claim); a process that cannot get one in time gives up silently.
	lockWait = time.Second
	// maxClaims bounds how many claim files one flush or read looks at.
	maxClaims = 32
)

// crashHook is called between the steps of every queue operation with the
// step's name. It is nil except in this package's tests, which stop a
// child process there and kill it (crash_test.go).
var crashHook func(step string)

func hook(step string) {
	if crashHook != nil {
		crashHook(step)
	}
}

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
// other than event, ts and props are ignored (a line is rewritten with
// those three only).
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
	// cleaned where it is rather than copied: a queue holds thousands of
	// lines, and `telemetry status` reads them all.
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
		buf = appendEntry(buf, e)
		buf = append(buf, '\n')
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
	buf = append(buf, markerPrefix...)
	buf = append(buf, token...)
	buf = append(buf, markerMiddle...)
	off := int64(len(buf))
	buf = append(buf, state)
	buf = append(buf, markerEnd...)
	return append(buf, '\n'), off
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

// parseLines parses every line once and returns the events that parse,
// both as entries and as their raw bytes, in order; corrupt lines are
// skipped without a word. With the token of a claim, lines in its sending
// sections are left out (see appendMarker).
func parseLines(data []byte, token string) (entries []entry, raw [][]byte) {
	include := true
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		if token != "" {
			if tok, state, ok := parseMarker(line); ok {
				if tok == token {
					include = state != stateSending
				}
				continue
			}
		}
		if !include {
			continue
		}
		e, ok := parseLine(line)
		if !ok {
			// A line appended right after a torn one (its writer died, or
			// the disk filled up) shares its physical line: it starts at
			// the last `{"event":`, which no valid line holds anywhere but
			// at its start (no value the schema allows contains a quote
			// or a brace).
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

// lineStart is how every queue line written by appendEntry begins.
const lineStart = `{"event":`

// joinLines puts raw lines back together, each ended by a newline.
func joinLines(raw [][]byte) []byte {
	n := 0
	for _, l := range raw {
		n += len(l) + 1
	}
	buf := make([]byte, 0, n)
	for _, l := range raw {
		buf = append(append(buf, l...), '\n')
	}
	return buf
}

// keepNewest returns the newest whole lines of data that fit in max bytes.
// It cuts by bytes only: lines are validated when they are read for sending,
// so parsing them here would only make a full queue slow to append to.
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

// readTail reads the newest whole lines of an open file, at most window
// bytes of it, whatever the file's size: a queue is never read whole. The
// buffer has room bytes to spare for what the caller appends. A
// torn last line (a writer died mid-write, or the disk filled up) gets its
// newline, so that what is written after it stays a line of its own.
func readTail(h handle, st fileState, window, room int) ([]byte, error) {
	off := st.size - int64(window)
	if off > 0 {
		// One byte more: whether the window starts on a line.
		off--
	} else {
		off = 0
	}
	buf := make([]byte, st.size-off, st.size-off+1+int64(room))
	n, err := h.readAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	buf = buf[:n]
	if off > 0 {
		// Up to the first newline is the end of a line that started
		// before the window (or the newline just before it).
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			buf = buf[i+1:]
		} else {
			buf = buf[:0]
		}
	}
	if len(buf) > 0 && buf[len(buf)-1] != '\n' {
		buf = append(buf, '\n')
	}
	return buf, nil
}

// queue is the file of buffered events of one state directory, its claims
// and the files written aside before they replace either.
//
// Locking: the queue file itself is locked (flock) by whoever appends to
// it, compacts it, claims it or puts lines back into it; a sender keeps its
// claim locked until the claim is gone, which is how a live sender's claim
// is told from a dead one's. Everything that replaces a file's content
// writes a new file aside and renames it over the old one while holding the
// old one's lock, so no line is ever destroyed before the file that replaces
// it is complete, and a process that was waiting for the lock finds the old
// file unlinked and opens the name again.
type queue struct {
	dir statedir.Dir
	// The queue's and the lock file's paths, joined once: a persist
	// should not pay for it.
	path, lockPath, sparePath string
	// kept is the queue file a long-lived process keeps open between its
	// appends (see appendEntries).
	kept *keptFile
}

// keptFile is the queue file kept open between appends, and what
// serialises the appends of one process: two appends on one open file
// would share its lock.
type keptFile struct {
	mu   sync.Mutex
	h    handle
	open bool
}

func newQueue(dir statedir.Dir) queue {
	q := queue{dir: dir, path: dir.Queue(), lockPath: dir.QueueLock(), sparePath: dir.QueueSpare()}
	if keepQueueOpen {
		q.kept = &keptFile{}
	}
	return q
}

// lockKept takes the lock of the queue file kept open since the last
// append, when it still is the queue: not unlinked (compacted, put back,
// removed) nor retired (swapped out by a compaction). A file renamed to a
// claim meanwhile is either still locked by its sender (then the name is
// looked at and found to mean another file) or was rewritten, removed or
// put back by it (unlinked); only a sender that died right after the
// rename leaves it as it is, and a line appended there is in that claim,
// merged back with it later. Anything else closes it: the caller opens the
// name again.
//
// Either way k no longer holds the file: the caller owns the handle and
// gives it back (appendEntries) only if it is still open. A handle closed
// while k still held it would have its number handed by the kernel to the
// next file the process opens, whatever it is, and the next persist would
// lock and write to that file.
func (k *keptFile) lockKept() (handle, fileState, bool) {
	if !k.open {
		return handle{}, fileState{}, false
	}
	h := k.h
	k.open = false
	if ok, err := h.tryLock(); ok && err == nil {
		if st, err := h.state(); err == nil && st.linked && !st.retired {
			return h, st, true
		}
	}
	h.close()
	return handle{}, fileState{}, false
}

// release closes the kept file, if any.
func (k *keptFile) release() {
	if k.open {
		k.h.close()
		k.open = false
	}
}

var (
	errLockTimeout = errors.New("stays locked by another codegraph process")
	errHardLinked  = errors.New("has other hard links, so it may be someone else's file as well")
)

// lockQueue opens the queue and takes its lock. With create, a missing
// queue (and state directory) is created; without it, a missing queue is
// an fs.ErrNotExist error.
func (q queue) lockQueue(create bool) (handle, fileState, error) {
	path := q.path
	flag := os.O_RDWR | os.O_APPEND
	if create {
		flag |= os.O_CREATE
	}
	var deadline time.Time
	ensured := false
	for {
		h, err := openHandle(path, flag, q.lockPath)
		if err != nil {
			if create && !ensured && errors.Is(err, fs.ErrNotExist) {
				// First use: create the 0700 state directory. Doing it only
				// here keeps two syscalls off every persist.
				ensured = true
				if err := q.dir.Ensure(); err != nil {
					return handle{}, fileState{}, err
				}
				continue
			}
			return handle{}, fileState{}, err
		}
		hook("lock:opened")
		st, waited, err := lockOpened(h, &deadline)
		if err != nil {
			h.close()
			return handle{}, fileState{}, err
		}
		// An unlinked file was renamed over (compacted, put back) or
		// removed by the process that held the lock; with a wait, it may
		// also have been renamed away (claimed); a retired one was swapped
		// out by a compaction: follow the name.
		if st.retired && st.linked && h.namedHere(st) {
			// Still the queue: a compaction died between marking it and
			// the swap. It is the queue, whole.
			if h.setRetired(false) == nil {
				st.retired = false
			}
		}
		if st.linked && !st.retired && (!waited && linksCounted || h.namedHere(st)) {
			return h, st, nil
		}
		h.close()
		if !deadline.IsZero() && time.Now().After(deadline) {
			return handle{}, fileState{}, &fs.PathError{Op: "lock", Path: path, Err: errLockTimeout}
		}
	}
}

// lockOpened takes the lock of an open queue file, waiting until deadline
// (set at the first wait). It gives up early, with linked false, when the
// name comes to mean another file meanwhile.
func lockOpened(h handle, deadline *time.Time) (st fileState, waited bool, err error) {
	for {
		ok, err := h.tryLock()
		if err != nil {
			return fileState{}, waited, err
		}
		if ok {
			st, err := h.state()
			return st, waited, err
		}
		waited = true
		if deadline.IsZero() {
			*deadline = time.Now().Add(lockWait)
		} else if time.Now().After(*deadline) {
			return fileState{}, waited, &fs.PathError{Op: "lock", Path: h.path, Err: errLockTimeout}
		}
		if st, err := h.state(); err != nil || !h.namedHere(st) {
			return fileState{}, waited, err
		}
		time.Sleep(time.Millisecond)
	}
}

// appendEntries adds entries to the queue as whole lines with O_APPEND,
// compacting first when the file would pass the cap. It returns how many
// entries are in the file now (or were dropped by the cap as the oldest);
// the others were not written, and the caller keeps them.
//
// If the file ends in a torn line, the first of ours continues it on the
// same physical line, and readers find it by its start (parseLines): this
// costs no read of the file's last byte at every persist.
func (q queue) appendEntries(entries []entry) (int, error) {
	if len(entries) == 0 {
		return 0, nil
	}
	data := appendLines(make([]byte, 0, 200*len(entries)), entries)
	k := q.kept
	var h handle
	var st fileState
	locked := false
	if k != nil {
		// A process that persists again and again (serve --mcp) keeps the
		// queue open: an open and a close cost more than an unlock.
		k.mu.Lock()
		defer k.mu.Unlock()
		h, st, locked = k.lockKept()
	}
	if !locked {
		var err error
		if h, st, err = q.lockQueue(true); err != nil {
			return 0, err
		}
	}
	hook("append:locked")
	if st.size+int64(len(data)) > QueueCap {
		// The file is not the queue any more afterwards (or is, after an
		// error, and is opened again next time).
		err := q.compactLocked(h, st, data)
		h.close()
		if err != nil {
			return 0, err
		}
		return len(entries), nil
	}
	n, err := h.write(data)
	hook("append:written")
	if k != nil && h.unlock() == nil {
		k.h, k.open = h, true
	} else {
		h.close()
	}
	if err != nil {
		// A full disk: the lines that made it whole are queued; a torn one
		// is skipped by readers.
		return bytes.Count(data[:n], []byte{'\n'}), err
	}
	return len(entries), nil
}

// closeKept closes the queue file kept open between appends.
func (q queue) closeKept() {
	if k := q.kept; k != nil {
		k.mu.Lock()
		k.release()
		k.mu.Unlock()
	}
}

// compactLocked replaces the queue, whose lock h holds, by its newest
// lines that fit in compactTo followed by data: written aside, then renamed
// over the queue, so a crash or a full disk at any point leaves either the
// old queue or the new one, never less. The oldest lines are the ones the
// cap drops.
func (q queue) compactLocked(h handle, st fileState, data []byte) error {
	data = keepNewest(data, QueueCap)
	content, err := readTail(h, st, compactTo-min(len(data), compactTo), len(data))
	if err != nil {
		return err
	}
	content = append(content, data...)
	if done, err := q.compactIntoSpare(h, content); done {
		return err
	}
	tmp, err := q.writeAside(content)
	if err != nil {
		return err
	}
	hook("compact:written")
	if err := q.replace(tmp, h, q.path); err != nil {
		// replace closed tmp: closing it again could close a file another
		// goroutine opened under the same number meanwhile.
		return err
	}
	hook("compact:renamed")
	tmp.close()
	return nil
}

// writeAside writes content to a new file under a temporary name of its
// own and returns it open and locked (nobody else knows its name, so the
// lock is free). On any error the file is removed: it was only a copy.
func (q queue) writeAside(content []byte) (handle, error) {
	path := q.dir.QueueTemp(uuid.NewString())
	h, err := openHandle(path, createExclusive, "")
	if err != nil {
		return handle{}, err
	}
	if _, err := h.write(content); err != nil {
		h.close()
		os.Remove(path)
		return handle{}, err
	}
	if ok, err := h.tryLock(); !ok || err != nil {
		h.close()
		os.Remove(path)
		return handle{}, fmt.Errorf("lock %s: %w", path, errLockTimeout)
	}
	return h, nil
}

// replace renames the file written aside (tmp) over path, whose current
// file is open as old (locked, where that matters). On failure tmp is
// removed and path keeps its content.
func (q queue) replace(tmp handle, old handle, path string) error {
	old.beforeRename()
	tmp.beforeRename()
	if err := os.Rename(tmp.path, path); err != nil {
		tmp.close()
		os.Remove(tmp.path)
		return err
	}
	return nil
}

// claimPaths lists the claim files, at most maxClaims of them.
func (q queue) claimPaths() []string {
	paths, _ := filepath.Glob(q.dir.SendingPattern())
	if len(paths) > maxClaims {
		paths = paths[:maxClaims]
	}
	return paths
}

// readClaim reads the lines a claim file holds for merging back: its
// pending sections only. The file is opened without following a symlink or
// blocking; one that is not a regular file is skipped.
func (q queue) readClaim(path string, lockIt bool, now time.Time) (entries []entry, stale bool) {
	token, ok := q.dir.SendingToken(path)
	if !ok {
		return nil, false
	}
	h, err := openHandle(path, os.O_RDONLY, "")
	if err != nil {
		return nil, false
	}
	defer h.close()
	if lockIt {
		// A claim its sender still holds is not stale, however old.
		if ok, err := h.tryLock(); !ok || err != nil {
			return nil, false
		}
	}
	st, err := h.state()
	if err != nil {
		return nil, false
	}
	data, err := readTail(h, st, readWindow, 0)
	if err != nil {
		return nil, false
	}
	entries, _ = parseLines(data, token)
	return entries, now.Sub(st.mtime) >= StaleClaim
}

// readQueue reads the queue's lines, without a lock: appends are whole
// lines and replacements are renames, so a reader sees a consistent file.
func (q queue) readQueue() []entry {
	h, err := openHandle(q.path, os.O_RDONLY, "")
	if err != nil {
		return nil
	}
	defer h.close()
	st, err := h.state()
	if err != nil {
		return nil
	}
	data, err := readTail(h, st, readWindow, 0)
	if err != nil {
		return nil
	}
	entries, _ := parseLines(data, "")
	return entries
}

// pendingEntries is everything buffered on disk: the queue and the
// pending lines of every claim. With staleOnly, only claims the next flush
// would merge back count: what `telemetry show` describes.
func (q queue) pendingEntries(now time.Time, staleOnly bool) []entry {
	out := q.readQueue()
	for _, p := range q.claimPaths() {
		entries, stale := q.readClaim(p, staleOnly, now)
		if stale || !staleOnly {
			out = append(out, entries...)
		}
	}
	return out
}

// removeAll deletes the queue, every claim and file written aside, and the
// lock file of systems without flock: `telemetry off` and reset. A symlink
// is removed, not its target.
func (q queue) removeAll() error {
	var errs []error
	claims, _ := filepath.Glob(q.dir.SendingPattern())
	temps, _ := filepath.Glob(q.dir.QueueTempPattern())
	paths := append(append(claims, temps...), q.path, q.lockPath)
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("%w; codegraph removes only its own files: delete it by hand", err))
		}
	}
	return errors.Join(errs...)
}

// problem describes a file that stands where the queue or a claim belongs
// and cannot be used, with what to do; nil when there is none.
func (q queue) problem() error {
	for _, p := range append([]string{q.path}, q.claimPaths()...) {
		h, err := openHandle(p, os.O_RDONLY, "")
		if err == nil {
			_, err = h.state()
			h.close()
		}
		switch {
		case err == nil, errors.Is(err, fs.ErrNotExist):
			continue
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
