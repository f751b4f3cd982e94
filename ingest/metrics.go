package ingest

import (
	"fmt"
	"io"
	"sync/atomic"
)

// statusCodes are the only statuses the ingest answers with; each has a
// counter slot so the hot path is one atomic add without a map or lock.
var statusCodes = [...]int{200, 204, 400, 401, 403, 404, 405, 413, 415, 429, 500, 503}

// Metrics holds the counters served at /metrics. The zero value is ready.
// Counters are monotonic; Prometheus computes rates.
type Metrics struct {
	byStatus       [len(statusCodes)]atomic.Int64
	EventsAccepted atomic.Int64 // events handed to the sink
	EventsDropped  atomic.Int64 // events the allowlist dropped (unknown, malformed, missing a required prop)
	PropsStripped  atomic.Int64 // props and envelope fields stripped
	RateLimited    atomic.Int64 // requests answered 429
	Forwarded      atomic.Int64 // events PostHog accepted
	ForwardFailed  atomic.Int64 // events given up on after retries or on a 4xx
	QueueDropped   atomic.Int64 // events dropped oldest-first when the forward queue was full
	StoreFailed    atomic.Int64 // requests whose sink returned an error
	QueueFull      atomic.Int64 // requests refused because the SQLite writer's queue was full

	Commits           atomic.Int64 // SQLite transactions of requests (group commits)
	CommittedRequests atomic.Int64 // requests those transactions held
	Syncs             atomic.Int64 // fsyncs of the write-ahead log, each covering one or more transactions
	RawExpired        atomic.Int64 // raw rows deleted past the retention window
	RawEvicted        atomic.Int64 // raw rows deleted, oldest first, for the size budget
	StoreBytes        atomic.Int64 // gauge: SQLite file bytes in use, measured about once a second
}

func (m *Metrics) countStatus(code int) {
	for i, c := range statusCodes {
		if c == code {
			m.byStatus[i].Add(1)
			return
		}
	}
}

// Requests returns how many requests were answered with code.
func (m *Metrics) Requests(code int) int64 {
	for i, c := range statusCodes {
		if c == code {
			return m.byStatus[i].Load()
		}
	}
	return 0
}

// WritePrometheus writes the counters in the Prometheus text exposition
// format (version 0.0.4). Hand-written: a dozen counters do not justify a
// client library.
func (m *Metrics) WritePrometheus(w io.Writer) error {
	var err error
	put := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, args...)
		}
	}
	put("# HELP codegraph_ingest_requests_total HTTP requests by response status.\n")
	put("# TYPE codegraph_ingest_requests_total counter\n")
	for i, c := range statusCodes {
		put("codegraph_ingest_requests_total{code=\"%d\"} %d\n", c, m.byStatus[i].Load())
	}
	counters := []struct {
		name, help string
		v          *atomic.Int64
	}{
		{"codegraph_ingest_events_accepted_total", "Events that passed the schema and were handed to the sink.", &m.EventsAccepted},
		{"codegraph_ingest_events_dropped_total", "Events dropped by the allowlist.", &m.EventsDropped},
		{"codegraph_ingest_props_stripped_total", "Props and envelope fields stripped by the allowlist.", &m.PropsStripped},
		{"codegraph_ingest_rate_limited_total", "Requests refused by the per-machine rate limit.", &m.RateLimited},
		{"codegraph_ingest_forwarded_total", "Events accepted by PostHog.", &m.Forwarded},
		{"codegraph_ingest_forward_failed_total", "Events PostHog did not accept after retries.", &m.ForwardFailed},
		{"codegraph_ingest_queue_dropped_total", "Events dropped because the forward queue was full.", &m.QueueDropped},
		{"codegraph_ingest_store_failed_total", "Requests whose sink returned an error.", &m.StoreFailed},
		{"codegraph_ingest_store_queue_full_total", "Requests refused with 503 because the SQLite writer's queue was full.", &m.QueueFull},
		{"codegraph_ingest_store_commits_total", "SQLite transactions, each holding a group of requests.", &m.Commits},
		{"codegraph_ingest_store_committed_requests_total", "Requests held by those transactions.", &m.CommittedRequests},
		{"codegraph_ingest_store_syncs_total", "Fsyncs of the write-ahead log, each making one or more transactions durable before their requests are answered.", &m.Syncs},
		{"codegraph_ingest_raw_expired_total", "Raw events deleted past the retention window.", &m.RawExpired},
		{"codegraph_ingest_raw_evicted_total", "Raw events deleted, oldest first, to stay within the size budget.", &m.RawEvicted},
	}
	for _, c := range counters {
		put("# HELP %s %s\n# TYPE %s counter\n%s %d\n", c.name, c.help, c.name, c.name, c.v.Load())
	}
	put("# HELP codegraph_ingest_store_bytes SQLite file bytes in use (without the write-ahead log), measured about once a second.\n# TYPE codegraph_ingest_store_bytes gauge\ncodegraph_ingest_store_bytes %d\n", m.StoreBytes.Load())
	return err
}
