package telemetry

import (
	"testing"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestQueueLineBytes pins what a queue line looks like, byte for byte:
// event, ts, then props with sorted keys, no HTML escaping (people read
// the queue), U+2028 escaped, as earlier versions wrote them.
func TestQueueLineBytes(t *testing.T) {
	t.Parallel()
	ctr := &Counter{counterKey: counterKey{kind: schema.UsageMCPTool, name: "codegraph_status", clientName: "Claude Code (x)", clientVersion: "2.0.14"}}
	ctr.slots[0].Add(callUnit)
	ctr.slots[0].Add(errorUnit)
	e, ok := ctr.harvest(0, dayNumber(day1))
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
