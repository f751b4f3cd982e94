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
