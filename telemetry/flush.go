package telemetry

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// MaxRequestsPerFlush bounds one flush; what is left waits for a later one.
const MaxRequestsPerFlush = 8

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

// placeholderID has a real machine ID's length: plans made before the ID
// is known (or minted) still split requests at exactly 64 KiB.
const placeholderID = "00000000-0000-0000-0000-000000000000"

// baseEnvelope computes the envelope fields that are fixed for the life of
// the process. A value the schema would strip (an odd version string, say)
// is left out rather than sent.
func baseEnvelope(opts Options) envelope {
	env := envelope{CI: opts.Getenv("CI") != "", SchemaVersion: schema.Version}
	clean, _, _ := schema.CleanEnvelope(map[string]any{
		"machine_id":        placeholderID,
		"codegraph_version": opts.Version,
		"os":                opts.GOOS,
		"arch":              opts.GOARCH,
		"go_version":        opts.GoVersion,
	})
	env.CodegraphVersion, _ = clean["codegraph_version"].(string)
	env.OS, _ = clean["os"].(string)
	env.Arch, _ = clean["arch"].(string)
	env.GoVersion, _ = clean["go_version"].(string)
	return env
}

// newEnvelope is the process's envelope under a machine ID ("" sends null).
func (c *Client) newEnvelope(machineID string) envelope {
	env := c.envelope
	if machineID != "" {
		env.MachineID = &machineID
	}
	return env
}

// rollupKey sums deltas: one line per (UTC day, kind, name, client).
type rollupKey struct{ day, kind, name, clientName, clientVersion string }

// sumRollups merges usage_rollup deltas with the same key, keeping lifecycle
// events as they are, in a stable order (lifecycle first, by time; then
// rollups by day and name).
func sumRollups(entries []entry) []entry {
	var lifecycle []entry
	sums := map[rollupKey]*entry{}
	var keys []rollupKey
	for _, e := range entries {
		if e.Event != schema.EventUsageRollup {
			lifecycle = append(lifecycle, e)
			continue
		}
		str := func(k string) string { s, _ := e.Props[k].(string); return s }
		k := rollupKey{day: dayOf(e.TS), kind: str("kind"), name: str("name"), clientName: str("client_name"), clientVersion: str("client_version")}
		if s, ok := sums[k]; ok {
			addCount(s.Props, "count", e.Props["count"])
			addCount(s.Props, "error_count", e.Props["error_count"])
			continue
		}
		props := make(map[string]any, len(e.Props))
		for pk, pv := range e.Props {
			props[pk] = pv
		}
		sums[k] = &entry{Event: e.Event, TS: k.day + "T00:00:00Z", Props: props}
		keys = append(keys, k)
	}
	slices.SortStableFunc(lifecycle, func(a, b entry) int { return strings.Compare(a.TS, b.TS) })
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(strings.Compare(a.day, b.day), strings.Compare(a.kind, b.kind), strings.Compare(a.name, b.name),
			strings.Compare(a.clientName, b.clientName), strings.Compare(a.clientVersion, b.clientVersion))
	})
	out := lifecycle
	for _, k := range keys {
		s := sums[k]
		// A sum past the schema's cap would be dropped by the ingest: cap it.
		for _, f := range []string{"count", "error_count"} {
			if n, ok := s.Props[f].(int64); ok && n > 1_000_000 {
				s.Props[f] = int64(1_000_000)
			}
		}
		out = append(out, *s)
	}
	return out
}

func addCount(props map[string]any, key string, v any) {
	n, ok := v.(int64)
	if !ok || n == 0 {
		return
	}
	cur, _ := props[key].(int64)
	props[key] = cur + n
}

