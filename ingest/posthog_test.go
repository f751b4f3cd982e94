package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

const testAPIKey = "phc_test_key"

// fakePostHog models PostHog's /batch/ endpoint as documented: POST only,
// JSON body with api_key and a batch of events each carrying event and
// distinct_id; 200 {"status": 1} on success, 401 for a wrong key, 400 for a
// body it cannot read. failFirst makes the first n requests answer 503;
// down makes every request answer 503.
type fakePostHog struct {
	mu        sync.Mutex
	bodies    [][]byte
	failFirst int
	down      atomic.Bool
	srv       *httptest.Server
}

func newFakePostHog(t *testing.T) *fakePostHog {
	f := &fakePostHog{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePostHog) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/batch/" || r.Method != http.MethodPost {
		http.Error(w, `{"type":"invalid_request","detail":"not found"}`, http.StatusNotFound)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, raw)
	fail := f.failFirst > 0
	if fail {
		f.failFirst--
	}
	f.mu.Unlock()
	if fail || f.down.Load() {
		http.Error(w, `{"type":"server_error"}`, http.StatusServiceUnavailable)
		return
	}
	if r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, `{"type":"validation_error","code":"invalid_payload"}`, http.StatusBadRequest)
		return
	}
	var b struct {
		APIKey string `json:"api_key"`
		Batch  []struct {
			Event      string         `json:"event"`
			DistinctID string         `json:"distinct_id"`
			Properties map[string]any `json:"properties"`
		} `json:"batch"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		http.Error(w, `{"type":"validation_error","code":"invalid_payload"}`, http.StatusBadRequest)
		return
	}
	if b.APIKey != testAPIKey {
		http.Error(w, `{"type":"authentication_error","code":"invalid_api_key"}`, http.StatusUnauthorized)
		return
	}
	for _, e := range b.Batch {
		if e.Event == "" || e.DistinctID == "" {
			http.Error(w, `{"type":"validation_error","code":"invalid_payload"}`, http.StatusBadRequest)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"status": 1}`)
}

func (f *fakePostHog) received() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.bodies...)
}

func seqIDs() func() string {
	var n atomic.Int64
	return func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n.Add(1)) }
}

func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

