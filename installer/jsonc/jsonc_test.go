package jsonc

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/getcodegraph/codegraph-install/installer/configerr"
	"testing"

	"github.com/tailscale/hujson"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

var claudeFields = []Field{
	{Key: "type", Value: "stdio"},
	{Key: "command", Value: "codegraph"},
	{Key: "args", Value: []string{"serve", "--mcp"}},
}

var openCodeFields = []Field{
	{Key: "type", Value: "local"},
	{Key: "command", Value: []string{"codegraph", "serve", "--mcp"}},
	{Key: "enabled", Value: true},
}

var mcpPath = []string{"mcpServers", "codegraph"}

type setCase struct {
	name   string
	in     string
	path   []string
	fields []Field
}

var setCases = []setCase{
	{"empty-file", "", mcpPath, claudeFields},
	{"whitespace-only", "\n\n", mcpPath, claudeFields},
	{"comments-only", "// my settings\n", mcpPath, claudeFields},
	{"empty-object", "{}", mcpPath, claudeFields},
	{"empty-object-newline", "{\n}\n", mcpPath, claudeFields},
	{"empty-mcpservers", "{\n  \"mcpServers\": {}\n}\n", mcpPath, claudeFields},
	{"two-space", "{\n  \"theme\": \"dark\",\n  \"mcpServers\": {\n    \"other\": {\n      \"command\": \"x\"\n    }\n  }\n}\n", mcpPath, claudeFields},
	{"four-space", "{\n    \"mcpServers\": {\n        \"other\": {\n            \"command\": \"x\"\n        }\n    }\n}\n", mcpPath, claudeFields},
	{"tabs-jsonc-trailing-commas", "{\n\t// servers\n\t\"mcpServers\": {\n\t\t\"github\": {\n\t\t\t\"command\": \"npx\", // the CLI\n\t\t\t\"env\": {\"TOKEN\": \"x\"},\n\t\t},\n\t},\n}\n", mcpPath, claudeFields},
	{"crlf-bom", "\ufeff{\r\n  \"mcpServers\": {\r\n    \"a\": {\"command\": \"a\"}\r\n  }\r\n}\r\n", mcpPath, claudeFields},
	{"minified", `{"mcpServers":{"a":{"command":"a","args":[]}},"x":1}`, mcpPath, claudeFields},
	{"minified-spaces", `{ "mcpServers": { "a": { "command": "a" } } }`, mcpPath, claudeFields},
	{"no-final-newline", "{\n  \"a\": 1\n}", mcpPath, claudeFields},
	{"line-comment-after-last", "{\n  \"mcpServers\": {\n    \"a\": {} // keep me\n  }\n}\n", mcpPath, claudeFields},
	{"non-ascii-names", "{\n  \"mcpServers\": {\n    \"mon serveur é\": {\"command\": \"x\", \"autoApprove\": [\"*\"]},\n    \"サーバー\": {\"command\": \"y\", \"disabled\": true, \"timeout\": 30}\n  }\n}\n", mcpPath, claudeFields},
	{"existing-entry-with-env", "{\n  \"mcpServers\": {\n    \"codegraph\": {\n      \"command\": \"old-codegraph\",\n      \"args\": [\"mcp\"],\n      \"env\": {\"DEBUG\": \"1\"}\n    }\n  }\n}\n", mcpPath, claudeFields},
	{"existing-entry-not-object", "{\"mcpServers\": {\"codegraph\": \"disabled\"}}\n", mcpPath, claudeFields},
	// An object whose only content is a comment edits like any other.
	{"mcpservers-comment-only", "{\n  \"mcpServers\": {\n    // add servers here\n  }\n}\n", mcpPath, claudeFields},
	{"mcpservers-block-comment-one-line", "{\n  \"mcpServers\": { /* add servers here */ }\n}\n", mcpPath, claudeFields},
	{"mcpservers-comment-minified", "{\"mcpServers\": { // add servers here\n}}", mcpPath, claudeFields},
	{"root-comment-only-object", "{\n  // nothing yet\n}\n", mcpPath, claudeFields},
	{"opencode-env-substitution", "{\n  \"$schema\": \"https://opencode.ai/config.json\",\n  // MCP servers\n  \"mcp\": {\n    \"gh\": {\n      \"type\": \"local\",\n      \"command\": [\"gh-mcp\"],\n      \"environment\": {\"TOKEN\": \"{env:GH_TOKEN}\"},\n    },\n  },\n}\n", []string{"mcp", "codegraph"}, openCodeFields},
}

func TestSetRevertGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range setCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, undo, changed, err := Set([]byte(tc.in), tc.path, tc.fields)
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			if !changed {
				t.Fatalf("Set reported no change")
			}
			testkit.Golden(t, "installer/jsonc/"+tc.name+".after.jsonc", out)
			assertEntry(t, out, tc.path, tc.fields)
			back, _, err := Revert(out, undo)
			if err != nil {
				t.Fatalf("Revert: %v", err)
			}
			if !bytes.Equal(back, []byte(tc.in)) {
				t.Fatalf("Revert did not restore the input:\n got %q\nwant %q", back, tc.in)
			}
			// A second Set is a no-op.
			again, _, changed, err := Set(out, tc.path, tc.fields)
			if err != nil || changed || !bytes.Equal(again, out) {
				t.Fatalf("second Set changed the document (changed=%v, err=%v)", changed, err)
			}
		})
	}
}

