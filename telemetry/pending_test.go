//go:build !pro

package telemetry

import (
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestPendingSplitsByDayEnd: Pending tells counts of the running UTC day
// (which no flush sends yet) from what the next flush may send, by the
// injected clock, and sums to PendingEvents.
func TestPendingSplitsByDayEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "http://127.0.0.1:1", nil)
	c := h.client()
	if got := c.Pending(); got.Ready != 0 || got.WaitingForDayEnd != 0 {
		t.Fatalf("empty queue: %+v", got)
	}
	if want := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC); !c.Pending().DayEnds.Equal(want) {
		t.Errorf("DayEnds = %v, want %v", c.Pending().DayEnds, want)
	}

	// Day 1 (23:58 UTC): three counts of three keys, one of them twice
	// (summed into one event), and one lifecycle event.
	c.Counter(schema.UsageCLICommand, "init").Record(true)
	c.Counter(schema.UsageCLICommand, "init").Record(true)
	c.Counter(schema.UsageCLICommand, "doctor").Record(false)
	c.Counter(schema.UsageCLICommand, "uninit").Record(true)
	c.Emit(UninstallEvent([]string{"claude"}))
	c.Persist()

	steps := []struct {
		name        string
		at          time.Time
		ready, wait int
	}{
		{"same day: counts wait, the lifecycle event is ready", day1, 1, 3},
		{"a second before midnight", time.Date(2026, 11, 24, 23, 59, 59, 0, time.UTC), 1, 3},
		{"at midnight the day is complete", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), 4, 0},
		{"days later, still ready", day1.Add(72 * time.Hour), 4, 0},
	}
	for _, s := range steps {
		h.clock.Set(s.at)
		got := c.Pending()
		if got.Ready != s.ready || got.WaitingForDayEnd != s.wait {
			t.Errorf("%s: %+v, want ready %d, waiting %d", s.name, got, s.ready, s.wait)
		}
		if n := pendingEvents(c); n != s.ready+s.wait {
			t.Errorf("%s: PendingEvents = %d, want %d", s.name, n, s.ready+s.wait)
		}
		if !got.DayEnds.After(s.at) || got.DayEnds.Sub(s.at) > 24*time.Hour {
			t.Errorf("%s: DayEnds %v is not the next midnight after %v", s.name, got.DayEnds, s.at)
		}
	}
}

func TestPendingNilClient(t *testing.T) {
	t.Parallel()
	var c *Client
	if p := c.Pending(); p != (Pending{}) || pendingEvents(c) != 0 {
		t.Errorf("nil client: %+v", p)
	}
}
