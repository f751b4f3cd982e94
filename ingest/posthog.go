package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// PostHog's batch capture API, as documented at
// https://posthog.com/docs/api/capture ("Batch events"; also served as
// https://posthog.com/docs/api/post-only-endpoints/):
//
//   - POST {host}/batch/ with Content-Type application/json and the body
//     {"api_key": <project key>, "historical_migration": false, "batch": [
//     {"event", "distinct_id", "properties", "timestamp" (ISO 8601), "uuid"}]};
//     the whole body must stay under 20 MB. It answers 200 {"status": 1}.
//   - Anonymous events (no person profile): the property
//     "$process_person_profile": false (same page, "Anonymous event capture";
//     https://posthog.com/docs/data/anonymous-vs-identified-events).
//   - GeoIP: PostHog's GeoIP enrichment uses the event property $ip and, when
//     it is absent, the address of whoever sent the request
//     (https://posthog.com/docs/cdp/geoip-enrichment), which would be this
//     ingest. We send "$ip": null so no address is attached, and
//     "$geoip_disable": true, the property PostHog's own server SDKs send to
//     switch the lookup off (posthog-node 3.0.0 changelog). The project's
//     "Discard client IP data" setting (https://posthog.com/docs/product-analytics/privacy,
//     "IP data capture") should be on as well, belt and braces.
//
// A retried batch reuses each event's uuid, which PostHog uses to
// deduplicate, so a timeout that hid a success does not double-count.

// DefaultPostHogHost is PostHog Cloud US, used when POSTHOG_HOST is not set
// (README.md, "Self-hosting the ingest").
const DefaultPostHogHost = "https://us.i.posthog.com"

