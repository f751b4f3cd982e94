package telemetry

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// fakeClock is an injected clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// collector is a real HTTP server on 127.0.0.1 that records every request
// body and counts accepted TCP connections, so "no connection" is observed
// on the listener rather than assumed.
type collector struct {
	srv     *httptest.Server
	conns   atomic.Int64
	mu      sync.Mutex
	bodies  [][]byte
	status  int
	respond chan struct{} // when non-nil, handlers wait on it (a server that never answers)
	// onRequest, when set, runs after a body is stored, before the answer.
	onRequest func()
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

func newCollector(t *testing.T, status int) *collector {
	t.Helper()
	return newCollectorAt(t, "127.0.0.1:0", status)
}

// newCollectorAt listens on addr, e.g. one that refused connections a
// moment ago; it skips the test when the address cannot be taken again.
func newCollectorAt(t *testing.T, addr string, status int) *collector {
	t.Helper()
	c := &collector{status: status}
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.bodies = append(c.bodies, body)
		wait, on := c.respond, c.onRequest
		c.mu.Unlock()
		if on != nil {
			on()
		}
		if wait != nil {
			select {
			case <-wait:
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(c.status)
	}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if addr != "127.0.0.1:0" {
			t.Skipf("listen on %s again: %v", addr, err)
		}
		t.Fatal(err)
	}
	c.srv.Listener = countingListener{ln, &c.conns}
	c.srv.Start()
	t.Cleanup(c.drain)
	return c
}

// drain answers any request still waiting and closes the server once
// every handler it started has stored its body. A child killed right after
// writing a request may have its body read only later: drain waits for a
// handler not yet scheduled, and drops a connection not yet accepted, as
// an endpoint that went away would. Either way, what is counted after
// drain stays as it is, and nothing is counted into a later run.
func (c *collector) drain() {
	c.mu.Lock()
	if c.respond != nil {
		close(c.respond)
		c.respond = nil
	}
	c.mu.Unlock()
	c.srv.Close()
}

// hang makes the server store each body and never answer (until the
// test ends).
func (c *collector) hang() {
	c.mu.Lock()
	c.respond = make(chan struct{})
	c.mu.Unlock()
}

func (c *collector) requests() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, b := range c.bodies {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			panic(err)
		}
		out = append(out, m)
	}
	return out
}

func (c *collector) events() []map[string]any {
	var out []map[string]any
	for _, r := range c.requests() {
		for _, e := range r["events"].([]any) {
			out = append(out, e.(map[string]any))
		}
	}
	return out
}

type harness struct {
	home   string
	clock  *fakeClock
	env    map[string]string
	stderr *bytes.Buffer
	mu     sync.Mutex
}

var day1 = time.Date(2026, 11, 24, 23, 58, 0, 0, time.UTC)

// newHarness is a machine that showed the first-run notice in an earlier
// process (a "default-notice" record), so a flush sends: the process that
// shows the notice sends nothing (consent's grace run).
func newHarness(t *testing.T, endpoint string, env map[string]string) *harness {
	t.Helper()
	h := newFreshHarness(t, endpoint, env)
	if err := os.MkdirAll(h.home+"/.codegraph", 0o700); err != nil {
		t.Fatal(err)
	}
	notice := `{"enabled":true,"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77","consent_source":"default-notice","first_run_notice_shown":true}`
	if err := os.WriteFile(h.home+"/.codegraph/telemetry.json", []byte(notice), 0o600); err != nil {
		t.Fatal(err)
	}
	return h
}

// newFreshHarness is a machine where nothing is stored yet.
func newFreshHarness(t *testing.T, endpoint string, env map[string]string) *harness {
	t.Helper()
	h := &harness{home: testkit.Home(t), clock: &fakeClock{t: day1}, env: map[string]string{EnvEndpoint: endpoint}, stderr: &bytes.Buffer{}}
	for k, v := range env {
		h.env[k] = v
	}
	return h
}

func (h *harness) getenv(k string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.env[k]
}

func (h *harness) client() *Client {
	return New(Options{Home: h.home, Getenv: h.getenv, Now: h.clock.Now, Stderr: h.stderr, Version: "1.2.3", GOOS: "linux", GOARCH: "amd64", GoVersion: "1.26"})
}

func (h *harness) queueLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(h.home + "/.codegraph/telemetry-queue.jsonl")
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

func writeQueue(t *testing.T, home, content string) {
	t.Helper()
	if err := os.MkdirAll(home+"/.codegraph", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(home+"/.codegraph/telemetry-queue.jsonl", []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// pendingEvents counts the events buffered on disk, as they would be sent
// (rollup deltas of the same day and key counted once).
func pendingEvents(c *Client) int {
	p := c.Pending()
	return p.Ready + p.WaitingForDayEnd
}
