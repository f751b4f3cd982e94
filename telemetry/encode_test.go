package telemetry

import (
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestQueueLineBytes pins what a queue line looks like, byte for byte:
// event, ts, then props with sorted keys, no HTML escaping (people read
// the queue), U+2028 escaped, as earlier versions wrote them.
func TestQueueLineBytes(t *testing.T) {
	t.Parallel()
	c := New(Options{Home: t.TempDir(), Getenv: func(k string) string { return map[string]string{"CODEGRAPH_TELEMETRY": "1"}[k] }, Now: func() time.Time { return day1 }})
	ctr := c.CounterFor(schema.UsageMCPTool, "codegraph_status", "Claude Code (x)", "2.0.14")
	ctr.Record(true)
	ctr.Record(false)
	e, ok := ctr.harvest(dayNumber(day1)&1, dayNumber(day1))
	if !ok {
		t.Fatal("nothing harvested")
	}
	for _, tc := range []struct {
		e    entry
		want string
	}{
		{e, `{"event":"usage_rollup","ts":"2026-11-24T00:00:00Z","props":{"client_name":"Claude Code (x)","client_version":"2.0.14","count":2,"error_count":1,"kind":"mcp_tool","name":"codegraph_status"}}`},
		{entry{Event: "index", TS: "2026-11-24T10:00:00Z", Props: map[string]any{"duration_bucket": "<10s", "languages": []string{"go"}}}, `{"event":"index","ts":"2026-11-24T10:00:00Z","props":{"duration_bucket":"<10s","languages":["go"]}}`},
		{entry{Event: "x", TS: "\u2028\xff", Props: nil}, `{"event":"x","ts":"\u2028\ufffd","props":null}`},
	} {
		if got := string(marshalEntry(tc.e)); got != tc.want {
			t.Errorf("line\n%s\nwant\n%s", got, tc.want)
		}
	}
}
