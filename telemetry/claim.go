package telemetry

import (
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
// may have reached the endpoint. Every change of a file's content is a new
// file renamed over the old one, and a put-back renames the claim itself
// over the queue, so a kill at any instant leaves each line in exactly one
// place: never twice, and lost only as one that was sending.

// claim is a queue taken by one sender, open and locked until finish.
type claim struct {
	q     queue
	token string
	path  string
	h     handle
	// marks holds the offset of each batch's state byte once the claim
	// is rewritten by sections (divide).
	marks []int64
}

// claim merges back the claims of dead senders, then, if due says the
// queue holds something to send, renames the queue to a claim of its own
// and returns it with the queue's lines. It returns nil when there is
// nothing to send or the queue cannot be had.
func (q queue) claim(now time.Time, due func([]entry) bool) (*claim, []entry) {
	claims := q.claimPaths()
	// A queue is created only to put claims back into; otherwise a missing
	// queue means nothing to send.
	qh, qst, err := q.lockQueue(len(claims) > 0)
	if err != nil {
		return nil, nil
	}
	hook("claim:locked")
	if len(claims) > 0 {
		qh, qst = q.mergeStaleLocked(qh, qst, claims, now)
	}
	q.removeStaleTemps()
	data, err := readTail(qh, qst, readWindow, 0)
	if err != nil {
		qh.close()
		return nil, nil
	}
	entries, _ := parseLines(data, "")
	if !due(entries) {
		qh.close()
		return nil, nil
	}
	token := uuid.NewString()
	cl := &claim{q: q, token: token, path: q.dir.Sending(token)}
	qh.beforeRename()
	if err := os.Rename(q.path, cl.path); err != nil {
		qh.close()
		return nil, nil
	}
	hook("claim:renamed")
	qh.releaseLock() // where the lock is the name's, not the file's
	// The claim's time is its sender's, not the last append's: another
	// process must not take it for a dead sender's.
	t := time.Now()
	os.Chtimes(cl.path, t, t)
	qh.path = cl.path
	cl.h = qh
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
	tmp, err := cl.q.writeAside(buf)
	if err != nil {
		return err
	}
	hook("divide:written")
	if err := cl.q.replace(tmp, cl.h, cl.path); err != nil {
		return err
	}
	hook("divide:renamed")
	cl.h.close()
	tmp.path = cl.path
	cl.h, cl.marks = tmp, marks
	return nil
}

// mark sets the state of batch i's section in place: one byte, written
// before the batch's request starts (S) or after it made no connection (P).
func (cl *claim) mark(i int, state byte) error {
	return cl.h.writeAt([]byte{state}, cl.marks[i])
}

// finish ends the claim: the lines of rest go back to the queue (keep
// them) or are dropped. When the put-back fails (a full disk, a lock held
// too long), the claim stays as it is, its pending lines exactly those of
// rest, and is merged back by a later flush once it is StaleClaim old.
func (cl *claim) finish(rest []entry, keep bool) {
	defer func() { cl.h.close() }()
	if !keep || len(rest) == 0 {
		if os.Remove(cl.path) == nil {
			hook("finish:removed")
		}
		return
	}
	qh, qst, err := cl.q.lockQueue(true)
	if err != nil {
		return
	}
	hook("putback:locked")
	qh, _, _ = cl.q.putBackLocked(qh, qst, cl.h, cl.path, cl.token, appendLines(nil, rest))
	qh.close()
}

// putBackLocked returns the lines own of the claim at path (open as ch)
// to the queue, whose lock qh holds: in one new file, own followed by the
// queue's lines behind a sending marker of the claim's token, renamed first
// over the claim (which then still holds own alone, the queue's copy being
// a section it ignores) and then over the queue (the claim is gone and the
// queue holds both, in one rename). Within the cap the queue's lines come
// first, being the newer. It returns the queue's handle afterwards: the new
// file, locked, or qh unchanged on failure.
func (q queue) putBackLocked(qh handle, qst fileState, ch handle, path, token string, own []byte) (handle, fileState, error) {
	queued, err := readTail(qh, qst, QueueCap, 0)
	if err != nil {
		return qh, qst, err
	}
	var marker []byte
	if len(queued) > 0 {
		marker, _ = appendMarker(nil, token, stateSending)
	}
	own = keepNewest(own, QueueCap-len(queued)-len(marker))
	if len(own) == 0 {
		// All of them older than a full queue: dropped by the cap.
		os.Remove(path)
		return qh, qst, nil
	}
	buf := make([]byte, 0, len(own)+len(marker)+len(queued))
	buf = append(append(append(buf, own...), marker...), queued...)
	tmp, err := q.writeAside(buf)
	if err != nil {
		return qh, qst, err
	}
	hook("putback:written")
	if err := q.replace(tmp, ch, path); err != nil {
		return qh, qst, err
	}
	hook("putback:claimed")
	qh.beforeRename()
	if err := os.Rename(path, q.path); err != nil {
		// The claim holds own and an ignored copy: merged back later.
		tmp.close()
		return qh, qst, err
	}
	hook("putback:queued")
	tmp.takeLock(qh)
	qh.close()
	tmp.path = q.path
	st, err := tmp.state()
	return tmp, st, err
}

// mergeStaleLocked puts back the pending lines of every claim whose sender
// is gone (its lock is free) and that is StaleClaim old, and removes such
// claims that hold nothing pending. qh is the locked queue; the returned
// handle is the queue afterwards.
func (q queue) mergeStaleLocked(qh handle, qst fileState, paths []string, now time.Time) (handle, fileState) {
	for _, p := range paths {
		token, ok := q.dir.SendingToken(p)
		if !ok {
			continue
		}
		h, err := openHandle(p, os.O_RDWR, "")
		if err != nil {
			continue // not a regular file, or gone: left alone
		}
		if ok, err := h.tryLock(); !ok || err != nil {
			h.close() // its sender is alive
			continue
		}
		st, err := h.state()
		if err != nil || !st.linked || !h.namedHere(st) || now.Sub(st.mtime) < StaleClaim {
			h.close()
			continue
		}
		data, err := readTail(h, st, readWindow, 0)
		if err != nil {
			h.close()
			continue
		}
		_, raw := parseLines(data, token)
		if len(raw) == 0 {
			os.Remove(p)
			h.close()
			continue
		}
		hook("merge:read")
		nq, nst, err := q.putBackLocked(qh, qst, h, p, token, joinLines(raw))
		h.close()
		if err == nil {
			qh, qst = nq, nst
		}
	}
	return qh, qst
}

// removeStaleTemps deletes files written aside by processes that died
// before renaming them: copies, never the only place of a line.
func (q queue) removeStaleTemps() {
	temps, _ := filepath.Glob(q.dir.QueueTempPattern())
	for _, p := range temps {
		if fi, err := os.Lstat(p); err == nil && time.Since(fi.ModTime()) > StaleClaim {
			os.Remove(p)
		}
	}
}
