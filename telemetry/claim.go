package telemetry

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// A line's life in the queue:
//
//	queued   in telemetry-queue.jsonl
//	claimed  in a claim file telemetry-queue.sending.<token>.jsonl, which a
//	         sender renamed the queue to (atomic) and keeps locked
//	sending  in a section of the claim whose marker was flipped to S before
//	         the first byte of its request was written
//	done     sent (any HTTP response), or handed to a connection that then
//	         failed (timeout, reset): never sent again
//	put back the request made no connection (offline, refused, DNS): the
//	         marker flips back to P and the line returns to the queue
//
// A sender that dies leaves its claim unlocked; after StaleClaim another
// process merges its pending lines back and drops its sending ones, which
// may have reached the endpoint. A put-back renames the claim itself over
// the queue: a kill at any instant leaves each line in one place.

// claim is a queue taken by one sender. f is the claim, open and locked
// whenever the sender does not hold the queue's lock, so that a merger
// (which holds it) finds it locked for as long as the sender lives. f is
// nil once reopening it failed: its methods then fail, and nothing is sent.
type claim struct {
	q           queue
	token, path string
	f           *os.File
	marks       []int64 // each batch's state byte, once divided
	// unqueued is set for the lines of no file (see unqueued): it takes
	// back those to keep.
	unqueued func([]entry)
}

// unqueued is the claim of lines in no file: this process's own lifecycle
// events, sent from memory when the queue holds nothing due, which spares
// a command's flush every rewrite. No other process has them, so nothing
// is marked: a kill loses them, like any count not yet persisted, and
// never sends them twice. What is not sent goes back through takeBack.
func (q queue) unqueued(takeBack func([]entry)) *claim {
	return &claim{q: q, unqueued: takeBack}
}

