package telemetry

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// MaxRequestsPerFlush bounds one flush; what is left waits for a later one.
const MaxRequestsPerFlush = 8

// maxCount is the schema's maximum of count and error_count: a larger sum
// would be dropped by the ingest, so sums stop there.
const maxCount = 1_000_000

// envelope is the body of one request; field order is the wire order.
type envelope struct {
	MachineID        *string `json:"machine_id"`
	CodegraphVersion string  `json:"codegraph_version,omitempty"`
	OS               string  `json:"os,omitempty"`
	Arch             string  `json:"arch,omitempty"`
	GoVersion        string  `json:"go_version,omitempty"`
	CI               bool    `json:"ci"`
	SchemaVersion    int     `json:"schema_version"`
	Events           []entry `json:"events"`
}

// placeholderID has a real machine ID's length: batches are planned before
// the ID is known (or minted) and still split at exactly 64 KiB.
const placeholderID = "00000000-0000-0000-0000-000000000000"

// baseEnvelope holds the fields fixed for the life of the process. A value
// the schema would strip (an odd version string) is left out, not sent.
func baseEnvelope(opts Options) envelope {
	clean, _, _ := schema.CleanEnvelope(map[string]any{
		"machine_id": placeholderID, "codegraph_version": opts.Version,
		"os": opts.GOOS, "arch": opts.GOARCH, "go_version": opts.GoVersion,
	})
	str := func(k string) string { s, _ := clean[k].(string); return s }
	return envelope{CodegraphVersion: str("codegraph_version"), OS: str("os"), Arch: str("arch"),
		GoVersion: str("go_version"), CI: opts.Getenv("CI") != "", SchemaVersion: schema.Version}
}

// body is one request's body under machineID ("" sends null).
func (c *Client) body(machineID string, events []entry) []byte {
	env := c.envelope
	if machineID != "" {
		env.MachineID = &machineID
	}
	env.Events = events
	return mustJSON(env)
}

// mustJSON encodes without HTML escaping, so that people reading the queue
// or a debug echo see "<10s" rather than "\u003c10s".
func mustJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // only maps, strings and numbers: cannot fail
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// rollupKey sums deltas: one line per (UTC day, kind, name, client).
type rollupKey struct{ day, kind, name, clientName, clientVersion string }

// sumRollups merges the usage_rollup deltas of each key, after the
// lifecycle events, in a stable order: events by time, sums by key.
func sumRollups(entries []entry) []entry {
	var out []entry
	sums := map[rollupKey]*entry{}
	var keys []rollupKey
	for _, e := range entries {
		if e.Event != schema.EventUsageRollup {
			out = append(out, e)
			continue
		}
		str := func(k string) string { s, _ := e.Props[k].(string); return s }
		k := rollupKey{dayOf(e.TS), str("kind"), str("name"), str("client_name"), str("client_version")}
		s, ok := sums[k]
		if !ok {
			sums[k], keys = &entry{Event: e.Event, TS: k.day + "T00:00:00Z", Props: maps.Clone(e.Props)}, append(keys, k)
			continue
		}
		for _, f := range []string{"count", "error_count"} {
			if n, _ := e.Props[f].(int64); n > 0 {
				sum, _ := s.Props[f].(int64)
				s.Props[f] = min(sum+n, maxCount)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b entry) int { return strings.Compare(a.TS, b.TS) })
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(strings.Compare(a.day, b.day), strings.Compare(a.kind, b.kind), strings.Compare(a.name, b.name),
			strings.Compare(a.clientName, b.clientName), strings.Compare(a.clientVersion, b.clientVersion))
	})
	for _, k := range keys {
		out = append(out, *sums[k])
	}
	return out
}

