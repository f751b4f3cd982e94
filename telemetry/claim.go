package telemetry

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
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
// the queue, so a kill at any instant leaves each line in exactly one
// place: never twice, and lost only as one that was sending.

// claim is a queue taken by one sender. f is the claim, open and locked
// whenever the sender does not hold the queue's lock (nil once that
// failed): a merger, which holds the queue's lock, finds it locked for as
// long as the sender lives.
type claim struct {
	q     queue
	token string
	path  string
	f     *os.File
	// marks holds the offset of each batch's state byte once the claim
	// is divided into sections.
	marks []int64
}

// claim merges back the claims of dead senders, then, if due says the
// queue holds something to send, renames the queue to a claim of its own
// and returns it with the queue's lines. It returns nil when there is
// nothing to send or the queue cannot be had.
func (q queue) claim(now time.Time, due func([]entry) bool) (*claim, []entry) {
	unlock, err := q.lock()
	if err != nil {
		return nil, nil // no state directory yet, or busy: nothing to send now
	}
	defer unlock()
	q.hook("claim:locked")
	q.mergeStale(now)
	q.removeLeftovers()
	data, _, err := readFile(q.path, readWindow)
	if err != nil {
		return nil, nil
	}
	entries, _ := parseLines(data, "")
	if !due(entries) {
		return nil, nil
	}
	token := uuid.NewString()
	cl := &claim{q: q, token: token, path: q.dir.Sending(token)}
	if os.Rename(q.path, cl.path) != nil {
		return nil, nil
	}
	q.hook("claim:renamed")
	// The claim's time is its sender's, not the last append's: a merger
	// must never take a fresh claim for a dead sender's, locked or not.
	t := time.Now()
	os.Chtimes(cl.path, t, t)
	if cl.f, err = lockFile(cl.path, os.O_RDWR); err != nil {
		return nil, nil // left as it is: merged back after StaleClaim
	}
	return cl, entries
}

// divide rewrites the claim as its lines to keep (pending) followed by one
// section per request batch, each pending until mark flips it.
func (cl *claim) divide(batches [][]entry, keep []entry) error {
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
	var lerr error
	if cl.f, lerr = lockFile(cl.path, os.O_RDWR); err == nil {
		err = lerr
	}
	if err == nil {
		cl.marks = marks
	}
	return err
}

// mark sets the state of batch i's section in place: one byte, written
// before the batch's request starts (S) or after it made no connection (P).
func (cl *claim) mark(i int, state byte) error {
	if cl.f == nil {
		return fs.ErrClosed
	}
	_, err := cl.f.WriteAt([]byte{state}, cl.marks[i])
	return err
}

// finish ends the claim: the lines of rest go back to the queue (keep
// them) or are dropped. When the put-back fails (a full disk, a lock held
// too long), the claim stays as it is, its pending lines exactly those of
// rest, and is merged back by a later flush once it is StaleClaim old.
func (cl *claim) finish(rest []entry, keep bool) {
	if !keep || len(rest) == 0 {
		// Nothing in it is pending but what is to be dropped, so no lock:
		// a merger could only drop it too.
		cl.close()
		if os.Remove(cl.path) == nil {
			cl.q.hook("finish:removed")
		}
		return
	}
	unlock, err := cl.q.lock()
	cl.close()
	if err != nil {
		return
	}
	defer unlock()
	cl.q.hook("putback:locked")
	cl.q.putBack(cl.path, cl.token, appendLines(nil, rest))
}

func (cl *claim) close() {
	if cl.f != nil {
		cl.f.Close()
		cl.f = nil
	}
}

// putBack returns the lines own of the claim at path to the queue, under
// the queue's lock and with the claim closed: in one new file, own followed
// by the queue's lines behind a sending marker of the claim's token,
// renamed first over the claim (which then still holds own alone, the
// queue's copy being a section it ignores) and then over the queue (the
// claim is gone and the queue holds both, in one rename). Within the cap
// the queue's lines are kept first, being the newer.
func (q queue) putBack(path, token string, own []byte) error {
	queued, _, err := readFile(q.path, QueueCap)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err // something that is not our queue stands there: leave it
	}
	var marker []byte
	if len(queued) > 0 {
		marker, _ = appendMarker(nil, token, stateSending)
	}
	own = keepNewest(own, QueueCap-len(queued)-len(marker))
	if len(own) == 0 {
		// All of them older than a full queue: dropped by the cap.
		return os.Remove(path)
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

// mergeStale puts back, under the queue's lock, the pending lines of every
// claim that no sender holds and that is StaleClaim old, and removes such
// claims that hold nothing pending.
func (q queue) mergeStale(now time.Time) {
	for _, p := range q.claimPaths() {
		token, _ := q.dir.SendingToken(p)
		f, err := lockFile(p, os.O_RDWR)
		if err != nil {
			continue // its sender is alive, or it is not a regular file: left alone
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
		_, raw := parseLines(data, token)
		if len(raw) == 0 {
			os.Remove(p)
			continue
		}
		q.hook("merge:read")
		q.putBack(p, token, joinLines(raw))
	}
}

// removeLeftovers deletes, under the queue's lock, what interrupted writes
// left: copies, never the only place of a line. A temporary file of this
// version is written under the lock, so one found now is a dead process's;
// earlier versions wrote aside without it, so theirs go once they are
// StaleClaim old, and the spare copy of the queue they kept goes now.
func (q queue) removeLeftovers() {
	patterns := q.leftoverPatterns()
	for i, pattern := range patterns {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			fi, err := os.Lstat(p)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			if i < len(patterns)-1 || p == q.dir.QueueSpare() || time.Since(fi.ModTime()) > StaleClaim {
				os.Remove(p)
			}
		}
	}
}