// PostHogConfig configures the forwarding sink.
type PostHogConfig struct {
	APIKey string
	// Host is the PostHog ingestion host; defaults to DefaultPostHogHost.
	Host string
	// Client sends the batches; defaults to a client with a 10 s timeout.
	Client *http.Client
	// QueueCap bounds the events waiting to be sent (default 10,000); when
	// full the oldest are dropped and counted, so a PostHog outage costs a
	// fixed amount of memory.
	QueueCap int
	// BatchSize is the most events per POST (default 100).
	BatchSize int
	// FlushInterval is how long a partial batch may wait (default 1 s).
	FlushInterval time.Duration
	// MaxAttempts bounds the tries of one batch (default 5).
	MaxAttempts int
	// Backoff is the first retry delay, doubled per attempt (default 500 ms).
	Backoff time.Duration
	Logger  *slog.Logger
	Metrics *Metrics
	// NewID mints an event's uuid; defaults to uuid.NewString. Tests pin it.
	NewID func() string
	// Sleep waits between retries unless ctx ends; tests shorten it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// PostHogSink forwards accepted events to PostHog's batch API, off the
// response path: Store only enqueues; a single goroutine batches, sends and
// retries. Create it with NewPostHog and stop it with Close.
type PostHogSink struct {
	cfg PostHogConfig
	url string

	mu     sync.Mutex
	queue  []phEvent // ring buffer of cap QueueCap
	head   int
	n      int
	wake   chan struct{}
	stop   chan struct{}
	done   chan struct{}
	closed bool
	// runCtx bounds every send; Close cancels it when its deadline passes
	// so a retry loop cannot outlive the drain.
	runCtx    context.Context
	runCancel context.CancelFunc
}

// phEvent is one event as PostHog's batch API takes it. Field order fixes
// the JSON layout; properties is a map, which encoding/json writes sorted.
type phEvent struct {
	Event      string         `json:"event"`
	DistinctID string         `json:"distinct_id"`
	Timestamp  string         `json:"timestamp"`
	UUID       string         `json:"uuid"`
	Properties map[string]any `json:"properties"`
}

type phBatch struct {
	APIKey              string    `json:"api_key"`
	HistoricalMigration bool      `json:"historical_migration"`
	Batch               []phEvent `json:"batch"`
}

// NewPostHog starts the forwarding sink.
func NewPostHog(cfg PostHogConfig) (*PostHogSink, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("posthog: API key is required")
	}
	if cfg.Host == "" {
		cfg.Host = DefaultPostHogHost
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.QueueCap <= 0 {
		cfg.QueueCap = 10_000
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 100
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = &Metrics{}
	}
	if cfg.NewID == nil {
		cfg.NewID = uuid.NewString
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	s := &PostHogSink{
		cfg:   cfg,
		url:   strings.TrimRight(cfg.Host, "/") + "/batch/",
		queue: make([]phEvent, cfg.QueueCap),
		wake:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	s.runCtx, s.runCancel = context.WithCancel(context.Background())
	go s.run()
	return s, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// toPostHog builds the anonymous PostHog event for one accepted event.
func toPostHog(e Accepted, id string) phEvent {
	props := make(map[string]any, len(e.Envelope)+len(e.Props)+3)
	for k, v := range e.Envelope {
		props[k] = v
	}
	for k, v := range e.Props {
		props[k] = v
	}
	props["$process_person_profile"] = false
	props["$geoip_disable"] = true
	props["$ip"] = nil
	return phEvent{
		Event:      e.Event,
		DistinctID: e.MachineID,
		Timestamp:  e.TS.UTC().Format(time.RFC3339Nano),
		UUID:       id,
		Properties: props,
	}
}

// Store enqueues the events and returns at once.
func (s *PostHogSink) Store(_ context.Context, events []Accepted) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("posthog: sink closed")
	}
	capacity := len(s.queue)
	for _, e := range events {
		ev := toPostHog(e, s.cfg.NewID())
		if s.n == capacity {
			// Full: overwrite the oldest. Newer events are worth more
			// (older ones have had their chance during the outage).
			s.queue[s.head] = ev
			s.head = (s.head + 1) % capacity
			s.cfg.Metrics.QueueDropped.Add(1)
			continue
		}
		s.queue[(s.head+s.n)%capacity] = ev
		s.n++
	}
	full := s.n >= s.cfg.BatchSize
	s.mu.Unlock()
	if full {
		s.signal()
	}
	return nil
}

func (s *PostHogSink) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// QueueLen reports how many events wait to be sent (not counting a batch
// in flight, which holds at most BatchSize more).
func (s *PostHogSink) QueueLen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// take removes up to max events from the front of the queue.
func (s *PostHogSink) take(max int) []phEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := min(max, s.n)
	if k == 0 {
		return nil
	}
	out := make([]phEvent, k)
	capacity := len(s.queue)
	for i := range out {
		out[i] = s.queue[s.head]
		s.queue[s.head] = phEvent{} // let the maps be collected
		s.head = (s.head + 1) % capacity
	}
	s.n -= k
	return out
}

func (s *PostHogSink) run() {
	defer close(s.done)
	tick := time.NewTicker(s.cfg.FlushInterval)
	defer tick.Stop()
	for {
		stopping := false
		select {
		case <-s.wake:
		case <-tick.C:
		case <-s.stop:
			stopping = true
		}
		// Send everything queued; while stopping, until the queue is
		// empty or Close's deadline cancels runCtx.
		for stopping || !s.isStopping() {
			batch := s.take(s.cfg.BatchSize)
			if batch == nil {
				break
			}
			if s.runCtx.Err() != nil {
				s.cfg.Metrics.ForwardFailed.Add(int64(len(batch)))
				continue
			}
			s.send(s.runCtx, batch)
		}
		if stopping {
			return
		}
	}
}

func (s *PostHogSink) isStopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// send posts one batch, retrying transport errors, 429 and 5xx with
// exponential backoff up to MaxAttempts. A 4xx other than 429 is final:
// resending the same body cannot fix it.
func (s *PostHogSink) send(ctx context.Context, batch []phEvent) {
	body, err := json.Marshal(phBatch{APIKey: s.cfg.APIKey, Batch: batch})
	if err != nil {
		s.cfg.Metrics.ForwardFailed.Add(int64(len(batch)))
		s.cfg.Logger.Error("posthog: encode batch", "err", err)
		return
	}
	delay := s.cfg.Backoff
	for attempt := 1; ; attempt++ {
		retry, err := s.post(ctx, body)
		if err == nil {
			s.cfg.Metrics.Forwarded.Add(int64(len(batch)))
			return
		}
		if !retry || attempt >= s.cfg.MaxAttempts || ctx.Err() != nil {
			s.cfg.Metrics.ForwardFailed.Add(int64(len(batch)))
			s.cfg.Logger.Warn("posthog: batch not delivered", "events", len(batch), "attempts", attempt, "err", err)
			return
		}
		s.cfg.Logger.Debug("posthog: retrying batch", "attempt", attempt, "err", err)
		if s.cfg.Sleep(ctx, delay) != nil {
			s.cfg.Metrics.ForwardFailed.Add(int64(len(batch)))
			return
		}
		delay *= 2
	}
}

// post sends body once and reports whether a failure is worth retrying.
func (s *PostHogSink) post(ctx context.Context, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("posthog request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return true, fmt.Errorf("posthog post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return true, fmt.Errorf("posthog answered %s", resp.Status)
	default:
		return false, fmt.Errorf("posthog answered %s", resp.Status)
	}
}

// Close stops accepting events and sends what is queued, giving up when ctx
// ends; events not sent by then are counted as failed.
func (s *PostHogSink) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.done
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	unhook := context.AfterFunc(ctx, s.runCancel)
	defer unhook()
	close(s.stop)
	<-s.done // returns promptly once ctx ends: runCtx is cancelled with it
	s.runCancel()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("posthog: drain: %w", err)
	}
	return nil
}
