//go:build !pro

package telemetry

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestStoredBodyIsNeverSentAgain: an endpoint that stores the body and then
// answers too late (after SendTimeout), or resets the connection, got the
// counts; every later flush, by any number of later processes, must not
// send them again. (Before, a count of 7 arrived as 21.)
func TestStoredBodyIsNeverSentAgain(t *testing.T) {
	t.Parallel()
	for name, after := range map[string]func(w http.ResponseWriter, r *http.Request){
		// It answers only once the client has given up (SendTimeout).
		"answers too late": func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
			w.WriteHeader(http.StatusNoContent)
		},
		"resets the connection": func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var stored []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				stored = append(stored, string(body))
				mu.Unlock()
				after(w, r)
			}))
			defer srv.Close()
			h := newHarness(t, srv.URL, nil)
			c := h.client()
			ctr := c.Counter(schema.UsageCLICommand, "init")
			for i := 0; i < 7; i++ {
				ctr.Record(true)
			}
			c.Persist()
			for i := 1; i <= 4; i++ {
				h.clock.Set(day1.Add(time.Duration(i) * 24 * time.Hour))
				h.client().Flush(context.Background()) // a later process each time
			}
			mu.Lock()
			defer mu.Unlock()
			total := 0
			for _, b := range stored {
				var body struct {
					Events []struct {
						Props struct {
							Name  string
							Count int
						}
					}
				}
				if err := json.Unmarshal([]byte(b), &body); err != nil {
					t.Fatal(err)
				}
				for _, e := range body.Events {
					if e.Props.Name == "init" {
						total += e.Props.Count
					}
				}
			}
			if len(stored) != 1 || total != 7 {
				t.Errorf("%d requests stored, init counted %d times, want 1 and 7", len(stored), total)
			}
			if n := pendingEvents(h.client()); n != 0 {
				t.Errorf("%d events still pending", n)
			}
		})
	}
}
