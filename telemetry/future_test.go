//go:build !pro

package telemetry

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestFutureDatedCountsAreTodays: counts persisted while the clock said
// 2099 or 9999 are treated as today's by the first flush that sees them,
// and sent by the first flush after today ends, dated today. Before, they
// waited for their own day to end (until the cap dropped them), while
// `telemetry status` said they waited for tomorrow.
func TestFutureDatedCountsAreTodays(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, 204)
	h := newHarness(t, srv.srv.URL, nil)
	writeQueue(t, h.home, strings.Join([]string{
		`{"event":"usage_rollup","ts":"2099-03-01T00:00:00Z","props":{"count":2,"kind":"cli_command","name":"init"}}`,
		`{"event":"usage_rollup","ts":"9999-12-31T00:00:00Z","props":{"count":5,"kind":"cli_command","name":"doctor"}}`,
		// Today's count of the same key as the 2099 line: one event.
		`{"event":"usage_rollup","ts":"2026-11-25T00:00:00Z","props":{"count":1,"kind":"cli_command","name":"init"}}`,
	}, "\n")+"\n")

	today := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	h.clock.Set(today)
	c := h.client()
	if p := c.Pending(); p.Ready != 0 || p.WaitingForDayEnd != 2 || p.DatedInFuture != 2 {
		t.Errorf("before the flush: %+v; want 2 waiting for the day end, both dated in the future", p)
	}
	c.Flush(context.Background())
	if n := len(srv.requests()); n != 0 {
		t.Fatalf("today's counts were sent before the day ended: %d requests", n)
	}
	if lines := h.queueLines(t); len(lines) != 2 || strings.Contains(strings.Join(lines, ""), "2099") || strings.Contains(strings.Join(lines, ""), "9999") {
		t.Errorf("the queue after today's flush: %q; want two lines of 2026-11-25", lines)
	}
	if p := c.Pending(); p.WaitingForDayEnd != 2 || p.DatedInFuture != 0 {
		t.Errorf("after the flush: %+v; want 2 waiting, none dated in the future", p)
	}

	h.clock.Set(today.Add(24 * time.Hour))
	h.client().Flush(context.Background())
	events := srv.events()
	got := map[string]string{}
	for _, e := range events {
		props := e["props"].(map[string]any)
		got[props["name"].(string)] = e["ts"].(string) + " " + props["count"].(interface{ String() string }).String()
	}
	want := map[string]string{"init": "2026-11-25T00:00:00Z 3", "doctor": "2026-11-25T00:00:00Z 5"}
	if len(events) != 2 || got["init"] != want["init"] || got["doctor"] != want["doctor"] {
		t.Errorf("the next day sent %v; want %v", got, want)
	}
	if lines := h.queueLines(t); len(lines) != 0 {
		t.Errorf("left queued: %q", lines)
	}
}