// dayOf is the UTC date of an RFC 3339 time (parsed by parseLine already).
func dayOf(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// waitsForDayEnd reports a rollup of today (a UTC date): it is sent only
// once its day has ended.
func waitsForDayEnd(e entry, today string) bool {
	return e.Event == schema.EventUsageRollup && dayOf(e.TS) >= today
}

// treatFutureAsToday re-dates rollups of a day after today as today's.
// Such a day comes from a clock that was wrong when the counts were made
// (2099, 9999): left as they are, they would wait for that day to end, or
// until the queue's cap dropped them. As today's they are sent once today
// ends, like any count of today, under a day the ingest accepts (it takes
// a ts only within [now − 30 days, now + 10 min]: CONTRACT §9). It returns
// the entries with those re-dated (entries itself is left as it is), and
// the re-dated ones.
func treatFutureAsToday(entries []entry, today string) (out, future []entry) {
	out = entries
	for i, e := range entries {
		if e.Event != schema.EventUsageRollup || dayOf(e.TS) <= today {
			continue
		}
		if future == nil {
			out = append([]entry(nil), entries...)
		}
		out[i].TS = today + "T00:00:00Z"
		future = append(future, out[i])
	}
	return out, future
}

// plan splits queued entries into request batches (lifecycle events and
// rollups of completed days; ≤100 events and ≤64 KiB a body; ≤8 requests)
// and what stays queued (today's rollups, those dated in the future
// re-dated as today's, and anything over the limits). redated reports that
// keep re-dates some: the queue is worth rewriting even with nothing to
// send, so that tomorrow they are a completed day.
func (c *Client) plan(entries []entry, machineID string) (batches [][]entry, keep []entry, redated bool) {
	today := c.opts.Now().UTC().Format(time.DateOnly)
	entries, future := treatFutureAsToday(entries, today)
	redated = len(future) > 0
	var sendable []entry
	for _, e := range sumRollups(entries) {
		if waitsForDayEnd(e, today) {
			keep = append(keep, e)
			continue
		}
		sendable = append(sendable, e)
	}
	base := c.newEnvelope(machineID)
	base.Events = []entry{}
	overhead := len(mustJSON(base))
	var cur []entry
	size := overhead
	for i, e := range sendable {
		n := len(marshalEntry(e)) + 1 // the comma
		if len(cur) > 0 && (len(cur) == schema.MaxEventsPerRequest || size+n > schema.MaxBodyBytes) {
			batches = append(batches, cur)
			cur, size = nil, overhead
			if len(batches) == MaxRequestsPerFlush {
				keep = append(keep, sendable[i:]...)
				return batches, keep, redated
			}
		}
		cur = append(cur, e)
		size += n
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches, keep, redated
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

// Endpoint is where requests go: CODEGRAPH_TELEMETRY_ENDPOINT, else the
// built-in endpoint ("" in a build without telemetry).
func (c *Client) Endpoint() string {
	if !transportCompiled {
		return ""
	}
	if v := c.opts.Getenv(EnvEndpoint); v != "" {
		return v
	}
	return defaultEndpoint
}

// Show returns the request bodies the next flush would send, without
// claiming or sending anything. machine_id is null when none is minted yet
// (one is minted right before the first send).
func (c *Client) Show() [][]byte {
	if c == nil || !c.Decide().Enabled {
		return nil
	}
	entries := c.queue.pendingEntries(c.opts.Now(), true)
	machineID := ""
	if cfg, err := c.consent.Load(); err == nil && cfg != nil {
		machineID = cfg.MachineID
	}
	batches, _, _ := c.plan(entries, machineID)
	var out [][]byte
	for _, b := range batches {
		env := c.newEnvelope(machineID)
		env.Events = b
		out = append(out, mustJSON(env))
	}
	return out
}

// FlushResult is what one Flush did. Automatic flushes (the end of an
// install, serve's interval) drop it: their failures stay silent. Only
// `codegraph telemetry flush` says it.
type FlushResult struct {
	// Off: telemetry is off (or not part of this build); nothing was read
	// or sent.
	Off bool
	// Notice: this process printed the first-run notice, so it sends
	// nothing (the grace run); the lines stay queued.
	Notice bool
	// Endpoint is where requests went ("" when none was made).
	Endpoint string
	// Requests were answered by the endpoint, with Statuses (in order);
	// Sent counts their events.
	Requests, Sent int
	Statuses       []int
	// Lost counts the events of a request handed to a connection that then
	// failed: no answer came, the body may have arrived, and they are never
	// sent again.
	Lost int
	// Unreachable: no connection could be made (Why says why); Kept of the
	// due events went back to the queue for a later process.
	Unreachable bool
	// Kept counts due events still queued: put back after no connection,
	// over the cap of requests per flush, or left when ctx ended.
	Kept int
	// Dropped counts due events dropped unsent: the endpoint is not a URL
	// that can ever be sent to (Why).
	Dropped int
	// Failed says why the queue could not be sent at all (its lock, a file
	// that cannot be used, the notice that could not be recorded, an
	// earlier failure of this process); "" when it could.
	Failed string
	// Why names a transport failure in a few words ("connection refused").
	Why string
}

// OK reports whether every request made reached the endpoint and was
// accepted (a 2xx status), or none was due, or telemetry is off: nothing
// failed. Events over the cap of requests per flush wait without a failure.
func (r FlushResult) OK() bool {
	for _, s := range r.Statuses {
		if s < 200 || s > 299 {
			return false
		}
	}
	return r.Lost == 0 && !r.Unreachable && r.Dropped == 0 && r.Failed == ""
}

// Flush sends what is due: lifecycle events and rollups of completed UTC
// days. It claims the queue by rename, so concurrent processes never send a
// line twice, and sends at most once: each batch is marked sending in the
// claim before its request starts (claim.go). Any HTTP response is final for
// its lines, and so is a failure after the request was handed to a
// connection (a timeout, a reset): the body may have arrived. Only when no
// connection was made (offline, refused, DNS) do the lines go back to the
// queue, for a later process: this one sends nothing more. This process's
// own lifecycle events, emitted and not yet persisted, are sent too: with
// the claim when the queue holds something due, else from memory, and
// what of them is not sent is queued by the next Persist or Close. When
// consent is off it returns before touching the network. It returns when done or when
// ctx ends, and each request is bounded by SendTimeout. The result says
// what it did, for a caller that reports it; the others ignore it.
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
	var res FlushResult
	now := c.opts.Now()
	today := now.UTC().Format(time.DateOnly)
	// Something is due when plan would send it or re-date it: anything but
	// a count of today.
	cl, entries, err := c.queue.claim(now, func(queued []entry) bool {
		return slices.ContainsFunc(queued, func(e entry) bool {
			return e.Event != schema.EventUsageRollup || dayOf(e.TS) != today
		})
	})
	if err != nil {
		return FlushResult{Failed: "the queue cannot be read: " + err.Error()}
	}
	// This process's own lifecycle events, never queued, need no claim:
	// the queue is claimed only when it holds something due.
	own := c.takeEvents()
	if cl == nil {
		if len(own) == 0 {
			return res
		}
		cl = c.queue.unqueued(c.takeBack)
	}
	entries = append(entries, own...)
	batches, keep, _ := c.plan(entries, placeholderID)
	for _, e := range keep {
		if !waitsForDayEnd(e, today) {
			res.Kept++ // over the cap of requests per flush
		}
	}
	if len(batches) == 0 {
		// Nothing to send, only counts dated in the future to store as
		// today's: no notice, no connection.
		cl.finish(keep, c.Decide().Enabled)
		return res
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
		// Nothing can be marked as sending, so nothing is sent.
		cl.finish(entries, true)
		return FlushResult{Failed: "the queue could not be prepared for sending: " + err.Error()}
	}
	res.Endpoint = c.Endpoint()
	rest := keep
	for i, b := range batches {
		if ctx.Err() != nil || cl.mark(i, stateSending) != nil {
			rest = appendBatches(rest, batches[i:])
			res.Kept += countBatches(batches[i:])
			break
		}
		c.queue.hook("send:marked")
		out := c.send(ctx, machineID, b)
		c.queue.hook("send:returned")
		switch {
		case out.status != 0:
			res.Requests++
			res.Sent += len(b)
			res.Statuses = append(res.Statuses, out.status)
			continue
		case out.result == delivered:
			res.Dropped += len(b)
			res.Why = out.why
			continue
		}
		res.Why = out.why
		c.sendFailed.Store(true)
		if out.result == notSent && cl.mark(i, statePending) == nil {
			c.queue.hook("send:unmarked")
			rest = appendBatches(rest, batches[i:])
			res.Unreachable = true
			res.Kept += countBatches(batches[i:])
		} else {
			rest = appendBatches(rest, batches[i+1:])
			res.Lost += len(b)
			res.Kept += countBatches(batches[i+1:])
		}
		break
	}
	cl.finish(rest, len(rest) > 0 && c.Decide().Enabled)
	return res
}

func countBatches(batches [][]entry) int {
	n := 0
	for _, b := range batches {
		n += len(b)
	}
	return n
}

func appendBatches(out []entry, batches [][]entry) []entry {
	for _, b := range batches {
		out = append(out, b...)
	}
	return out
}

// send POSTs one batch and says what became of it. A request that left
// the machine (answered, or handed to a connection that then failed) is
// added to the log of what was sent (sentlog.go), which nothing here reads;
// a failure to log it is as silent as any other.
func (c *Client) send(ctx context.Context, machineID string, batch []entry) sendOutcome {
	env := c.newEnvelope(machineID)
	env.Events = batch
	body := mustJSON(env)
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
