package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

func post(t *testing.T, url, contentType string, body io.Reader, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// chunked hides the length of r so the client sends it chunked, without
// Content-Length.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestEventsStatusCodes(t *testing.T) {
	t.Parallel()
	valid := body("", mixedEvents(3)...)
	big := body("", `{"event":"index","props":{"pad":"`+strings.Repeat("x", schema.MaxBodyBytes)+`"}}`)
	exactly := body("", `{"event":"uninstall","props":{"pad":"`)
	exactly += strings.Repeat("x", schema.MaxBodyBytes-len(exactly)-len(`"}}]}`)) + `"}}]}`
	over := exactly[:len(exactly)-5] + `x"}}]}`
	hundred := body("", mixedEvents(100)...)
	hundredOne := body("", mixedEvents(101)...)
	const json = "application/json"
	cases := []struct {
		name    string
		method  string
		path    string
		ctype   string
		body    string
		hdr     map[string]string
		chunked bool
		want    int
	}{
		{name: "valid", body: valid, want: 204},
		{name: "charset parameter", ctype: "application/json; charset=utf-8", body: valid, want: 204},
		{name: "everything dropped", body: body("", `{"event":"nope"}`, `{"event":"install","props":{}}`), want: 204},
		{name: "no events key", body: `{"machine_id":"` + testMachine + `"}`, want: 204},
		{name: "unknown top-level and event keys", body: body(`"machine_id":"`+testMachine+`","ip":"1.2.3.4"`, `{"event":"uninstall","extra":1}`), want: 204},
		{name: "exactly 64 KiB", body: exactly, want: 204},
		{name: "exactly 100 events", body: hundred, want: 204},
		{name: "malformed JSON", body: `{"machine_id":`, want: 400},
		{name: "not an object", body: `[1,2]`, want: 400},
		{name: "trailing data", body: valid + `{}`, want: 400},
		{name: "duplicate key top-level", body: `{"machine_id":"` + testMachine + `","machine_id":"` + testMachine + `"}`, want: 400},
		{name: "duplicate key nested in props", body: body("", `{"event":"usage_rollup","props":{"kind":"mcp_tool","name":"x","count":1,"count":2}}`), want: 400},
		{name: "invalid utf-8 inside a string", body: body("", "{\"event\":\"uninstall\",\"props\":{\"targets\":[\"a\xffb\"]}}"), want: 400},
		{name: "too deep", body: body("", `{"event":"index","props":{"languages":[["go"]]}}`), want: 400},
		{name: "events not an array", body: `{"machine_id":"` + testMachine + `","events":{}}`, want: 400},
		{name: "urn:uuid machine id", body: `{"machine_id":"urn:uuid:` + testMachine + `","events":[]}`, want: 400},
		{name: "braced machine id", body: `{"machine_id":"{` + testMachine + `}","events":[]}`, want: 400},
		{name: "bare hex machine id", body: `{"machine_id":"3f0c5e0e8d0b4a539b8e5a3c2f9d1e77","events":[]}`, want: 400},
		{name: "machine id with newline", body: `{"machine_id":"` + testMachine + `\n","events":[]}`, want: 400},
		{name: "machine id not a string", body: `{"machine_id":1,"events":[]}`, want: 400},
		{name: "missing machine id", body: `{"events":[]}`, want: 400},
		{name: "101 events", body: hundredOne, want: 413},
		{name: "64 KiB + 1", body: over, want: 413},
		{name: "huge", body: big, want: 413},
		{name: "chunked over cap", body: big, chunked: true, want: 413},
		{name: "chunked within cap", body: valid, chunked: true, want: 204},
		{name: "gzip", body: valid, hdr: map[string]string{"Content-Encoding": "gzip"}, want: 415},
		{name: "identity encoding", body: valid, hdr: map[string]string{"Content-Encoding": "identity"}, want: 204},
		{name: "text/plain", ctype: "text/plain", body: valid, want: 415},
		{name: "no content type", ctype: "-", body: valid, want: 415},
		{name: "json suffix type", ctype: "application/problem+json", body: valid, want: 415},
		{name: "GET events", method: "GET", want: 405},
		{name: "PUT events", method: "PUT", body: valid, want: 405},
		{name: "unknown path", path: "/v1/event", body: valid, want: 404},
		{name: "case differs", path: "/V1/events", body: valid, want: 404},
		{name: "trailing slash", path: "/v1/events/", body: valid, want: 404},
		{name: "root", method: "GET", path: "/", want: 200},
		{name: "healthz", method: "GET", path: "/healthz", want: 200},
		{name: "metrics", method: "GET", path: "/metrics", want: 200},
		{name: "POST healthz", method: "POST", path: "/healthz", want: 405},
	}
	srv := httptest.NewServer(newTestHandler(t, &captureSink{}))
	t.Cleanup(srv.Close)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method, path, ctype := tc.method, tc.path, tc.ctype
			if method == "" {
				method = "POST"
			}
			if path == "" {
				path = EventsPath
			}
			switch ctype {
			case "":
				ctype = json
			case "-":
				ctype = ""
			}
			var rd io.Reader = strings.NewReader(tc.body)
			if tc.chunked {
				rd = chunked{rd}
			}
			req, err := http.NewRequest(method, srv.URL+path, rd)
			if err != nil {
				t.Fatal(err)
			}
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			for k, v := range tc.hdr {
				req.Header.Set(k, v)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.chunked && req.ContentLength > 0 {
				t.Fatal("request was not sent without Content-Length")
			}
		})
	}
}

