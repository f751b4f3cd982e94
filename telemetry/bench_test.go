//go:build !pro

package telemetry

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

func benchClient(b *testing.B, env map[string]string) *Client {
	b.Helper()
	home := b.TempDir()
	return New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: time.Now})
}

// BenchmarkRecord is the hot path with telemetry on: one counter recorded in
// a loop (run with -cpu 1,2 to see GOMAXPROCS has no effect on it).
func BenchmarkRecord(b *testing.B) {
	c := benchClient(b, map[string]string{"CODEGRAPH_TELEMETRY": "1"})
	ctr := c.Counter(schema.UsageMCPTool, "codegraph_status")
	b.ReportAllocs()
	b.ResetTimer()
	// A b.N loop, not b.Loop: b.Loop keeps calls in its body from being
	// inlined, and Record is meant to be inlined into its caller.
	for i := 0; i < b.N; i++ {
		ctr.Record(i&7 != 0)
	}
}

// BenchmarkRecordParallel records one shared counter from every P: the cost
// when concurrent tool calls contend for the same cache line.
func BenchmarkRecordParallel(b *testing.B) {
	c := benchClient(b, map[string]string{"CODEGRAPH_TELEMETRY": "1"})
	ctr := c.Counter(schema.UsageMCPTool, "codegraph_status")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ctr.Record(true)
		}
	})
}

// BenchmarkRecordDisabled is the hot path with telemetry off.
func BenchmarkRecordDisabled(b *testing.B) {
	c := benchClient(b, map[string]string{"DO_NOT_TRACK": "1"})
	ctr := c.Counter(schema.UsageMCPTool, "codegraph_status")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctr.Record(true)
	}
}

// BenchmarkPersistNearCap persists a few deltas into a queue kept just
// under its 256 KiB cap, so compactions are included at their real rate.
func BenchmarkPersistNearCap(b *testing.B) {
	c := benchClient(b, map[string]string{"CODEGRAPH_TELEMETRY": "1"})
	line := `{"event":"usage_rollup","ts":"2026-11-24T00:00:00Z","props":{"count":3,"kind":"mcp_tool","name":"codegraph_status","client_name":"claude-code","client_version":"2.0.14"}}` + "\n"
	fill := strings.Repeat(line, (QueueCap-4096)/len(line))
	if err := c.dir.Ensure(); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(c.dir.Queue(), []byte(fill), 0o600); err != nil {
		b.Fatal(err)
	}
	tools := []*Counter{
		c.Counter(schema.UsageMCPTool, "codegraph_status"),
		c.Counter(schema.UsageMCPTool, "codegraph_explore"),
		c.Counter(schema.UsageCLICommand, "init"),
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range tools {
			t.Record(true)
		}
		c.Persist()
	}
	b.StopTimer()
	if fi, err := os.Stat(c.dir.Queue()); err != nil || fi.Size() > QueueCap {
		b.Fatalf("queue %v %v", fi, err)
	}
}

// BenchmarkPersistCompacting is the costliest persist: the queue is full
// before each one, so every persist compacts (reads the newest half, writes
// it with the new deltas to a new file, renames it over the queue).
func BenchmarkPersistCompacting(b *testing.B) {
	c := benchClient(b, map[string]string{"CODEGRAPH_TELEMETRY": "1"})
	line := `{"event":"usage_rollup","ts":"2026-11-24T00:00:00Z","props":{"count":3,"kind":"mcp_tool","name":"codegraph_status","client_name":"claude-code","client_version":"2.0.14"}}` + "\n"
	// 50 bytes short of the cap: no delta line fits.
	fill := strings.Repeat(line, (QueueCap-200)/len(line))
	fill = fill + strings.Repeat("x", QueueCap-50-len(fill)-1) + "\n"
	if err := c.dir.Ensure(); err != nil {
		b.Fatal(err)
	}
	ctr := c.Counter(schema.UsageMCPTool, "codegraph_status")
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if err := os.WriteFile(c.dir.Queue(), []byte(fill), 0o600); err != nil {
			b.Fatal(err)
		}
		ctr.Record(true)
		b.StartTimer()
		c.Persist()
	}
	b.StopTimer()
	if fi, err := os.Stat(c.dir.Queue()); err != nil || fi.Size() > compactTo+1024 {
		b.Fatalf("the persist did not compact: %v %v", fi, err)
	}
}
