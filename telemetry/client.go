// Package telemetry is codegraph's anonymous usage client: in-memory counters
// on the hot path, per-UTC-day rollups, a bounded queue file in
// ~/.codegraph, and fire-and-forget flushes to the telemetry endpoint.
//
// It sends only what package schema allows, and only while package consent
// says telemetry is on; consent is resolved again before every persist and
// every flush, so "codegraph telemetry off" silences running processes before
// their next write or send. When off, no socket is ever opened. Every failure
// is silent: this package never returns an error to the user's command,
// never retries within a process, and never writes to stdout.
//
// It depends on the standard library, uuid, the schema and consent only.
package telemetry

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
)

// Environment variables the client reads.
const (
	EnvEndpoint = "CODEGRAPH_TELEMETRY_ENDPOINT"
	EnvDebug    = "CODEGRAPH_TELEMETRY_DEBUG"
)

// SendTimeout bounds one request: a flush never makes a command wait longer.
const SendTimeout = 1500 * time.Millisecond

// Options are the client's inputs, all injected.
type Options struct {
	Home   string
	Getenv func(string) string
	Now    func() time.Time
	// Stderr receives the first-run notice and, with
	// CODEGRAPH_TELEMETRY_DEBUG=1, each payload. Never stdout.
	Stderr io.Writer
	// HTTPClient sends the requests; nil means a client of its own.
	HTTPClient *http.Client
	// Version is codegraph's; GOOS, GOARCH and GoVersion default to the
	// running binary's.
	Version, GOOS, GOARCH, GoVersion string
}

// Client records usage and sends it. A nil *Client records nothing.
type Client struct {
	opts     Options
	dir      statedir.Dir
	consent  *consent.Store
	queue    queue
	envelope envelope // the fields fixed for the life of the process

	// on is the last consent decision and day the current UTC day number,
	// both read on the hot path. sendFailed is set by a transport failure:
	// this process sends nothing more (no retry).
	on, sendFailed atomic.Bool
	day            atomic.Int64

	mu       sync.Mutex
	counters map[counterKey]*Counter
	slotDay  [2]int64
	carry    []entry // deltas harvested but not yet written
	pending  []entry // lifecycle events not yet persisted
	// seen is the config's updated_at at the last resolve, whose decision
	// is last; looked reports that one happened.
	seen   time.Time
	looked bool
	closed bool
	last   consent.Decision
}

// New returns a client for the state directory of opts.Home and resolves
// consent once, so that recording starts in the right state.
func New(opts Options) *Client {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	opts.GOOS = cmp.Or(opts.GOOS, runtime.GOOS)
	opts.GOARCH = cmp.Or(opts.GOARCH, runtime.GOARCH)
	opts.GoVersion = cmp.Or(opts.GoVersion, buildinfo.GoVersion())
	if opts.Version == "" {
		opts.Version = buildinfo.CodegraphVersion() // may read the build info: only when needed
	}
	dir := statedir.ForHome(opts.Home)
	c := &Client{
		opts:     opts,
		dir:      dir,
		consent:  consent.NewStore(dir, opts.Getenv, opts.Now),
		queue:    newQueue(dir),
		envelope: baseEnvelope(opts),
		counters: map[counterKey]*Counter{},
	}
	today := dayNumber(opts.Now())
	c.day.Store(today)
	c.slotDay[today&1] = today
	c.slotDay[(today+1)&1] = today - 1
	c.resolve()
	return c
}

// Consent is the store the client resolves with.
func (c *Client) Consent() *consent.Store { return c.consent }

func dayNumber(t time.Time) int64 { return t.UTC().Unix() / 86400 }

func dayStart(day int64) time.Time { return time.Unix(day*86400, 0).UTC() }

// dayTS is the time of a rollup: the start of its UTC day.
func dayTS(day int64) string { return dayStart(day).Format(time.RFC3339) }

// resolve re-reads consent. An explicit "on" stored since the last look
// drops what was recorded before it: another process's off/on cycle must
// not let it through, and from here an "off" in between cannot be seen.
func (c *Client) resolve() consent.Decision {
	d := c.Decide()
	var stamp time.Time
	if d.Config != nil {
		stamp = d.Config.UpdatedAt
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.looked && d.Enabled && d.Config != nil && d.Config.Explicit() && !stamp.Equal(c.seen) {
		c.harvestLocked() // discarded
	}
	c.seen, c.looked, c.last = stamp, true, d
	c.on.Store(d.Enabled)
	return d
}

// Decide resolves consent: every decision of the client is made here
// (consent.Store.Resolve, which also refuses an unusable state directory).
func (c *Client) Decide() consent.Decision { return c.consent.Resolve() }

// StateDirProblem describes a state directory that cannot be used; nil
// when it can.
func (c *Client) StateDirProblem() error {
	if c == nil {
		return nil
	}
	return c.dir.Check()
}

// Refresh re-reads consent now: a command that changed the stored choice
// calls it, so that its own change is not taken for another process's
// off/on cycle at the next persist.
func (c *Client) Refresh() {
	if c != nil {
		c.resolve()
	}
}

// Tick moves the counters to the current UTC day. Long-lived processes
// call it at each midnight (Start); Persist calls it too.
func (c *Client) Tick() {
	if c == nil {
		return
	}
	today := dayNumber(c.opts.Now())
	c.mu.Lock()
	defer c.mu.Unlock()
	if today <= c.day.Load() {
		return
	}
	// The slot about to hold today last held an older day: keep its
	// counts under that day.
	slot := today & 1
	for _, ctr := range c.counters {
		if e, ok := ctr.harvest(slot, c.slotDay[slot]); ok {
			c.carry = append(c.carry, e)
		}
	}
	c.slotDay[slot] = today
	c.day.Store(today)
}

// harvestLocked takes every count and pending event out of memory.
func (c *Client) harvestLocked() []entry {
	out := slices.Concat(c.carry, c.pending)
	c.carry, c.pending = nil, nil
	for _, ctr := range c.counters {
		for slot := range int64(2) {
			if e, ok := ctr.harvest(slot, c.slotDay[slot]); ok {
				out = append(out, e)
			}
		}
	}
	return out
}

// Emit buffers a lifecycle event built by InstallEvent, IndexEvent or
// UninstallEvent until the next Persist or Flush.
func (c *Client) Emit(ev Event) {
	if c == nil || !c.on.Load() || ev.name == "" {
		return
	}
	c.mu.Lock()
	c.pending = append(c.pending, entry{Event: ev.name, TS: c.opts.Now().UTC().Format(time.RFC3339), Props: ev.props})
	c.mu.Unlock()
}

// takeEvents takes the lifecycle events not yet persisted out of memory.
func (c *Client) takeEvents() []entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	own := c.pending
	c.pending = nil
	return own
}

