//go:build !pro

package telemetry

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestOwnEventsNeedNoClaim: a command's own lifecycle event, emitted and
// not yet persisted, is sent from memory when the queue holds nothing
// due: the queue (today's counts) is left as it was, the same file, and no
// claim is made. This is what keeps `init`'s send cheap.
func TestOwnEventsNeedNoClaim(t *testing.T) {
	t.Parallel()
	col := newCollector(t, 204)
	h := newHarness(t, col.srv.URL+"/v1/events", nil)
	c := h.client()
	c.Counter("cli_command", "init").Record(true)
	c.Persist() // today's count: queued, not due
	before, err := os.Stat(statedir.ForHome(h.home).Queue())
	if err != nil {
		t.Fatal(err)
	}
	c.Emit(IndexEvent([]string{"go"}, 1, time.Millisecond))
	res := c.Flush(context.Background())
	if res.Sent != 1 || !res.OK() {
		t.Fatalf("flush: %+v", res)
	}
	if evs := col.events(); len(evs) != 1 || evs[0]["event"] != "index" {
		t.Fatalf("the endpoint received %v", evs)
	}
	after, err := os.Stat(statedir.ForHome(h.home).Queue())
	if err != nil || !os.SameFile(before, after) || after.Size() != before.Size() {
		t.Errorf("the queue was rewritten or changed by a send of the command's own event (%v)", err)
	}
	if claims := newQueue(statedir.ForHome(h.home)).list().claims; len(claims) > 0 {
		t.Errorf("claims left: %v", claims)
	}
	c.Close()
	for _, l := range h.queueLines(t) {
		if strings.Contains(l, `"index"`) {
			t.Errorf("the sent event was queued as well: %s", l)
		}
	}
}

// TestOwnEventsGoBackWhenNotSent: an own event that made no connection,
// or that this process may not send (the grace run of the notice), is
// queued when the command ends, and a later process sends it once.
func TestOwnEventsGoBackWhenNotSent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fresh bool // nothing stored: the notice is printed, nothing sent
	}{
		{name: "no connection"},
		{name: "grace run", fresh: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			col := newCollector(t, 204)
			url := col.srv.URL + "/v1/events"
			if !tc.fresh {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				url = "http://" + ln.Addr().String() + "/v1/events"
				ln.Close() // refused
			}
			var h *harness
			if tc.fresh {
				h = newFreshHarness(t, url, nil)
			} else {
				h = newHarness(t, url, nil)
			}
			c := h.client()
			c.Emit(IndexEvent([]string{"go"}, 1, time.Millisecond))
			res := c.Flush(context.Background())
			if res.Sent != 0 || (tc.fresh && !res.Notice) || (!tc.fresh && !res.Unreachable) {
				t.Fatalf("flush: %+v", res)
			}
			c.Close()
			if n := strings.Count(strings.Join(h.queueLines(t), "\n"), `"index"`); n != 1 {
				t.Fatalf("the event is queued %d times, want once: %q", n, h.queueLines(t))
			}
			h.mu.Lock()
			h.env[EnvEndpoint] = col.srv.URL + "/v1/events"
			h.mu.Unlock()
			if res := h.client().Flush(context.Background()); res.Sent != 1 {
				t.Fatalf("the next process's flush: %+v", res)
			}
			if evs := col.events(); len(evs) != 1 || evs[0]["event"] != "index" {
				t.Errorf("the endpoint received %v, want the index event once", evs)
			}
		})
	}
}

// TestOnlyCountsOf: the check that lets a flush skip parsing a queue says
// "nothing due" only for lines that begin as a count of today.
func TestOnlyCountsOf(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	today := `{"event":"usage_rollup","ts":"2026-11-25T00:00:00Z","props":{"count":1,"kind":"cli_command","name":"init"}}`
	for _, tc := range []struct {
		name, data string
		want       bool
	}{
		{"empty", "", true},
		{"today's counts", today + "\n" + today + "\n", true},
		{"no final newline", today, true},
		{"yesterday's count", strings.Replace(today, "25T", "24T", 1) + "\n", false},
		{"a later day", strings.Replace(today, "25T", "26T", 1) + "\n", false},
		{"an event", today + "\n" + `{"event":"index","ts":"2026-11-25T10:00:00Z","props":{}}` + "\n", false},
		{"another time of day", strings.Replace(today, "T00:00:00Z", "T09:00:00Z", 1) + "\n", false},
		{"a damaged line", today + "\n" + `{"ev` + "\n", false},
		{"an empty line", today + "\n\n" + today + "\n", false},
		{"an event glued to a torn count", today[:60] + `{"event":"index","ts":"2026-11-25T10:00:00Z","props":{}}` + "\n", false},
	} {
		if got := onlyCountsOf([]byte(tc.data), now); got != tc.want {
			t.Errorf("%s: onlyCountsOf = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestCountsStopAtTheSchemasMaximum: a day's count past the schema's
// maximum (a million calls) is queued as the maximum, which the queue's
// own parser accepts, rather than as a line it would skip whole.
func TestCountsStopAtTheSchemasMaximum(t *testing.T) {
	t.Parallel()
	ctr := &Counter{counterKey: counterKey{kind: schema.UsageMCPTool, name: "codegraph_status"}}
	ctr.slots[0].Add(3_000_000 * errorUnit)
	e, ok := ctr.harvest(0, dayNumber(day1))
	if !ok {
		t.Fatal("nothing harvested")
	}
	if e.Props["count"] != int64(maxCount) || e.Props["error_count"] != int64(maxCount) {
		t.Errorf("props %v, want both at %d", e.Props, maxCount)
	}
	if _, ok := parseLine(marshalEntry(e)); !ok {
		t.Errorf("the queue's parser skips %s", marshalEntry(e))
	}
}
