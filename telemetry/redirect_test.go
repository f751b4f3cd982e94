//go:build !pro

package telemetry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestRedirectIsFinal: an endpoint that answers 307 (which asks the client
// to send the same body again, elsewhere) must get exactly one request, the
// host it points at none, and the lines are done like after any response
// (CONTRACT §7). Before, Go's client re-sent the body to the other host, or
// ten times to the endpoint itself when it pointed back there.
func TestRedirectIsFinal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		self   bool                // Location points back at the endpoint itself
		client func() *http.Client // what the caller injects; nil: the default
	}{
		{name: "to another host"},
		{name: "to itself", self: true},
		{name: "with an injected client", client: func() *http.Client { return &http.Client{Timeout: time.Second} }},
		{name: "with an injected client that follows redirects", client: func() *http.Client {
			return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var elsewhere atomic.Int64
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				elsewhere.Add(1)
				w.WriteHeader(http.StatusNoContent)
			}))
			defer other.Close()
			var first atomic.Int64
			var endpoint *httptest.Server
			endpoint = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				first.Add(1)
				to := other.URL + "/v1/events"
				if tc.self {
					to = endpoint.URL + "/v1/events"
				}
				http.Redirect(w, r, to, http.StatusTemporaryRedirect)
			}))
			defer endpoint.Close()

			h := newHarness(t, endpoint.URL+"/v1/events", nil)
			var injected *http.Client
			var before func(*http.Request, []*http.Request) error
			newClient := func() *Client {
				c := h.client()
				if tc.client != nil {
					if injected == nil {
						injected = tc.client()
						before = injected.CheckRedirect
					}
					c.opts.HTTPClient = injected
				}
				return c
			}
			c := newClient()
			c.Counter(schema.UsageCLICommand, "init").Record(true)
			c.Persist()
			h.clock.Set(day1.Add(24 * time.Hour))
			newClient().Flush(context.Background())

			if n := first.Load(); n != 1 {
				t.Errorf("the endpoint got %d requests, want 1", n)
			}
			if n := elsewhere.Load(); n != 0 {
				t.Errorf("the redirect's target got %d requests, want none", n)
			}
			if lines := h.queueLines(t); len(lines) != 0 {
				t.Errorf("the redirect's lines were put back: %q", lines)
			}
			// A later process has nothing left to send.
			h.clock.Set(day1.Add(48 * time.Hour))
			newClient().Flush(context.Background())
			if n := first.Load(); n != 1 {
				t.Errorf("a later flush sent again: %d requests in all", n)
			}
			if injected != nil {
				// The caller's client is copied, never changed.
				if (injected.CheckRedirect == nil) != (before == nil) {
					t.Error("the injected client's CheckRedirect was changed")
				}
				if injected.CheckRedirect != nil && errors.Is(injected.CheckRedirect(nil, nil), http.ErrUseLastResponse) {
					t.Error("the injected client's CheckRedirect was replaced")
				}
			}
		})
	}
}
