//go:build !pro

package telemetry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"
)

// TestFlushResult: Flush says what it did, for `codegraph telemetry flush`
// to report: what was sent and the status, what could not be reached and
// was kept, what got no answer, what waits for the day to end, what is over
// the cap of requests, and off. Nothing else reads the result.
func TestFlushResult(t *testing.T) {
	t.Parallel()
	today := `{"event":"usage_rollup","ts":"2026-11-26T09:00:00Z","props":{"kind":"cli_command","name":"init","count":1}}` + "\n"
	for _, tc := range []struct {
		name    string
		queue   string
		handler http.HandlerFunc // nil: a closed port
		url     string           // instead of a server
		env     map[string]string
		// anyWhy: the system's words vary (EOF, connection reset).
		anyWhy bool
		want   FlushResult
		ok     bool
	}{
		{name: "sent", queue: dueQueue(3) + today, handler: status(204), ok: true,
			want: FlushResult{Requests: 1, Sent: 3, Statuses: []int{204}}},
		{name: "two requests", queue: dueQueue(150), handler: status(204), ok: true,
			want: FlushResult{Requests: 2, Sent: 150, Statuses: []int{204, 204}}},
		{name: "refused by the endpoint", queue: dueQueue(2), handler: status(400),
			want: FlushResult{Requests: 1, Sent: 2, Statuses: []int{400}}},
		{name: "over the cap of requests", queue: dueQueue(MaxRequestsPerFlush*100 + 5), handler: status(204), ok: true,
			want: FlushResult{Requests: MaxRequestsPerFlush, Sent: MaxRequestsPerFlush * 100, Statuses: repeat(204, MaxRequestsPerFlush), Kept: 5}},
		{name: "unreachable", queue: dueQueue(150) + today,
			want: FlushResult{Unreachable: true, Kept: 150, Why: "connection refused"}},
		{name: "no answer", queue: dueQueue(150), handler: func(w http.ResponseWriter, r *http.Request) {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		}, anyWhy: true, want: FlushResult{Lost: 100, Kept: 50}},
		{name: "not a URL", queue: dueQueue(2), url: "http://[::1", want: FlushResult{Dropped: 2, Why: "the endpoint is not a URL that can be sent to"}},
		{name: "nothing due", queue: today, handler: status(204), ok: true, want: FlushResult{}},
		{name: "nothing queued", handler: status(204), ok: true},
		{name: "off", queue: dueQueue(2), handler: status(204), env: map[string]string{"DO_NOT_TRACK": "1"}, ok: true, want: FlushResult{Off: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := tc.url
			if url == "" {
				h := tc.handler
				if h == nil {
					h = status(204)
				}
				srv := httptest.NewServer(h)
				url = srv.URL + "/v1/events"
				if tc.handler == nil {
					srv.Close()
				} else {
					defer srv.Close()
				}
			}
			h := newHarness(t, url, tc.env)
			if tc.queue != "" {
				writeQueue(t, h.home, tc.queue)
			}
			h.clock.Set(day1.Add(36 * time.Hour)) // 2026-11-26
			got := h.client().Flush(context.Background())
			if got.Requests > 0 || got.Lost > 0 || got.Unreachable || got.Dropped > 0 {
				tc.want.Endpoint = url
			}
			if tc.anyWhy && got.Why != "" {
				tc.want.Why = got.Why
			}
			if !equalResults(got, tc.want) || got.OK() != tc.ok {
				t.Errorf("Flush = %+v (OK %v)\nwant    %+v (OK %v)", got, got.OK(), tc.want, tc.ok)
			}
		})
	}
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func equalResults(a, b FlushResult) bool { return reflect.DeepEqual(a, b) }
