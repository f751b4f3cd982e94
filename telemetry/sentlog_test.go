//go:build !pro

package telemetry

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
)

// dueQueue is n uninstall events of day1, all due at once: more than 100
// make more than one request.
func dueQueue(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"event":"uninstall","ts":"2026-11-24T10:%02d:%02dZ","props":{"targets":["t%d"]}}`+"\n", i/60%60, i%60, i)
	}
	return b.String()
}

// TestSentLogIsWhatLeft: every request that left is in the log, its body
// byte for byte what the endpoint received, with the time of the client's
// clock, the status and the endpoint; a request answered by no HTTP
// response (the connection reset after the body arrived) is logged with no
// status; one that made no connection (a closed port) is not logged.
func TestSentLogIsWhatLeft(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		handler  func(w http.ResponseWriter)
		closed   bool
		requests int
		status   int
	}{
		{name: "answered 204", handler: func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }, requests: 2, status: 204},
		{name: "answered 429", handler: func(w http.ResponseWriter) { w.WriteHeader(http.StatusTooManyRequests) }, requests: 2, status: 429},
		{name: "no answer", handler: func(w http.ResponseWriter) {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		}, requests: 1},
		{name: "no connection", closed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var received []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				received = append(received, string(body))
				mu.Unlock()
				tc.handler(w)
			}))
			url := srv.URL + "/v1/events"
			if tc.closed {
				srv.Close()
			} else {
				defer srv.Close()
			}
			h := newHarness(t, url, nil)
			writeQueue(t, h.home, dueQueue(150))
			sendTime := day1.Add(36 * time.Hour)
			h.clock.Set(sendTime)
			c := h.client()
			c.Flush(context.Background())

			sent, err := c.Sent()
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(received) != tc.requests || len(sent) != tc.requests {
				t.Fatalf("endpoint received %d requests, log holds %d; want %d", len(received), len(sent), tc.requests)
			}
			for i, r := range sent {
				if r.Body != received[i] {
					t.Errorf("request %d: logged body differs from what the endpoint received:\nlog  %q\nsent %q", i, r.Body, received[i])
				}
				if r.Status != tc.status || r.Endpoint != url || !r.Time.Equal(sendTime) {
					t.Errorf("request %d: status %d, endpoint %s, time %v; want %d, %s, %v", i, r.Status, r.Endpoint, r.Time, tc.status, url, sendTime)
				}
			}
			if tc.closed {
				if _, err := os.Lstat(c.dir.SentLog()); !os.IsNotExist(err) {
					t.Errorf("a request that never left made a log file (%v)", err)
				}
			}
		})
	}
}

// TestSentLogIsBounded: the log keeps the newest requests within
// SentLogCap, in order, and drops what is older than SentLogAge by the
// injected clock (a request 29 days old stays; 31 days old goes). A full
// log is trimmed to half the cap, so that it is not rewritten at every
// request: after 60 requests it holds between a half and a whole cap's
// worth of the newest.
func TestSentLogIsBounded(t *testing.T) {
	t.Parallel()
	body := func(i int) string { return fmt.Sprintf(`{"n":%02d,"pad":"%s"}`, i, strings.Repeat("x", 10<<10)) }
	last := day1.Add(90 * 24 * time.Hour)
	request := func(i, age int) SentRequest {
		return SentRequest{Time: last.Add(-time.Duration(age) * 24 * time.Hour), Status: 204, Endpoint: "http://127.0.0.1:1/v1/events", Body: body(i)}
	}
	// All lines have one length: as many as fit in the cap stay.
	fit := SentLogCap / len(appendSentLine(nil, request(0, 0)))
	for _, tc := range []struct {
		name string
		// ages of the requests logged, in days before the last one
		ages []int
		want []int // indexes that stay
	}{
		{name: "by size", ages: make([]int, 60)},
		{name: "by age", ages: []int{40, 31, 29, 5, 0}, want: []int{2, 3, 4}},
		{name: "30 days exactly", ages: []int{30, 0}, want: []int{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			dir := statedir.ForHome(home)
			if err := dir.Ensure(); err != nil {
				t.Fatal(err)
			}
			q := newQueue(dir)
			var prev os.FileInfo
			rewrites := 0
			for i, age := range tc.ages {
				if err := q.recordSent(request(i, age)); err != nil {
					t.Fatal(err)
				}
				fi, err := os.Stat(dir.SentLog())
				if err != nil || fi.Size() > SentLogCap {
					t.Fatalf("after %d requests the log is %v bytes (%v), cap %d", i+1, fi.Size(), err, SentLogCap)
				}
				if prev != nil && !os.SameFile(prev, fi) {
					rewrites++ // a trim renames a new file into place
				}
				prev = fi
			}
			if tc.want == nil && rewrites > len(tc.ages)/(fit/2-1)+1 {
				t.Errorf("%d requests rewrote the log %d times: a trim keeps too much", len(tc.ages), rewrites)
			}
			c := New(Options{Home: home, Now: func() time.Time { return last }})
			sent, err := c.Sent()
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, r := range sent {
				var n int
				fmt.Sscanf(r.Body, `{"n":%d`, &n)
				got = append(got, n)
			}
			if tc.want == nil {
				// By size: the newest, at least half the cap's worth.
				n := max(len(got), 1)
				if !(n >= fit/2-1 && n <= fit) || fmt.Sprint(got) != fmt.Sprint(seq(60-n, 60)) {
					t.Errorf("the log holds requests %v, want the newest %d to %d", got, fit/2-1, fit)
				}
			} else if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("the log holds requests %v, want %v", got, tc.want)
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir.Root(), ".*codegraph-tmp*"))
			if len(leftovers) > 0 {
				t.Errorf("rewrites left %v", leftovers)
			}
		})
	}
}

func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// TestSentLogIsNeverReadBySender: whatever stands in the log's place
// (garbage, lines that look like queue entries or requests, a log at its
// cap, one from the future) changes nothing that is sent: the endpoint
// receives the same bodies as from a machine without a log. The log
// itself then ends with the new requests.
func TestSentLogIsNeverReadBySender(t *testing.T) {
	t.Parallel()
	queueLike := `{"event":"usage_rollup","ts":"2026-11-20T00:00:00Z","props":{"kind":"cli_command","name":"planted","count":99}}` + "\n"
	requestLike := `{"time":"2026-11-25T00:00:00Z","status":204,"endpoint":"http://example.invalid/","body":"{\"machine_id\":\"00000000-0000-0000-0000-000000000000\",\"events\":[]}"}` + "\n"
	future := `{"time":"2999-01-01T00:00:00Z","status":null,"endpoint":"x","body":"planted"}` + "\n"
	logs := map[string]string{
		"none":         "",
		"garbage":      "\x00\xff{not json\n\n{\"time\":",
		"queue lines":  strings.Repeat(queueLike, 100),
		"request line": strings.Repeat(requestLike, 10),
		"at the cap":   strings.Repeat(requestLike, SentLogCap/len(requestLike)),
		"future":       future,
	}
	bodies := map[string][]string{}
	for name, content := range logs {
		srv := newCollector(t, http.StatusNoContent)
		h := newHarness(t, srv.srv.URL, nil)
		writeQueue(t, h.home, dueQueue(120))
		if content != "" {
			if err := os.WriteFile(statedir.ForHome(h.home).SentLog(), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		h.clock.Set(day1.Add(36 * time.Hour))
		c := h.client()
		shown := c.Show()
		c.Flush(context.Background())
		srv.mu.Lock()
		for i, b := range srv.bodies {
			bodies[name] = append(bodies[name], string(b))
			if i < len(shown) && !bytes.Equal(shown[i], b) {
				t.Errorf("%s: show and the request differ", name)
			}
		}
		srv.mu.Unlock()
		sent, err := c.Sent()
		if err != nil {
			t.Fatal(err)
		}
		if n := len(bodies[name]); len(sent) < n || sent[len(sent)-1].Body != bodies[name][n-1] {
			t.Errorf("%s: the log does not end with the requests just sent", name)
		}
		for _, r := range sent {
			if strings.Contains(r.Body, "planted") && name != "future" {
				t.Errorf("%s: a planted line is in the log as a request: %q", name, r.Body)
			}
		}
	}
	for name, got := range bodies {
		if strings.Join(got, "\n") != strings.Join(bodies["none"], "\n") || len(got) != 2 {
			t.Errorf("with a log of %s the endpoint received %d requests, different from a machine without a log (%d)", name, len(got), len(bodies["none"]))
		}
	}
}

// TestDeleteQueueDeletesSentLog: off and reset (DeleteQueue) delete the
// log, and the temporary file of an interrupted rewrite of it.
func TestDeleteQueueDeletesSentLog(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, http.StatusNoContent)
	h := newHarness(t, srv.srv.URL, nil)
	writeQueue(t, h.home, dueQueue(3))
	h.clock.Set(day1.Add(36 * time.Hour))
	c := h.client()
	c.Flush(context.Background())
	dir := statedir.ForHome(h.home)
	if sent, _ := c.Sent(); len(sent) != 1 {
		t.Fatalf("log holds %d requests, want 1", len(sent))
	}
	temp := filepath.Join(dir.Root(), ".telemetry-sent.jsonl.codegraph-tmp-123")
	os.WriteFile(temp, []byte("x"), 0o600)
	if err := c.DeleteQueue(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir.SentLog(), temp} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}
	if sent, err := c.Sent(); len(sent) != 0 || err != nil {
		t.Errorf("after DeleteQueue: %d requests, %v", len(sent), err)
	}
}

// FuzzParseSentLine: a line of the log, which is a file on disk anyone
// may have written, never panics the parser; what it accepts is a request
// that renders back to a line that parses to the same request.
func FuzzParseSentLine(f *testing.F) {
	good := appendSentLine(nil, SentRequest{Time: day1, Status: 204, Endpoint: "http://127.0.0.1:8787/v1/events", Body: `{"machine_id":null,"events":[{"event":"index","props":{"duration_bucket":"<10s"}}]}`})
	f.Add(bytes.TrimSuffix(good, []byte("\n")))
	f.Add([]byte(`{"time":"2026-11-24T00:00:00Z","status":null,"endpoint":"","body":""}`))
	f.Add([]byte(`{"time":"2026-11-24T00:00:00Z","status":204,"endpoint":"e","body":"b","extra":1}`))
	f.Add([]byte(`{"time":"2026-11-24T00:00:00Z","status":99,"endpoint":"e","body":"b"}`))
	f.Add([]byte(`{"time":"x","status":204,"endpoint":"e","body":"b"} {}`))
	f.Add([]byte(`{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, line []byte) {
		r, ok := parseSentLine(line)
		if !ok {
			return
		}
		again, ok := parseSentLine(bytes.TrimSuffix(appendSentLine(nil, r), []byte("\n")))
		if !ok || !again.Time.Equal(r.Time) || again.Status != r.Status || again.Endpoint != r.Endpoint || again.Body != r.Body {
			t.Errorf("%q parsed to %+v, which renders to a line that parses to %+v (%v)", line, r, again, ok)
		}
		if r.Status != 0 && (r.Status < 100 || r.Status > 599) {
			t.Errorf("%q: status %d accepted", line, r.Status)
		}
	})
}