// takeBack returns events to memory, to be persisted with the rest.
func (c *Client) takeBack(events []entry) {
	c.mu.Lock()
	c.pending = append(c.pending, events...)
	c.mu.Unlock()
}

// maxCarry bounds the deltas a process keeps while they cannot be written.
const maxCarry = 1000

// Persist appends what is in memory to the queue, or discards it when
// consent is off by now. What cannot be written (a full disk, a refused
// file) is kept for the next persist, within maxCarry. It never fails a
// command.
func (c *Client) Persist() {
	if c == nil {
		return
	}
	c.Tick()
	d := c.resolve()
	c.mu.Lock()
	entries := c.harvestLocked()
	c.mu.Unlock()
	if !d.Enabled || len(entries) == 0 {
		return
	}
	if n, _ := c.queue.appendEntries(entries); n < len(entries) {
		c.mu.Lock()
		c.carry = sumRollups(append(c.carry, entries[n:]...))
		c.carry = c.carry[max(0, len(c.carry)-maxCarry):]
		c.mu.Unlock()
	}
}

// Close persists what is in memory. Commands call it before the process
// exits; it is safe to call more than once.
func (c *Client) Close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	closed := c.closed
	c.closed = true
	c.mu.Unlock()
	if !closed {
		c.Persist()
	}
}

// Start runs the upkeep of a long-lived process until ctx ends: counters
// move to the new day at each UTC midnight, are persisted every persistEvery
// and flushed every flushEvery (0 disables either).
func (c *Client) Start(ctx context.Context, persistEvery, flushEvery time.Duration) {
	if c == nil {
		return
	}
	go func() {
		var persistC, flushC <-chan time.Time
		if persistEvery > 0 {
			t := time.NewTicker(persistEvery)
			defer t.Stop()
			persistC = t.C
		}
		if flushEvery > 0 {
			t := time.NewTicker(flushEvery)
			defer t.Stop()
			flushC = t.C
		}
		for {
			now := c.opts.Now().UTC()
			midnight := time.NewTimer(dayStart(dayNumber(now) + 1).Sub(now))
			select {
			case <-ctx.Done():
				midnight.Stop()
				return
			case <-midnight.C:
				c.Tick()
			case <-persistC:
				c.Persist()
			case <-flushC:
				c.Flush(ctx)
			}
			midnight.Stop()
		}
	}()
}

// Pending is what is buffered on disk, by when it may be sent. A day's
// counts wait for its end, so right after a command the queue usually
// holds counts no flush sends yet: `telemetry status` says so.
type Pending struct {
	Ready            int       // events and counts of completed days: the next flush may send them
	WaitingForDayEnd int       // counts of today, sent by the first flush after DayEnds
	DatedInFuture    int       // of those, counts dated after today (a wrong clock), treated as today's
	DayEnds          time.Time // the next 00:00 UTC
}

// Pending reports what is buffered on disk (as Snapshot reads it).
func (c *Client) Pending() Pending { return c.Snapshot().Pending }

// Snapshot is what `codegraph telemetry status` reports: the consent
// decision this client made last (so the consent file is not read again),
// what is pending, and QueueProblem, the first file standing where the
// queue or a claim belongs that telemetry cannot use (a link, a FIFO, a
// directory), said with what to do. Telemetry itself never reports it.
type Snapshot struct {
	Decision     consent.Decision
	Pending      Pending
	QueueProblem error
}

// Snapshot reads the queue and each claim once. Nothing is read through a
// state directory that cannot be used (Decide says why).
func (c *Client) Snapshot() Snapshot {
	if c == nil {
		return Snapshot{}
	}
	c.mu.Lock()
	s := Snapshot{Decision: c.last}
	c.mu.Unlock()
	now := c.opts.Now()
	s.Pending.DayEnds = dayStart(dayNumber(now) + 1)
	if c.dir.Check() != nil {
		return s
	}
	var entries []entry
	entries, s.QueueProblem = c.queue.scan(now, false)
	today := now.UTC().Format(time.DateOnly)
	s.Pending.DatedInFuture = len(sumRollups(redateFuture(entries, today)))
	for _, e := range sumRollups(entries) {
		if waitsForDayEnd(e, today) {
			s.Pending.WaitingForDayEnd++
		} else {
			s.Pending.Ready++
		}
	}
	return s
}

// DeleteQueue removes the queue, all claims and the log of what was sent
// (`telemetry off`, `reset`), and forgets what this process holds.
func (c *Client) DeleteQueue() error {
	c.mu.Lock()
	c.harvestLocked()
	c.mu.Unlock()
	if err := c.dir.Check(); err != nil {
		return err // nothing is deleted through it
	}
	return c.queue.removeAll()
}
