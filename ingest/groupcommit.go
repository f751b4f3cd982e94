package ingest

import (
	"context"
	"fmt"
	"time"
)

// Store queues one request's events for the writer and waits until the
// transaction holding them is committed and the log fsynced (nil), or
// either failed (the error). It returns ErrBusy at once when the queue is
// full. The events are read, not kept, after Store returns.
func (s *SQLiteSink) Store(ctx context.Context, events []Accepted) error {
	if len(events) == 0 {
		return nil
	}
	p, err := prepare(events, s.w.words)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errSinkClosed
	}
	// One request bigger than the whole queue still goes through when the
	// queue is empty, so a small QueueEvents cannot refuse everything.
	if s.queued > 0 && s.queued+len(events) > s.cfg.QueueEvents {
		s.mu.Unlock()
		s.cfg.Metrics.QueueFull.Add(1)
		return ErrBusy
	}
	s.queue = append(s.queue, p)
	s.queued += len(events)
	s.mu.Unlock()
	s.signal()
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		// The events may still be committed; the caller only stops waiting.
		return ctx.Err()
	}
}

func (s *SQLiteSink) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// maintenanceEvery is how often an idle writer looks at retention and the
// budget; a busy one looks between groups.
const maintenanceEvery = time.Second

// syncBacklog bounds the committed groups waiting for the syncer; past it
// the writer waits, so a disk that stalls fsyncs stalls the writer too and
// the queue in front of it fills (503s) instead of memory growing.
const syncBacklog = 64

// run is the writer: it commits groups as they come, hands them to the
// syncer, and does maintenance between them, until Close has been called
// and the queue is empty.
func (s *SQLiteSink) run() {
	defer close(s.toSync)
	ctx := context.Background()
	timer := time.NewTimer(0)
	defer timer.Stop()
	more := true // maintenance left to do: do not wait for a wake-up
	for {
		group, stopping := s.take(more, timer)
		if len(group) > 0 {
			err := s.w.commit(ctx, group)
			m := s.cfg.Metrics
			m.Commits.Add(1)
			m.CommittedRequests.Add(int64(len(group)))
			s.mu.Lock()
			s.taken = 0
			if err == nil {
				s.unsynced++
			}
			s.mu.Unlock()
			if err != nil {
				s.cfg.Logger.Error("sqlite commit failed", "err", err, "requests", len(group))
				answer(group, err)
			} else {
				s.toSync <- group
			}
		}
		if stopping {
			return
		}
		var err error
		more, err = s.w.maintain(ctx, s.cfg.Now())
		if err != nil {
			s.cfg.Logger.Error("sqlite maintenance failed", "err", err)
			more = false
		}
	}
}

// holdEvents is how many queued events make the writer commit even while
// a committed group still waits for the syncer (see take).
const holdEvents = 2_000

// take waits for queued requests (unless more maintenance is due) and
// removes up to MaxGroupEvents events' worth from the queue, in arrival
// order. It does not wait for a group to fill, with one exception: while
// a group the writer committed still waits for the syncer to begin its
// fsync, requests that arrive are left in the queue (up to holdEvents).
// Committed now or when the syncer takes that group, they would be made
// durable by the same fsync, the one after it, and so answered at the same
// time; committed together they cost the transaction's fixed part (its
// statements, the log's page writes) once instead of once per small group.
// stopping is set once Close has been called and nothing is left.
func (s *SQLiteSink) take(more bool, timer *time.Timer) (group []*prepared, stopping bool) {
	for {
		s.mu.Lock()
		hold := s.unsynced > 0 && s.queued < min(holdEvents, s.cfg.MaxGroupEvents) && !s.closed
		if len(s.queue) > 0 && !hold {
			n, events := 0, 0
			for n < len(s.queue) && (n == 0 || events+s.queue[n].events <= s.cfg.MaxGroupEvents) {
				events += s.queue[n].events
				n++
			}
			group = append(group, s.queue[:n]...)
			clear(s.queue[:n])
			s.queue = s.queue[n:]
			if len(s.queue) == 0 {
				s.queue = nil
			}
			s.queued -= events
			s.taken = events
			s.mu.Unlock()
			return group, false
		}
		closed := s.closed && len(s.queue) == 0
		s.mu.Unlock()
		if closed {
			return nil, true
		}
		if more {
			return nil, false
		}
		timer.Reset(maintenanceEvery)
		select {
		case <-s.wake:
			// Since Go 1.23 Stop and Reset discard a pending tick.
			timer.Stop()
		case <-timer.C:
			return nil, false
		}
	}
}

// syncLoop is the syncer: it fsyncs the write-ahead log for every group
// committed since its last fsync, then answers their requests. If the
// fsync fails their rows may not be on disk, so they get the error (a 503)
// though committed.
func (s *SQLiteSink) syncLoop() {
	defer close(s.synced)
	for group := range s.toSync {
		groups := [][]*prepared{group}
	gather:
		for {
			select {
			case g, ok := <-s.toSync:
				if !ok {
					break gather
				}
				groups = append(groups, g)
			default:
				break gather
			}
		}
		s.mu.Lock()
		s.unsynced -= len(groups)
		s.mu.Unlock()
		s.signal() // the writer may be holding requests back for this
		err := s.syncWAL()
		s.cfg.Metrics.Syncs.Add(1)
		if err != nil {
			err = fmt.Errorf("sqlite: fsync the write-ahead log: %w", err)
			s.cfg.Logger.Error("fsync failed", "err", err)
		}
		for _, g := range groups {
			answer(g, err)
		}
	}
}

func answer(group []*prepared, err error) {
	for _, p := range group {
		p.done <- err
	}
}