// dayOf is the UTC date of an RFC 3339 time (parsed by parseLine already).
func dayOf(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// waitsForDayEnd reports a rollup of today (a UTC date) or later: a day's
// counts are sent once it has ended, or they would be sent again, larger.
func waitsForDayEnd(e entry, today string) bool {
	return e.Event == schema.EventUsageRollup && dayOf(e.TS) >= today
}

// redateFuture re-dates, in place, the rollups of a day after today as
// today's, and returns them as they were. Such a day comes from a clock
// that was wrong (2099, 9999): as today's they are sent when today ends,
// under a day the ingest accepts (CONTRACT §9), rather than wait for that
// day or for the cap to drop them.
func redateFuture(entries []entry, today string) (future []entry) {
	for i, e := range entries {
		if e.Event == schema.EventUsageRollup && dayOf(e.TS) > today {
			future = append(future, e)
			entries[i].TS = today + "T00:00:00Z"
		}
	}
	return future
}

// plan splits entries into request batches (lifecycle events and rollups
// of completed days; ≤100 events and ≤64 KiB a body; ≤8 requests) and what
// stays queued: today's rollups, and the over due entries that did not fit
// in 8 requests.
func (c *Client) plan(entries []entry) (batches [][]entry, keep []entry, over int) {
	today := c.opts.Now().UTC().Format(time.DateOnly)
	redateFuture(entries, today)
	overhead := len(c.body(placeholderID, []entry{}))
	var cur []entry
	size := overhead
	for _, e := range sumRollups(entries) {
		if waitsForDayEnd(e, today) {
			keep = append(keep, e)
			continue
		}
		n := len(marshalEntry(e)) + 1 // and its comma
		if len(cur) > 0 && (len(cur) == schema.MaxEventsPerRequest || size+n > schema.MaxBodyBytes) {
			batches, cur, size = append(batches, cur), nil, overhead
		}
		if len(batches) == MaxRequestsPerFlush {
			keep, over = append(keep, e), over+1
			continue
		}
		cur = append(cur, e)
		size += n
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches, keep, over
}

// Endpoint is where requests go: CODEGRAPH_TELEMETRY_ENDPOINT, else the
// built-in endpoint ("" in a build without telemetry).
func (c *Client) Endpoint() string {
	if !transportCompiled {
		return ""
	}
	return cmp.Or(c.opts.Getenv(EnvEndpoint), defaultEndpoint)
}

// Show returns the request bodies the next flush would send, without
// claiming or sending anything. machine_id is null while none is minted
// (the first send mints one).
func (c *Client) Show() [][]byte {
	if c == nil || !c.Decide().Enabled {
		return nil
	}
	entries, _ := c.queue.scan(c.opts.Now(), true)
	machineID := ""
	if cfg, err := c.consent.Load(); err == nil && cfg != nil {
		machineID = cfg.MachineID
	}
	batches, _, _ := c.plan(entries)
	var out [][]byte
	for _, b := range batches {
		out = append(out, c.body(machineID, b))
	}
	return out
}

// FlushResult is what one Flush did. Only `codegraph telemetry flush` says
// it; automatic flushes drop it, so their failures stay silent.
type FlushResult struct {
	Off    bool // telemetry is off, or not in this build: nothing read or sent
	Notice bool // this process printed the first-run notice: it sends nothing
	// Endpoint is where requests went; Requests were answered, with
	// Statuses in order, and held Sent events.
	Endpoint       string
	Requests, Sent int
	Statuses       []int
	Lost           int    // events handed to a connection that then failed: maybe arrived, never sent again
	Unreachable    bool   // no connection could be made: the due events went back to the queue
	Kept           int    // due events still queued: put back, over the request cap, or left when ctx ended
	Dropped        int    // events dropped unsent: the endpoint is not a URL that can be sent to
	Failed         string // why the queue could not be sent at all; "" when it could
	Why            string // a transport failure in a few words ("connection refused")
}

// OK reports that nothing failed: every request made was accepted (2xx),
// or none was due, or telemetry is off. Events over the request cap wait
// without a failure.
func (r FlushResult) OK() bool {
	for _, s := range r.Statuses {
		if s < 200 || s > 299 {
			return false
		}
	}
	return r.Lost == 0 && !r.Unreachable && r.Dropped == 0 && r.Failed == ""
}

// Flush sends what is due, at most once (claim.go): any HTTP response is
// final for its lines, and so is a failure after the request was handed to
// a connection (the body may have arrived). Only when no connection was
// made do the lines go back, for a later process: this one sends nothing
// more. This process's own events, not yet persisted, go too; what of them
// is not sent goes back to memory. Off returns before any network use.
// Each request is bounded by SendTimeout; Flush returns when ctx ends.
func (c *Client) Flush(ctx context.Context) FlushResult {
	if c == nil || !transportCompiled {
		return FlushResult{Off: true}
	}
	if c.sendFailed.Load() {
		return FlushResult{Failed: "an earlier send of this process failed, and it does not try again"}
	}
	if !c.resolve().Enabled {
		return FlushResult{Off: true}
	}
	now := c.opts.Now()
	today := now.UTC().Format(time.DateOnly)
	// Due is anything but a count of today: plan sends it, or re-dates it.
	cl, entries, err := c.queue.claim(now, func(queued []entry) bool {
		return slices.ContainsFunc(queued, func(e entry) bool {
			return e.Event != schema.EventUsageRollup || dayOf(e.TS) != today
		})
	})
	if err != nil {
		return FlushResult{Failed: "the queue cannot be read: " + err.Error()}
	}
	own := c.takeEvents()
	if cl == nil {
		if len(own) == 0 {
			return FlushResult{}
		}
		cl = c.queue.unqueued(c.takeBack)
	}
	entries = append(entries, own...)
	batches, keep, over := c.plan(entries)
	if len(batches) == 0 {
		cl.finish(keep, c.Decide().Enabled) // future counts, stored as today's
		return FlushResult{}
	}
	machineID, ok := c.consent.PrepareSend(func(text string) { fmt.Fprintln(c.opts.Stderr, text) })
	if !ok {
		// Consent changed, or the notice could not be recorded: send nothing.
		on := c.Decide().Enabled
		cl.finish(entries, on)
		switch {
		case c.consent.GraceRun():
			return FlushResult{Notice: true}
		case !on:
			return FlushResult{Off: true}
		}
		return FlushResult{Failed: "the first-run notice could not be recorded in " + c.dir.TelemetryConfig()}
	}
	if err := cl.divide(batches, keep); err != nil {
		cl.finish(entries, true) // nothing could be marked sending: nothing sent
		return FlushResult{Failed: "the queue could not be prepared for sending: " + err.Error()}
	}
	res := FlushResult{Endpoint: c.Endpoint(), Kept: over}
	from := len(batches) // batches[from:] are not done: they stay queued
	for i, b := range batches {
		if ctx.Err() != nil || cl.mark(i, stateSending) != nil {
			from = i
			break
		}
		c.queue.hook("send:marked")
		out := c.send(ctx, machineID, b)
		c.queue.hook("send:returned")
		if out.status != 0 {
			res.Requests, res.Sent, res.Statuses = res.Requests+1, res.Sent+len(b), append(res.Statuses, out.status)
			continue
		}
		if res.Why = out.why; out.result == delivered {
			res.Dropped += len(b)
			continue
		}
		c.sendFailed.Store(true)
		if from = i + 1; out.result == notSent && cl.mark(i, statePending) == nil {
			c.queue.hook("send:unmarked")
			from, res.Unreachable = i, true
		} else {
			res.Lost += len(b)
		}
		break
	}
	rest := slices.Concat(append([][]entry{keep}, batches[from:]...)...)
	res.Kept += len(rest) - len(keep)
	cl.finish(rest, len(rest) > 0 && c.Decide().Enabled)
	return res
}

// send POSTs one batch. A request that left the machine (answered, or
// handed to a connection that then failed) is added to the log of what was
// sent (sentlog.go), which nothing here reads; failing to log it is silent.
func (c *Client) send(ctx context.Context, machineID string, batch []entry) sendOutcome {
	body := c.body(machineID, batch)
	endpoint := c.Endpoint()
	if c.opts.Getenv(EnvDebug) == "1" {
		fmt.Fprintf(c.opts.Stderr, "codegraph telemetry: POST %s\n%s\n", endpoint, body)
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	out := post(ctx, c.opts.HTTPClient, endpoint, body)
	if out.left() {
		c.queue.recordSent(SentRequest{Time: c.opts.Now(), Status: out.status, Endpoint: endpoint, Body: string(body)})
	}
	return out
}