func TestDecodeStripsAndDrops(t *testing.T) {
	t.Parallel()
	old := fixedNow.Add(-40 * 24 * time.Hour).Format(time.RFC3339)
	in := body(`"machine_id":"3F0C5E0E-8D0B-4A53-9B8E-5A3C2F9D1E77","os":"win32","arch":"x64","node_major":22,"sqlite_backend":"wasm","evil":"x"`,
		`{"event":"install","ts":"`+old+`","props":{"targets":["claude"],"scope":"local","kind":"fresh","path":"/home/me"}}`,
		`{"event":"usage_rollup","props":{"kind":"mcp_tool","name":"x","count":1.0}}`,
		`{"event":"usage_rollup","ts":"2026-11-24T11:00:00Z","props":{"kind":"cli_command","name":"index","count":3,"error_count":-1}}`,
		`{"event":"secret"}`, `"str"`, `{"event":1}`, `{"event":"uninstall","props":[]}`, `{"event":"uninstall","props":null}`)
	b, st, derr, ok := Decode([]byte(in), fixedNow)
	if !ok {
		t.Fatal(derr)
	}
	if b.MachineID != testMachine {
		t.Fatalf("machine id %q", b.MachineID)
	}
	wantEnv := map[string]any{"machine_id": testMachine, "os": "windows", "arch": "amd64", "node_major": int64(22)}
	if !reflect.DeepEqual(b.Envelope, wantEnv) {
		t.Fatalf("envelope %#v", b.Envelope)
	}
	if len(b.Events) != 3 {
		t.Fatalf("%d events kept, want 3: %#v", len(b.Events), b.Events)
	}
	if !b.Events[0].TS.Equal(fixedNow) {
		t.Errorf("old ts kept: %v", b.Events[0].TS)
	}
	if want := time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC); !b.Events[1].TS.Equal(want) {
		t.Errorf("ts %v, want %v", b.Events[1].TS, want)
	}
	if _, ok := b.Events[1].Props["error_count"]; ok {
		t.Error("negative error_count kept")
	}
	// Stripped: sqlite_backend and evil in the envelope, path, count 1.0, error_count, null props.
	// Dropped: count 1.0 (required prop invalid), secret, "str", event 1, props [].
	if st.Stripped != 6 || st.Dropped != 5 {
		t.Fatalf("stats %+v, want 6 stripped, 5 dropped", st)
	}
}

func TestRateLimitPerMachine(t *testing.T) {
	t.Parallel()
	now := fixedNow
	h, err := NewHandler(Config{Sink: &captureSink{}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	send := func(id string) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", EventsPath, strings.NewReader(`{"machine_id":"`+id+`","events":[]}`))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := 0; i < DefaultBurst; i++ {
		if c := send(testMachine); c != 204 {
			t.Fatalf("request %d: %d", i, c)
		}
	}
	if c := send(testMachine); c != 429 {
		t.Fatalf("request past burst: %d, want 429", c)
	}
	if c := send("00000000-0000-4000-8000-000000000001"); c != 204 {
		t.Fatalf("other machine: %d", c)
	}
	now = now.Add(time.Second) // 60/min refills one token a second
	if c := send(testMachine); c != 204 {
		t.Fatalf("after refill: %d", c)
	}
	if got := h.Metrics().RateLimited.Load(); got != 1 {
		t.Fatalf("rate_limited %d", got)
	}
}

func TestLimiterBoundedMemory(t *testing.T) {
	t.Parallel()
	l := newLimiter(60, 30, 100)
	for i := 0; i < 10_000; i++ {
		l.allow(fmt.Sprintf("id-%d", i), fixedNow)
	}
	if n := l.len(); n != 100 {
		t.Fatalf("tracking %d ids, cap 100", n)
	}
	if n := len(l.entries); n != 100 {
		t.Fatalf("map holds %d ids, cap 100", n)
	}
}

func TestSinkErrorIs503(t *testing.T) {
	t.Parallel()
	h := newTestHandler(t, &captureSink{err: errors.New("disk full")})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", EventsPath, strings.NewReader(body("", mixedEvents(2)...)))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if rec.Code != 503 {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestLandingAndMetrics(t *testing.T) {
	t.Parallel()
	h := newTestHandler(t, &captureSink{})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(page, []byte(schema.DocsURL)) {
		t.Fatalf("landing page does not link TELEMETRY.md:\n%s", page)
	}
	post(t, srv.URL+EventsPath, "application/json", strings.NewReader(body("", mixedEvents(4)...)), nil)
	post(t, srv.URL+"/nope", "application/json", strings.NewReader("{}"), nil)
	resp, err = srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`codegraph_ingest_requests_total{code="204"} 1`,
		`codegraph_ingest_requests_total{code="404"} 1`,
		`codegraph_ingest_events_accepted_total 4`,
		"# TYPE codegraph_ingest_queue_dropped_total counter",
	} {
		if !bytes.Contains(m, []byte(want)) {
			t.Errorf("metrics lack %q:\n%s", want, m)
		}
	}
}

