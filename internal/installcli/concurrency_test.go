//go:build !pro

package installcli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// rollupCounts sums the usage_rollup counts of request bodies by
// "day name".
func rollupCounts(t *testing.T, bodies [][]byte) map[string]int64 {
	t.Helper()
	counts := map[string]int64{}
	for _, b := range bodies {
		var body struct {
			Events []struct {
				Event string
				TS    string
				Props struct {
					Name  string
					Count int64
				}
			}
		}
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatalf("a request body is not JSON: %v", err)
		}
		for _, e := range body.Events {
			if e.Event == "usage_rollup" {
				counts[e.TS[:10]+" "+e.Props.Name] += e.Props.Count
			}
		}
	}
	return counts
}

// TestConcurrentProcessesCountExactlyOnce runs 20 real processes at once,
// each recording, persisting and flushing five times against one home
// directory, then checks that every count reached the server exactly once:
// the queue's lock and claim-by-rename must neither lose nor repeat a line.
func TestConcurrentProcessesCountExactlyOnce(t *testing.T) {
	t.Parallel()
	const procs, rounds = 20, 5
	ep, err := harness.NewEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	home := t.TempDir()
	// Clipped, so that concurrent appends below each get their own copy.
	base := slices.Clip(append(os.Environ(),
		"HOME="+home,
		"CODEGRAPH_TELEMETRY_ENDPOINT="+ep.URL(),
		"DO_NOT_TRACK=", "CODEGRAPH_TELEMETRY=",
	))
	bin := filepath.Join(binDir, "codegraph")
	run := func(now string, args ...string) error {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(base, "CODEGRAPH_TEST_NOW="+now)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%v: %v\n%s", args, err, out)
		}
		return nil
	}
	if err := run("2026-11-24T09:00:00Z", "telemetry", "on"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, procs*rounds*2)
	for p := 0; p < procs; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				// Record "telemetry status" on the 24th, then flush on
				// the 25th, while the other processes do the same.
				errs <- run("2026-11-24T10:00:00Z", "telemetry", "status")
				errs <- run("2026-11-25T10:00:00Z", "telemetry", "flush")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// One last flush on the 26th sends the flushes' own counts of the 25th.
	if err := run("2026-11-26T10:00:00Z", "telemetry", "flush"); err != nil {
		t.Fatal(err)
	}
	bodies := ep.Bodies()
	counts := rollupCounts(t, bodies)
	want := map[string]int64{
		"2026-11-24 telemetry:status": procs * rounds,
		"2026-11-24 telemetry:on":     1,
		"2026-11-25 telemetry:flush":  procs * rounds,
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s: received %d, want exactly %d", k, counts[k], n)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("received %v", counts)
	}
	if len(bodies) == 0 {
		t.Error("no request arrived")
	}
	t.Logf("%d requests carried %v", len(bodies), counts)
}
