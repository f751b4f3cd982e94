package telemetry

import (
	"bytes"
	"testing"
)

// FuzzAppendEntryMatchesEncodingJSON holds the hand-written encoder to
// encoding/json's exact bytes for every entry shape a queue line can have.
func FuzzAppendEntryMatchesEncodingJSON(f *testing.F) {
	f.Add("usage_rollup", "2026-11-24T00:00:00Z", "name", "codegraph_status", "client_name", "Claude \"Code\"\n\u2028<x>&", int64(3), true, "go")
	f.Add("index", "\xff", "languages", "\x00\x1f\\", "kind", "é", int64(-1), false, "\xe2\x80")
	f.Fuzz(func(t *testing.T, event, ts, k1, v1, k2, v2 string, n int64, b bool, item string) {
		for _, props := range []map[string]any{
			nil,
			{},
			{k1: v1, k2: v2, "count": n, "flag": b, "list": []string{item, v1}},
			{"empty": []string{}, "nil": []string(nil)},
		} {
			e := entry{Event: event, TS: ts, Props: props}
			if got, want := appendEntry(nil, e), mustJSON(e); !bytes.Equal(got, want) {
				t.Fatalf("appendEntry:\n%s\nencoding/json:\n%s", got, want)
			}
		}
	})
}

// FuzzRollupLine holds the direct encoding of a harvested rollup to what
// appendEntry writes for the same entry with its props.
func FuzzRollupLine(f *testing.F) {
	f.Add("mcp_tool", "codegraph_status", "Claude Code", "2.0.14", int64(3), int64(1))
	f.Add("cli_command", "init", "", "", int64(1), int64(0))
	f.Add("mcp_tool", "x", "\\\"<é>\u2028", "", int64(1_000_000), int64(7))
	f.Fuzz(func(t *testing.T, kind, name, clientName, clientVersion string, calls, errs int64) {
		c := &Client{}
		ctr := &Counter{client: c, kind: kind, name: name, clientName: clientName, clientVersion: clientVersion}
		ctr.encodeStatic()
		e := entry{Event: "usage_rollup", TS: "2026-11-24T00:00:00Z", ctr: ctr, calls: calls, errs: errs}
		if got, want := appendEntry(nil, e), appendEntry(nil, e.withProps()); !bytes.Equal(got, want) {
			t.Fatalf("direct:\n%s\nwith props:\n%s", got, want)
		}
	})
}