func TestRedactAddrs(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"http: TLS handshake error from 203.0.113.7:51234: EOF",
		"http: panic serving [2001:db8::1]:443: boom",
		"http2: error reading preface from client 2001:db8:0:0:1:0:0:1: x",
		"http: panic serving 127.0.0.1:8080: boom",
	} {
		out := RedactAddrs(in)
		for _, ip := range []string{"203.0.113.7", "2001:db8", "127.0.0.1"} {
			if strings.Contains(out, ip) {
				t.Errorf("RedactAddrs(%q) = %q still holds %s", in, out, ip)
			}
		}
	}
}

// cleanStored asserts that what reached a sink is inside the schema: every
// event name known, every prop and envelope value re-validating unchanged.
func cleanStored(t *testing.T, evs []Accepted) {
	t.Helper()
	for _, e := range evs {
		props, rep, ok := schema.CleanEvent(e.Event, e.Props)
		if !ok || rep.Stripped != 0 || !reflect.DeepEqual(props, e.Props) {
			t.Fatalf("stored event %q props %#v do not re-validate (ok=%v, %+v, %#v)", e.Event, e.Props, ok, rep, props)
		}
		env, rep, err := schema.CleanEnvelope(e.Envelope)
		if err != nil || rep.Stripped != 0 || !reflect.DeepEqual(env, e.Envelope) {
			t.Fatalf("stored envelope %#v does not re-validate: %v %+v", e.Envelope, err, rep)
		}
		if e.MachineID != env["machine_id"] {
			t.Fatalf("machine id %q vs envelope %q", e.MachineID, env["machine_id"])
		}
		if e.TS.Before(fixedNow.Add(-schema.MaxEventAge)) || e.TS.After(fixedNow.Add(schema.MaxClockSkew)) {
			t.Fatalf("ts %v outside the window", e.TS)
		}
	}
}

// FuzzHandler sends arbitrary bodies through the real handler into a
// capturing sink: whatever the body, the answer is one of the allowed codes
// and nothing outside the schema is stored.
func FuzzHandler(f *testing.F) {
	seeds := []string{
		body("", mixedEvents(5)...),
		body(`"machine_id":"`+testMachine+`","os":"win32","node_major":22,"x":{"y":1}`, `{"event":"index","props":{"languages":["go","klingon","go"],"sqlite_backend":"wasm"}}`),
		body("", `{"event":"usage_rollup","props":{"kind":"mcp_tool","name":"a b","count":1e3,"client_name":"x\u0000"}}`),
		body("", `{"event":"install","props":{"targets":["a","a"],"scope":"global","kind":"fresh","__proto__":1}}`),
		body("", `{"event":"uninstall","ts":"2026-11-24T12:09:00+00:00","props":{}}`),
		body("", `{"event":"uninstall","ts":"9999-01-01T00:00:00Z","props":{"targets":[]}}`),
		`{"machine_id":"` + testMachine + `","events":[{"event":"usage_rollup","props":{"kind":"mcp_tool","name":"n","count":1000001}}]}`,
		`{"machine_id":"` + testMachine + `","a":1,"a":2}`,
		`{}`, `[]`, ``, "{\"machine_id\":\"\xff\"}",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sink := &captureSink{}
		h := newTestHandler(t, sink)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", EventsPath, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req.WithContext(context.Background()))
		switch rec.Code {
		case 204, 400, 413, 429:
		default:
			t.Fatalf("status %d for %q", rec.Code, data)
		}
		stored := sink.all()
		if rec.Code != 204 && len(stored) > 0 {
			t.Fatalf("status %d but %d events stored", rec.Code, len(stored))
		}
		cleanStored(t, stored)
	})
}

// len reports how many machine IDs the limiter tracks (tests only: the
// bound on its memory is what they check).
func (l *limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}