func newTestPostHog(t *testing.T, f *fakePostHog, cfg PostHogConfig) *PostHogSink {
	t.Helper()
	if cfg.APIKey == "" {
		cfg.APIKey = testAPIKey
	}
	cfg.Host = f.srv.URL
	cfg.Client = f.srv.Client()
	cfg.NewID = seqIDs()
	if cfg.Sleep == nil {
		cfg.Sleep = noSleep
	}
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = 10 * time.Millisecond
	}
	s, err := NewPostHog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func TestPostHogBatchGolden(t *testing.T) {
	t.Parallel()
	f := newFakePostHog(t)
	m := &Metrics{}
	s := newTestPostHog(t, f, PostHogConfig{Metrics: m, FlushInterval: time.Hour})
	h, err := NewHandler(Config{Sink: s, Now: clock, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	in := body(`"machine_id":"`+testMachine+`","codegraph_version":"0.9.12","os":"darwin","arch":"arm64","go_version":"1.26","ci":false,"schema_version":1`,
		mixedEvents(4)...)
	req := httptest.NewRequest("POST", EventsPath, strings.NewReader(in))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if rec.Code != 204 {
		t.Fatalf("status %d", rec.Code)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := f.received()
	if len(got) != 1 {
		t.Fatalf("%d batches, want 1", len(got))
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got[0], "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	testkit.Golden(t, "ingest/posthog-batch.json", pretty.Bytes())
	if m.Forwarded.Load() != 4 {
		t.Fatalf("forwarded %d", m.Forwarded.Load())
	}
}

func TestPostHogRetriesServerErrors(t *testing.T) {
	t.Parallel()
	f := newFakePostHog(t)
	f.failFirst = 2
	m := &Metrics{}
	s := newTestPostHog(t, f, PostHogConfig{Metrics: m, MaxAttempts: 3})
	s.Store(context.Background(), testAccepted(3))
	waitFor(t, func() bool { return m.Forwarded.Load() == 3 })
	got := f.received()
	if len(got) != 3 {
		t.Fatalf("%d attempts, want 3", len(got))
	}
	if !bytes.Equal(got[0], got[2]) {
		t.Fatal("a retry changed the body (uuids must stay the same)")
	}
}

func TestPostHogWrongKeyIsFinal(t *testing.T) {
	t.Parallel()
	f := newFakePostHog(t)
	m := &Metrics{}
	s := newTestPostHog(t, f, PostHogConfig{APIKey: "phc_wrong", Metrics: m})
	s.Store(context.Background(), testAccepted(2))
	waitFor(t, func() bool { return m.ForwardFailed.Load() == 2 })
	if n := len(f.received()); n != 1 {
		t.Fatalf("%d attempts for a 401, want 1", n)
	}
}

// TestPostHogDownBoundedMemory: with PostHog down the queue never holds more
// than its cap, the oldest events are dropped and counted, and Close gives
// up at its deadline.
func TestPostHogDownBoundedMemory(t *testing.T) {
	t.Parallel()
	f := newFakePostHog(t)
	f.down.Store(true)
	m := &Metrics{}
	const capacity = 50
	s := newTestPostHog(t, f, PostHogConfig{Metrics: m, QueueCap: capacity, BatchSize: 10, MaxAttempts: 3,
		Sleep: func(ctx context.Context, d time.Duration) error { return sleepCtx(ctx, time.Millisecond) }})
	for i := 0; i < 500; i++ {
		if err := s.Store(context.Background(), testAccepted(7)); err != nil {
			t.Fatal(err)
		}
		if n := s.QueueLen(); n > capacity {
			t.Fatalf("queue holds %d, cap %d", n, capacity)
		}
	}
	if m.QueueDropped.Load() == 0 {
		t.Fatal("queue_dropped did not rise")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	s.Close(ctx)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v past its deadline", d)
	}
	if m.Forwarded.Load() != 0 {
		t.Fatal("forwarded while down")
	}
	total := m.QueueDropped.Load() + m.ForwardFailed.Load()
	if total != 500*7 {
		t.Fatalf("dropped %d + failed %d = %d, want every one of %d events accounted for",
			m.QueueDropped.Load(), m.ForwardFailed.Load(), total, 500*7)
	}
}

func TestPostHogDrainsOnClose(t *testing.T) {
	t.Parallel()
	f := newFakePostHog(t)
	m := &Metrics{}
	s := newTestPostHog(t, f, PostHogConfig{Metrics: m, FlushInterval: time.Hour, BatchSize: 100})
	s.Store(context.Background(), testAccepted(250))
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m.Forwarded.Load() != 250 {
		t.Fatalf("forwarded %d of 250 on close", m.Forwarded.Load())
	}
	if err := s.Store(context.Background(), testAccepted(1)); err == nil {
		t.Fatal("Store after Close succeeded")
	}
}

func testAccepted(n int) []Accepted {
	env := map[string]any{"machine_id": testMachine, "os": "linux"}
	out := make([]Accepted, n)
	for i := range out {
		out[i] = Accepted{ReceivedAt: fixedNow, MachineID: testMachine, Envelope: env, Event: "uninstall",
			TS: fixedNow, Props: map[string]any{"targets": []string{"claude"}}}
	}
	return out
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestNoClientIPAnywhere sends forwarding headers with distinctive addresses
// through real loopback servers (SQLite and PostHog sinks) and checks that
// neither the database file, nor PostHog's received bodies, nor the logs
// hold any of them, nor the loopback address the requests came from.
func TestNoClientIPAnywhere(t *testing.T) {
	t.Parallel()
	headers := map[string]string{
		"X-Forwarded-For":  "203.0.113.77, 198.51.100.23",
		"CF-Connecting-IP": "192.0.2.199",
		"X-Real-IP":        "198.51.100.88",
		"Forwarded":        "for=203.0.113.55;proto=https, for=\"[2001:db8:cafe::17]\"",
		"True-Client-IP":   "192.0.2.211",
	}
	needles := []string{"203.0.113", "198.51.100", "192.0.2.", "2001:db8", "127.0.0.1"}
	var logs harness.SyncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	dbPath := filepath.Join(t.TempDir(), "t.db")
	db, err := OpenSQLite(context.Background(), SQLiteConfig{Path: dbPath, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	f := newFakePostHog(t)
	m := &Metrics{}
	ph := newTestPostHog(t, f, PostHogConfig{Metrics: m, Logger: logger})

	for _, sink := range []Sink{db, ph} {
		h, err := NewHandler(Config{Sink: sink, Now: clock, Logger: logger, Metrics: m})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := NewServer(ln.Addr().String(), h, logger)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- Run(ctx, srv, ln, sink, time.Second, 5*time.Second, logger) }()
		url := "http://" + ln.Addr().String()
		for _, b := range []string{body("", mixedEvents(5)...), `{"bad"`, body(`"machine_id":"nope"`)} {
			post(t, url+EventsPath, "application/json", strings.NewReader(b), headers)
		}
		post(t, url+EventsPath, "text/plain", strings.NewReader("x"), headers)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if m.Forwarded.Load() != 5 || m.EventsAccepted.Load() != 10 {
		t.Fatalf("forwarded %d, accepted %d", m.Forwarded.Load(), m.EventsAccepted.Load())
	}
	var files [][]byte
	matches, _ := filepath.Glob(dbPath + "*")
	for _, p := range matches {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	stored, _ := uuidBytes(testMachine) // the store keeps machine IDs as 16 bytes
	if len(files) == 0 || !bytes.Contains(bytes.Join(files, nil), stored) {
		t.Fatal("the database does not hold the events; the check below would prove nothing")
	}
	logged := []byte(logs.String())
	if !bytes.Contains(logged, []byte("request refused")) {
		t.Fatalf("no request was logged; the check below would prove nothing:\n%s", logged)
	}
	places := map[string][]byte{
		"sqlite files":   bytes.Join(files, nil),
		"posthog bodies": bytes.Join(f.received(), nil),
		"logs":           logged,
	}
	for where, data := range places {
		for _, n := range needles {
			if bytes.Contains(data, []byte(n)) {
				t.Errorf("%s contain %q", where, n)
			}
		}
	}
}
