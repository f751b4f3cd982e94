package ingest

import (
	"container/list"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per machine ID with a hard cap on how many IDs it
// remembers. When the cap is reached the least recently seen ID is forgotten:
// an attacker minting fresh IDs can only evict idle entries, never grow
// memory. A forgotten ID starts again with a full burst, which is the same
// allowance a new machine gets, so eviction never refuses anyone.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	max     int
	entries map[string]*list.Element
	lru     *list.List // front = most recently seen
}

type limiterEntry struct {
	id  string
	lim *rate.Limiter
}

func newLimiter(perMinute float64, burst, maxIDs int) *limiter {
	return &limiter{
		every:   rate.Limit(perMinute / 60),
		burst:   burst,
		max:     maxIDs,
		entries: make(map[string]*list.Element, min(maxIDs, 1024)),
		lru:     list.New(),
	}
}

// allow reports whether machine id may send a request at now.
func (l *limiter) allow(id string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.entries[id]; ok {
		l.lru.MoveToFront(el)
		return el.Value.(*limiterEntry).lim.AllowN(now, 1)
	}
	var e *limiterEntry
	if l.lru.Len() >= l.max {
		// Reuse the oldest entry's memory for the newcomer.
		el := l.lru.Back()
		e = el.Value.(*limiterEntry)
		delete(l.entries, e.id)
		l.lru.Remove(el)
		e.id = id
		e.lim = rate.NewLimiter(l.every, l.burst)
	} else {
		e = &limiterEntry{id: id, lim: rate.NewLimiter(l.every, l.burst)}
	}
	l.entries[id] = l.lru.PushFront(e)
	return e.lim.AllowN(now, 1)
}
