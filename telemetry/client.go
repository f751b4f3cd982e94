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
	"context"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Environment variables the client reads.
const (
	EnvEndpoint = "CODEGRAPH_TELEMETRY_ENDPOINT"
	EnvDebug    = "CODEGRAPH_TELEMETRY_DEBUG"
)

// Notice is the one line printed to stderr right before the first bytes ever
// leave a machine that has not made an explicit choice.
const Notice = consent.Notice

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
	// Version is codegraph's version; GOOS, GOARCH and GoVersion default to
	// the running binary's.
	Version, GOOS, GOARCH, GoVersion string
}

// Client records usage and sends it. The zero value is not usable; a nil
// *Client is, and records nothing.
type Client struct {
	opts    Options
	dir     statedir.Dir
	consent *consent.Store
	queue   queue
	// envelope holds the fields fixed for the life of the process.
	envelope envelope

	// on is the last consent decision; day the current UTC day number.
	// Both are read on the hot path.
	on  atomic.Bool
	day atomic.Int64
	// sendFailed is set by a transport failure: the lines went back to the
	// queue for a later process, and this one sends nothing more (no retry).
	sendFailed atomic.Bool

	mu       sync.Mutex
	counters map[counterKey]*Counter
	slotDay  [2]int64
	carry    []entry // deltas of a day slot harvested before its reuse
	pending  []entry // lifecycle events not yet persisted
	// seen is the updated_at of the config at the last resolve (zero when
	// there was none); looked reports that a resolve happened.
	seen   time.Time
	looked bool
	closed bool
	// last is the decision of the last resolve (Snapshot reports it).
	last consent.Decision
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
	if opts.GOOS == "" {
		opts.GOOS = runtime.GOOS
	}
	if opts.GOARCH == "" {
		opts.GOARCH = runtime.GOARCH
	}
	if opts.GoVersion == "" {
		opts.GoVersion = buildinfo.GoVersion()
	}
	if opts.Version == "" {
		opts.Version = buildinfo.CodegraphVersion()
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

func dayNumber(t time.Time) int64 {
	return t.UTC().Unix() / 86400
}

func dayStart(day int64) time.Time { return time.Unix(day*86400, 0).UTC() }

// resolve re-reads consent. When an explicit "on" was stored after our last
// look, counts recorded before it are dropped: an off/on cycle in another
// process must not let anything recorded before it through, and from here we
// cannot tell whether an "off" came in between.
func (c *Client) resolve() consent.Decision {
	d := c.Decide()
	var stamp time.Time
	if d.Config != nil {
		stamp = d.Config.UpdatedAt
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.looked && d.Enabled && d.Config != nil && d.Config.Explicit() && !stamp.Equal(c.seen) {
		c.harvestLocked() // discard
	}
	c.seen, c.looked = stamp, true
	c.last = d
	c.on.Store(d.Enabled)
	return d
}

// Decide resolves consent (consent.Store.Resolve, which also refuses a
// state directory that cannot be used). Every decision of the client is
// made here.
func (c *Client) Decide() consent.Decision { return c.consent.Resolve() }

// StateDirProblem describes a state directory that cannot be used (see
// Decide); nil when it can.
func (c *Client) StateDirProblem() error {
	if c == nil {
		return nil
	}
	return c.dir.Check()
}

// Refresh re-reads consent now. A command that changed the stored choice
// itself calls it, so that its own change is not taken for another
// process's off/on cycle at the next persist.
func (c *Client) Refresh() {
	if c != nil {
		c.resolve()
	}
}

// Tick moves the day counters to the current UTC day. Long-lived processes
// call it from a timer at each midnight; Persist calls it too.
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
	// The slot about to hold today last held an older day: keep its counts
	// under that day before reuse.
	slot := today & 1
	for _, ctr := range c.counters {
		if e, ok := ctr.harvest(slot, c.slotDay[slot]); ok {
			c.carry = append(c.carry, e)
		}
	}
	c.slotDay[slot] = today
	c.day.Store(today)
}

// harvest takes the counts of one day slot as a rollup delta.
func (ctr *Counter) harvest(slot, day int64) (entry, bool) {
	v := ctr.slots[slot].Swap(0)
	if v == 0 {
		return entry{}, false
	}
	calls, errs := splitSlot(v)
	props := map[string]any{"kind": ctr.kind, "name": ctr.name, "count": calls}
	if errs > 0 {
		props["error_count"] = errs
	}
	if ctr.clientName != "" {
		props["client_name"] = ctr.clientName
	}
	if ctr.clientVersion != "" {
		props["client_version"] = ctr.clientVersion
	}
	return entry{Event: schema.EventUsageRollup, TS: dayTS(day), Props: props}, true
}

// dayTS is the time of a rollup: the start of its UTC day.
func dayTS(day int64) string { return dayStart(day).Format(time.RFC3339) }

// harvestLocked takes every count and pending event out of memory.
func (c *Client) harvestLocked() []entry {
	out := make([]entry, 0, len(c.carry)+len(c.pending)+len(c.counters))
	out = append(append(out, c.carry...), c.pending...)
	c.carry, c.pending = nil, nil
	for _, ctr := range c.counters {
		for slot := int64(0); slot < 2; slot++ {
			if e, ok := ctr.harvest(slot, c.slotDay[slot]); ok {
				out = append(out, e)
			}
		}
	}
	return out
}

// Emit buffers a lifecycle event built by InstallEvent, IndexEvent or
// UninstallEvent. It is kept in memory until the next Persist.
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

// Persist appends the in-memory deltas to the queue file. When consent is
// off by now they are discarded instead. Errors are swallowed: telemetry
// never fails a command.
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
	n, _ := c.queue.appendEntries(entries)
	if n < len(entries) {
		// Not written (a full disk, a refused file): kept for the next
		// persist of this process, within bounds.
		c.mu.Lock()
		c.carry = append(c.carry, entries[n:]...)
		if len(c.carry) > maxCarry {
			c.carry = sumRollups(c.carry)
			c.carry = c.carry[max(0, len(c.carry)-maxCarry):]
		}
		c.mu.Unlock()
	}
}

// maxCarry bounds the deltas a process keeps in memory while they cannot
// be written.
const maxCarry = 1000

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

// Pending is what is buffered on disk, split by when it may be sent. A
// day's counts are sent only once that UTC day has ended (a count of a day
// still running would be sent again, larger, later), so right after a
// command the queue usually holds counts that no flush will send yet:
// `telemetry status` says so rather than leave "pending" unexplained next
// to an empty `telemetry show`.
type Pending struct {
	// Ready: lifecycle events and counts of completed UTC days, which the
	// next flush may send (within its request cap).
	Ready int
	// WaitingForDayEnd: counts of the current UTC day, sent by the first
	// flush after DayEnds.
	WaitingForDayEnd int
	// DatedInFuture: of WaitingForDayEnd, those dated after today (by a
	// clock that was wrong), which are treated as today's; the next flush
	// stores them so.
	DatedInFuture int
	// DayEnds is the end of the current UTC day (the next 00:00 UTC).
	DayEnds time.Time
}

// Pending reports the events buffered on disk by when they may be sent,
// by the client's clock (as Snapshot reads them).
func (c *Client) Pending() Pending { return c.Snapshot().Pending }

// pendingOf splits buffered entries by when they may be sent, at now.
func pendingOf(entries []entry, now time.Time) Pending {
	p := Pending{DayEnds: dayStart(dayNumber(now) + 1)}
	today := now.UTC().Format(time.DateOnly)
	entries, future := treatFutureAsToday(entries, today)
	p.DatedInFuture = len(sumRollups(future))
	for _, e := range sumRollups(entries) {
		if waitsForDayEnd(e, today) {
			p.WaitingForDayEnd++
		} else {
			p.Ready++
		}
	}
	return p
}

// Snapshot is what `codegraph telemetry status` reports, read in one
// pass: the consent decision this client made last (New makes one, so
// the consent file is not read again), and what is pending on disk with
// the first queue or claim file that cannot be used, each file read once.
type Snapshot struct {
	Decision consent.Decision
	Pending  Pending
	// QueueProblem describes a file that stands where the queue or a claim
	// belongs and that telemetry cannot use (a symbolic link, a FIFO, a
	// directory, an unreadable file), naming it once and saying what to
	// do; nil when there is none. Telemetry itself never reports it:
	// `telemetry status` does.
	QueueProblem error
}

// Snapshot reads what `telemetry status` reports, each file once (see
// Snapshot). Nothing is read when the state directory cannot be used
// (Decide).
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
		return s // nothing is read through it (Decide said why)
	}
	entries, problem := c.queue.scan(now, false)
	s.Pending = pendingOf(entries, now)
	s.QueueProblem = problem
	return s
}

// DeleteQueue removes the queue, all claims and the log of what was sent
// (`telemetry off`, `reset`), and forgets what this process holds in
// memory.
func (c *Client) DeleteQueue() error {
	c.mu.Lock()
	c.harvestLocked()
	c.mu.Unlock()
	if err := c.dir.Check(); err != nil {
		return err // nothing is deleted through it
	}
	return c.queue.removeAll()
}
