package loadtest

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// The load test may only ever target this machine.
func TestRefusesNonLoopbackAddresses(t *testing.T) {
	t.Parallel()
	for addr, ok := range map[string]bool{
		"127.0.0.1:8787":   true,
		"127.9.9.9:1":      true,
		"localhost:8787":   true,
		"[::1]:8787":       true,
		"10.0.0.1:80":      false,
		"192.168.1.2:8787": false,
		"8.8.8.8:53":       false,
		"example.com:80":   false,
		"127.0.0.1":        false, // no port
	} {
		if err := loopbackOnly(addr); (err == nil) != ok {
			t.Errorf("loopbackOnly(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
	if err := Run([]string{"-addr", "10.0.0.1:80", "-n", "1"}, io.Discard); err == nil || !strings.Contains(err.Error(), "non-loopback") {
		t.Errorf("Run against 10.0.0.1: %v", err)
	}
}

// TestUsage pins the tool's flags and their limits, as BENCHMARKS.md's
// commands use them.
func TestUsage(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if err := Run([]string{"-h"}, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("Run -h: %v, want flag.ErrHelp", err)
	}
	testkit.Golden(t, "loadtest/usage.txt", []byte(out.String()))
}

// TestBodiesAreValidAndDistinct: the patched bodies parse, and each names
// its own machine.
func TestBodiesAreValidAndDistinct(t *testing.T) {
	t.Parallel()
	b := Body(schema.MaxEventsPerRequest)
	seen := map[string]bool{}
	for _, i := range []int64{1, 2, 999_999_999_999} {
		SetMachine(b, i)
		body, err := schema.ParseBody(b)
		if err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		id, err := schema.ParseMachineID(body.Envelope["machine_id"])
		if err != nil || seen[id] || len(body.Events) != schema.MaxEventsPerRequest {
			t.Fatalf("body %d: machine %q (%v), %d events", i, id, err, len(body.Events))
		}
		seen[id] = true
	}
}