func assertEntry(t *testing.T, doc []byte, path []string, fields []Field) {
	t.Helper()
	raw, err := Get(doc, path)
	if err != nil || raw == nil {
		t.Fatalf("entry missing after Set: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("entry is not an object: %v", err)
	}
	for _, f := range fields {
		want, _ := json.Marshal(f.Value)
		have, _ := json.Marshal(got[f.Key])
		if !bytes.Equal(want, have) {
			t.Errorf("%s = %s, want %s", f.Key, have, want)
		}
	}
}

func TestSetKeepsUnknownFields(t *testing.T) {
	t.Parallel()
	in := []byte("{\"mcpServers\": {\"codegraph\": {\"command\": \"x\", \"env\": {\"A\": \"1\"}, \"autoApprove\": [\"q\"]}}}")
	out, _, _, err := Set(in, mcpPath, claudeFields)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := Get(out, mcpPath)
	var got map[string]any
	_ = json.Unmarshal(raw, &got)
	if got["env"] == nil || got["autoApprove"] == nil {
		t.Fatalf("unknown fields lost: %s", raw)
	}
}

func TestSetRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		kind any
	}{
		{"syntax", "{\"a\": }", &configerr.SyntaxError{}},
		{"unterminated", "{\"mcpServers\": {", &configerr.SyntaxError{}},
		{"root-null", "null", &configerr.ShapeError{}},
		{"root-array", "[1]", &configerr.ShapeError{}},
		{"mcpservers-null", "{\"mcpServers\": null}", &configerr.ShapeError{}},
		{"mcpservers-array", "{\"mcpServers\": []}", &configerr.ShapeError{}},
		{"duplicate-key", "{\"mcpServers\": {}, \"mcpServers\": {}}", &configerr.ShapeError{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, _, err := Set([]byte(tc.in), mcpPath, claudeFields)
			if err == nil {
				t.Fatal("Set accepted a document it must refuse")
			}
			switch tc.kind.(type) {
			case *configerr.SyntaxError:
				var se *configerr.SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("want configerr.SyntaxError, got %T: %v", err, err)
				}
			case *configerr.ShapeError:
				var se *configerr.ShapeError
				if !errors.As(err, &se) {
					t.Fatalf("want configerr.ShapeError, got %T: %v", err, err)
				}
			}
		})
	}
}

func TestSyntaxErrorNamesPosition(t *testing.T) {
	t.Parallel()
	_, _, _, err := Set([]byte("{\n  \"a\": 1,,\n}"), mcpPath, claudeFields)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("line 2")) {
		t.Fatalf("error should name line 2: %v", err)
	}
}

// FuzzSetRevert: for any input, Set either refuses (and the caller keeps the
// input) or returns a document that parses, holds the entry, and reverts to
// the exact input.
func FuzzSetRevert(f *testing.F) {
	for _, tc := range setCases {
		f.Add([]byte(tc.in))
	}
	f.Add([]byte(`{"mcpServers":{"codegraph":{}}}`))
	f.Add([]byte("{/*a*/\"mcpServers\"/*b*/:/*c*/{/*d*/}/*e*/}"))
	f.Add([]byte("{\"a\":1,}"))
	f.Add([]byte("{\"mcpServers\": {\"a\": 1 /* x */}}"))
	f.Fuzz(func(t *testing.T, in []byte) {
		orig := append([]byte{}, in...)
		out, undo, changed, err := Set(in, mcpPath, claudeFields)
		if !bytes.Equal(in, orig) {
			t.Fatal("Set modified its input slice")
		}
		if err != nil {
			return
		}
		if !changed {
			if !bytes.Equal(out, in) {
				t.Fatal("unchanged but different output")
			}
			return
		}
		body := bytes.TrimPrefix(out, utf8BOM)
		if _, err := hujson.Parse(body); err != nil {
			t.Fatalf("output does not parse: %v\n%q", err, out)
		}
		back, _, err := Revert(out, undo)
		if err != nil || !bytes.Equal(back, in) {
			t.Fatalf("round trip failed: %v\n in %q\nout %q\nback %q", err, in, out, back)
		}
	})
}

// lookupText returns the standard-JSON text of the value at path, or nil
// when absent: the tests read an entry back with it.
// deepDocument is nested far deeper than any config: 700,000 levels, which
// overflowed the parser's stack.
func deepDocument() []byte {
	deep := append(bytes.Repeat([]byte("["), 700_000), bytes.Repeat([]byte("]"), 700_000)...)
	return append([]byte(`{"mcpServers": {}, "x": `), append(deep, '}')...)
}

// TestDeepNestingRefused: deepDocument is refused with a LimitError by
// Set, Revert and Validate alike (a linear scan: BenchmarkRefuseDeepNesting
// times it); strings and comments holding brackets do not count.
func TestDeepNestingRefused(t *testing.T) {
	t.Parallel()
	deep := deepDocument()
	_, _, _, err := Set(deep, mcpPath, claudeFields)
	var le *configerr.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("Set: err = %v, want a configerr.LimitError", err)
	}
	if _, _, err := Revert(deep, Undo{Path: mcpPath}); !errors.As(err, &le) {
		t.Fatalf("Revert: err = %v, want a configerr.LimitError", err)
	}
	if err := Validate(deep); !errors.As(err, &le) {
		t.Fatalf("Validate: err = %v, want a configerr.LimitError", err)
	}
	at := append(bytes.Repeat([]byte("["), MaxDepth), bytes.Repeat([]byte("]"), MaxDepth)...)
	if err := Validate(at); err != nil {
		t.Errorf("exactly %d levels refused: %v", MaxDepth, err)
	}
	quoted := []byte(`{"a": "` + string(bytes.Repeat([]byte("{["), 5000)) + `" /* [[[[ */}`)
	if err := Validate(quoted); err != nil {
		t.Errorf("brackets in strings and comments counted: %v", err)
	}
}
