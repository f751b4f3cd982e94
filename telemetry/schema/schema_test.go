package schema

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

func TestParseMachineID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   any
		want string
	}{
		{"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77", "3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"},
		{"3F0C5E0E-8D0B-4A53-9B8E-5A3C2F9D1E77", "3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"},
		{"urn:uuid:3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77", ""},
		{"{3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77}", ""},
		{"3f0c5e0e8d0b4a539b8e5a3c2f9d1e77", ""},
		{"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77\n", ""},
		{" 3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e7", ""},
		{"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e7g", ""},
		{"3f0c5e0e+8d0b-4a53-9b8e-5a3c2f9d1e77", ""},
		{json.Number("1"), ""},
		{nil, ""},
	} {
		got, err := ParseMachineID(tc.in)
		if tc.want == "" {
			if !errors.Is(err, ErrMachineID) {
				t.Errorf("ParseMachineID(%q) = %q, %v; want ErrMachineID", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseMachineID(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

const testID = "3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"

func TestCleanEnvelope(t *testing.T) {
	t.Parallel()
	in := map[string]any{
		"machine_id":        strings.ToUpper(testID),
		"codegraph_version": "0.9.12",
		"os":                "win32",
		"arch":              "x64",
		"go_version":        "1.26",
		"node_major":        json.Number("22"),
		"ci":                false,
		"schema_version":    json.Number("1"),
		"hostname":          "alice-laptop", // unknown: stripped
		"sqlite_backend":    "native",       // event prop, not envelope: stripped
	}
	got, rep, err := CleanEnvelope(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"machine_id": testID, "codegraph_version": "0.9.12", "os": "windows", "arch": "amd64",
		"go_version": "1.26", "node_major": int64(22), "ci": false, "schema_version": int64(1),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CleanEnvelope = %#v\nwant %#v", got, want)
	}
	if rep.Stripped != 2 {
		t.Errorf("Stripped = %d, want 2", rep.Stripped)
	}
	if _, _, err := CleanEnvelope(map[string]any{"os": "linux"}); !errors.Is(err, ErrMachineID) {
		t.Errorf("missing machine_id: err = %v", err)
	}
}

func TestCleanEnvelopeFieldRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		field string
		value any
		keep  bool
	}{
		{"codegraph_version", "0.9.12-rc.1+build", true},
		{"codegraph_version", "0.9 12", false},
		{"codegraph_version", strings.Repeat("1", 33), false},
		{"codegraph_version", "", false},
		{"os", "darwin", true},
		{"os", "a-very-long-os-name", false},
		{"go_version", "1.26", true},
		{"go_version", "1.26.3", false},
		{"go_version", "go1.26", false},
		{"go_version", "1.", false},
		{"node_major", json.Number("99"), true},
		{"node_major", json.Number("100"), false},
		{"node_major", json.Number("-1"), false},
		{"node_major", json.Number("22.0"), false},
		{"node_major", json.Number("2e1"), false},
		{"node_major", json.Number("022"), false},
		{"node_major", 22.0, false},
		{"node_major", "22", false},
		{"ci", true, true},
		{"ci", "true", false},
		{"schema_version", json.Number("0"), true},
		{"schema_version", json.Number("-0"), true},
	} {
		got, _, err := CleanEnvelope(map[string]any{"machine_id": testID, tc.field: tc.value})
		if err != nil {
			t.Fatal(err)
		}
		if _, kept := got[tc.field]; kept != tc.keep {
			t.Errorf("%s=%#v kept=%v, want %v", tc.field, tc.value, kept, tc.keep)
		}
	}
}

func TestCleanEvent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		event    string
		props    map[string]any
		want     map[string]any
		ok       bool
		stripped int
	}{
		{
			name:  "install valid",
			event: EventInstall,
			props: map[string]any{"targets": []any{"claude", "cursor"}, "scope": "global", "kind": "fresh"},
			want:  map[string]any{"targets": []string{"claude", "cursor"}, "scope": "global", "kind": "fresh"},
			ok:    true,
		},
		{
			name:  "install without scope is dropped",
			event: EventInstall,
			props: map[string]any{"targets": []any{"claude"}, "kind": "fresh"},
			ok:    false,
		},
		{
			name:     "install with bad scope is dropped",
			event:    EventInstall,
			props:    map[string]any{"scope": "everywhere", "kind": "fresh"},
			ok:       false,
			stripped: 1,
		},
		{
			name:     "target with a path is stripped, event kept",
			event:    EventInstall,
			props:    map[string]any{"targets": []any{"/home/alice/.claude"}, "scope": "local", "kind": "upgrade"},
			want:     map[string]any{"scope": "local", "kind": "upgrade"},
			ok:       true,
			stripped: 1,
		},
		{
			name:     "too many targets stripped",
			event:    EventInstall,
			props:    map[string]any{"targets": make([]any, 17), "scope": "local", "kind": "upgrade"},
			want:     map[string]any{"scope": "local", "kind": "upgrade"},
			ok:       true,
			stripped: 1,
		},
		{
			name:  "languages map unknown to other and dedupe",
			event: EventIndex,
			props: map[string]any{"languages": []any{"go", "brainfuck", "cobol", "klingon"}, "file_count_bucket": "<100", "duration_bucket": "<10s", "sqlite_backend": "wasm"},
			want:  map[string]any{"languages": []string{"go", "other", "cobol"}, "file_count_bucket": "<100", "duration_bucket": "<10s", "sqlite_backend": "wasm"},
			ok:    true,
		},
		{
			name:     "index with a raw file count stripped",
			event:    EventIndex,
			props:    map[string]any{"file_count": json.Number("1234"), "file_count_bucket": "1234"},
			want:     map[string]any{},
			ok:       true,
			stripped: 2,
		},
		{
			name:  "usage rollup",
			event: EventUsageRollup,
			props: map[string]any{"kind": "mcp_tool", "name": "codegraph_status", "count": json.Number("3"), "error_count": json.Number("1"), "client_name": "Claude Code (beta)", "client_version": "2.0.14"},
			want:  map[string]any{"kind": "mcp_tool", "name": "codegraph_status", "count": int64(3), "error_count": int64(1), "client_name": "Claude Code (beta)", "client_version": "2.0.14"},
			ok:    true,
		},
		{
			name:     "usage rollup with argument-like name dropped",
			event:    EventUsageRollup,
			props:    map[string]any{"kind": "cli_command", "name": "init /home/alice/secret", "count": json.Number("1")},
			ok:       false,
			stripped: 1,
		},
		{
			name:     "usage rollup count over cap dropped",
			event:    EventUsageRollup,
			props:    map[string]any{"kind": "cli_command", "name": "init", "count": json.Number("1000001")},
			ok:       false,
			stripped: 1,
		},
		{
			name:     "client name with newline stripped",
			event:    EventUsageRollup,
			props:    map[string]any{"kind": "mcp_tool", "name": "x", "count": 1, "client_name": "a\nb"},
			want:     map[string]any{"kind": "mcp_tool", "name": "x", "count": int64(1)},
			ok:       true,
			stripped: 1,
		},
		{
			name:  "uninstall from uninit has no props",
			event: EventUninstall,
			props: map[string]any{},
			want:  map[string]any{},
			ok:    true,
		},
		{
			name:  "unknown event",
			event: "page_view",
			props: map[string]any{},
			ok:    false,
		},
	} {
		got, rep, ok := CleanEvent(tc.event, tc.props)
		if ok != tc.ok {
			t.Errorf("%s: ok = %v, want %v", tc.name, ok, tc.ok)
			continue
		}
		if rep.Stripped != tc.stripped {
			t.Errorf("%s: stripped = %d, want %d", tc.name, rep.Stripped, tc.stripped)
		}
		if ok && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %#v\nwant %#v", tc.name, got, tc.want)
		}
	}
}

func TestCleanTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   any
		want time.Time
		kept bool
	}{
		{"2026-11-24T00:00:00Z", time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), true},
		{"2026-11-25T13:00:00+01:00", now, true},
		{"2026-10-26T11:59:59Z", now, false},
		{"2026-11-25T12:10:01Z", now, false},
		{"yesterday", now, false},
		{json.Number("1764000000"), now, false},
	} {
		got, kept := CleanTime(tc.in, now)
		if !got.Equal(tc.want) || kept != tc.kept {
			t.Errorf("CleanTime(%v) = %v, %v; want %v, %v", tc.in, got, kept, tc.want, tc.kept)
		}
	}
}

func TestSanitizeLabel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"  claude-code  ", 64, "claude-code"},
		{"Cursor/1.2 (macOS)", 64, "Cursor/1.2 (macOS)"},
		{"naïve\tclient", 64, "na_ve_client"},
		{"abcdefghij", 4, "abcd"},
		{"日本", 64, ""},
		{"", 64, ""},
	} {
		got := SanitizeLabel(tc.in, tc.max)
		if got != tc.want {
			t.Errorf("SanitizeLabel(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
		if got != "" && !IsLabel(got) {
			t.Errorf("SanitizeLabel(%q) = %q is not a label", tc.in, got)
		}
	}
}

func TestBuckets(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "<100", 99: "<100", 100: "100-1k", 999: "100-1k", 1000: "1k-10k", 9999: "1k-10k", 10000: "10k+"} {
		if got := FileCountBucket(n); got != want {
			t.Errorf("FileCountBucket(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "<10s", 9 * time.Second: "<10s", 10 * time.Second: "10-60s", time.Minute: "1-5m", 5 * time.Minute: "5m+"} {
		if got := DurationBucket(d); got != want {
			t.Errorf("DurationBucket(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestEveryExampleValidates keeps TELEMETRY.md honest: each documented
// example must pass its own rule.
func TestEveryExampleValidates(t *testing.T) {
	t.Parallel()
	check := func(where string, f Field) {
		var v any
		dec := json.NewDecoder(strings.NewReader(f.Example))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Errorf("%s.%s example %q is not JSON: %v", where, f.Name, f.Example, err)
			return
		}
		if _, ok := f.clean(v); !ok {
			t.Errorf("%s.%s example %q breaks its own rule", where, f.Name, f.Example)
		}
		if f.Why == "" {
			t.Errorf("%s.%s has no reason", where, f.Name)
		}
	}
	for _, f := range Envelope() {
		check("envelope", f)
	}
	check("event", Timestamp())
	for _, e := range Events() {
		for _, f := range e.Props {
			check(e.Name, f)
		}
	}
}

// TestNoFreeText proves the allowlist cannot carry free text: every string
// field is a closed set, a format, or a capped token/label.
func TestNoFreeText(t *testing.T) {
	t.Parallel()
	all := Envelope()
	for _, e := range Events() {
		all = append(all, e.Props...)
	}
	for _, f := range all {
		if f.Kind != KindString && f.Kind != KindList {
			continue
		}
		if len(f.Enum) > 0 || f.Format != FormatNone {
			continue
		}
		if f.Charset == CharsetNone || f.MaxLen == 0 {
			t.Errorf("%s is a string without a closed set, a format or a capped character class", f.Name)
		}
		if f.Kind == KindList && f.MaxItems == 0 {
			t.Errorf("%s is a list without a cap", f.Name)
		}
	}
}

func TestTelemetryDocIsGenerated(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "TELEMETRY.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReplaceGenerated(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	if testkit.Updating() {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != string(doc) {
		t.Errorf("TELEMETRY.md tables drifted from telemetry/schema; run `go test ./telemetry/schema -update`")
	}
}

// FuzzCleanEvent feeds arbitrary JSON props to every event and checks that
// whatever survives is canonical and passes validation a second time
// unchanged: nothing outside the rules can come out of the cleaner.
func FuzzCleanEvent(f *testing.F) {
	f.Add("install", `{"targets":["claude"],"scope":"global","kind":"fresh"}`)
	f.Add("index", `{"languages":["go","zz"],"file_count_bucket":"<100"}`)
	f.Add("usage_rollup", `{"kind":"mcp_tool","name":"a","count":1,"client_name":"x y"}`)
	f.Add("uninstall", `{"targets":[1,2]}`)
	f.Add("usage_rollup", `{"kind":"cli_command","name":"x","count":1.5,"extra":{"a":[]}}`)
	f.Fuzz(func(t *testing.T, event, body string) {
		var props map[string]any
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&props) != nil {
			return
		}
		out, _, ok := CleanEvent(event, props)
		if !ok {
			return
		}
		buildIndexes()
		allowed := propIndex[event]
		for k, v := range out {
			if allowed[k] == nil {
				t.Fatalf("prop %q outside the schema survived", k)
			}
			switch x := v.(type) {
			case string:
				if !utf8.ValidString(x) {
					t.Fatalf("invalid UTF-8 survived in %q", k)
				}
			case bool, int64, []string:
			default:
				t.Fatalf("prop %q has non-canonical type %T", k, v)
			}
		}
		again, rep, ok := CleanEvent(event, out)
		if !ok || rep.Stripped != 0 || !reflect.DeepEqual(again, out) {
			t.Fatalf("cleaning is not idempotent: %#v → %#v (%v, %d)", out, again, ok, rep.Stripped)
		}
	})
}

// FuzzParseMachineID checks that an accepted ID is always the canonical
// 36-character lower-case form.
func FuzzParseMachineID(f *testing.F) {
	f.Add(testID)
	f.Add(strings.ToUpper(testID))
	f.Add("urn:uuid:" + testID)
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseMachineID(s)
		if err != nil {
			return
		}
		if len(id) != 36 || id != strings.ToLower(s) {
			t.Fatalf("accepted %q as %q", s, id)
		}
	})
}

// TestCleanEventInPlaceAgreesWithCleanEvent: the two entry points apply the
// same rules; CleanEvent leaves its input alone.
func TestCleanEventInPlaceAgreesWithCleanEvent(t *testing.T) {
	t.Parallel()
	in := func() map[string]any {
		return map[string]any{"kind": "mcp_tool", "name": "x", "count": json.Number("2"), "path": "/home/a", "client_name": "a\nb"}
	}
	orig := in()
	want, wantRep, wantOK := CleanEvent(EventUsageRollup, orig)
	if !reflect.DeepEqual(orig, in()) {
		t.Errorf("CleanEvent modified its input: %v", orig)
	}
	got := in()
	rep, ok := CleanEventInPlace(EventUsageRollup, got)
	if ok != wantOK || rep != wantRep || !reflect.DeepEqual(got, want) {
		t.Errorf("in place: %v %v %v; copy: %v %v %v", got, rep, ok, want, wantRep, wantOK)
	}
	if _, ok := CleanEventInPlace("page_view", map[string]any{}); ok {
		t.Error("unknown event accepted in place")
	}
}