// claim merges back the claims of dead senders, then, if due says the
// queue holds something to send, renames the queue to a claim of its own
// and returns it with the queue's lines: a nil claim when nothing is due,
// an error when the queue cannot be had (its lock, a file that cannot be
// used, a failed rename).
func (q queue) claim(now time.Time, due func([]entry) bool) (*claim, []entry, error) {
	unlock, err := q.lock()
	if errors.Is(err, fs.ErrNotExist) {
		due(nil) // no state directory: nothing queued
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	q.hook("claim:locked")
	files := q.list()
	q.mergeStale(files.claims, now)
	q.removeLeftovers(files)
	data, _, err := readFile(q.path, readWindow)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if onlyCountsOf(data, now) {
		return nil, nil, nil
	}
	entries, _ := parseLines(data, "")
	if !due(entries) {
		return nil, nil, nil
	}
	token := uuid.NewString()
	cl := &claim{q: q, token: token, path: q.dir.Sending(token)}
	if err := os.Rename(q.path, cl.path); err != nil {
		return nil, nil, err
	}
	q.hook("claim:renamed")
	// Its time is the sender's, not the last append's: a merger must not
	// take a fresh claim for a dead sender's, locked or not.
	t := time.Now()
	os.Chtimes(cl.path, t, t)
	if cl.f, err = lockFile(cl.path, os.O_RDWR); err != nil {
		return nil, nil, err // left as it is: merged back after StaleClaim
	}
	return cl, entries, nil
}

// onlyCountsOf reports whether every line of data begins as Persist writes
// a count of now's UTC day, and holds no other line glued to it after a
// tear: then nothing is due, and a command's flush need not parse
// thousands of lines to learn it. Any other line means a parse.
func onlyCountsOf(data []byte, now time.Time) bool {
	prefix := []byte(lineStart + `"` + schema.EventUsageRollup + `","ts":"` + dayTS(dayNumber(now)) + `"`)
	for len(data) > 0 {
		var line []byte
		if line, data, _ = bytes.Cut(data, []byte{'\n'}); !bytes.HasPrefix(line, prefix) || bytes.Contains(line[1:], []byte(lineStart)) {
			return false
		}
	}
	return true
}

// divide rewrites the claim as its lines to keep (pending) followed by one
// pending section per request batch.
func (cl *claim) divide(batches [][]entry, keep []entry) error {
	if cl.unqueued != nil {
		return nil
	}
	buf := appendLines(nil, keep)
	marks := make([]int64, len(batches))
	for i, b := range batches {
		buf, marks[i] = appendMarker(buf, cl.token, statePending)
		buf = appendLines(buf, b)
	}
	unlock, err := cl.q.lock()
	if err != nil {
		return err
	}
	defer unlock()
	cl.f.Close()
	err = cl.q.rewrite(cl.path, buf, "divide")
	// Old content or new, the claim is locked again before the queue is.
	f, lerr := lockFile(cl.path, os.O_RDWR)
	if cl.f, cl.marks = f, marks; err == nil {
		err = lerr
	}
	return err
}

// mark sets the state of batch i's section in place: one byte, written
// before the batch's request starts (S) or after it made no connection
// (P). With f nil (not locked again after divide) it fails: nothing sent.
func (cl *claim) mark(i int, state byte) error {
	if cl.unqueued != nil {
		return nil
	}
	_, err := cl.f.WriteAt([]byte{state}, cl.marks[i])
	return err
}

// finish ends the claim: the lines of rest go back to the queue (keep) or
// are dropped. When the put-back fails (a full disk, the lock held too
// long), the claim stays, its pending lines exactly rest, and is merged
// back once StaleClaim old.
func (cl *claim) finish(rest []entry, keep bool) {
	if cl.unqueued != nil {
		if keep {
			cl.unqueued(rest)
		}
		return
	}
	if !keep || len(rest) == 0 {
		// Nothing in it is kept, so no lock: a merger could only drop it.
		cl.f.Close()
		if os.Remove(cl.path) == nil {
			cl.q.hook("finish:removed")
		}
		return
	}
	unlock, err := cl.q.lock()
	cl.f.Close()
	if err != nil {
		return
	}
	defer unlock()
	cl.q.hook("putback:locked")
	cl.q.putBack(cl.path, cl.token, appendLines(nil, rest))
}

// putBack returns the lines own of the claim at path (closed) to the
// queue, under the lock. A new file, own then the queue's lines behind a
// sending marker of the claim's token, is renamed over the claim (which
// still holds own alone: its sending sections are ignored), then the claim
// over the queue, which then holds both. Within the cap the queue's lines,
// newer, win.
func (q queue) putBack(path, token string, own []byte) error {
	queued, _, err := readFile(q.path, QueueCap)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err // not our queue standing there: leave both alone
	}
	var marker []byte
	if len(queued) > 0 {
		marker, _ = appendMarker(nil, token, stateSending)
	}
	if own = keepNewest(own, QueueCap-len(queued)-len(marker)); len(own) == 0 {
		return os.Remove(path) // all older than a full queue: the cap drops them
	}
	if err := q.rewrite(path, append(append(own, marker...), queued...), "putback"); err != nil {
		return err
	}
	if err := os.Rename(path, q.path); err != nil {
		return err // the claim holds own and an ignored copy: merged back later
	}
	q.hook("putback:queued")
	return nil
}

// mergeStale puts back, under the lock, the pending lines of every claim
// of claims that no sender holds and that is StaleClaim old, and removes
// such claims with nothing pending.
func (q queue) mergeStale(claims []string, now time.Time) {
	for _, p := range claims {
		f, err := lockFile(p, os.O_RDWR)
		if err != nil {
			continue // its sender is alive, or it is no regular file: left alone
		}
		fi, err := f.Stat()
		stale := err == nil && now.Sub(fi.ModTime()) >= StaleClaim
		var data []byte
		if stale {
			data, err = readTail(f, fi.Size(), readWindow)
		}
		f.Close()
		if !stale || err != nil {
			continue
		}
		token, _ := q.dir.SendingToken(p)
		if _, raw := parseLines(data, token); len(raw) == 0 {
			os.Remove(p)
		} else {
			q.hook("merge:read")
			q.putBack(p, token, bytes.Join(append(raw, nil), []byte{'\n'}))
		}
	}
}
