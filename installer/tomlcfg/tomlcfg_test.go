package tomlcfg

import (
	"bytes"
	"errors"
	"github.com/getcodegraph/codegraph-install/installer/configerr"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

var kvs = []KV{{Key: "command", Value: "codegraph"}, {Key: "args", Value: []string{"serve", "--mcp"}}}

const realistic = `# Codex config
model = "o4-mini"
approval_policy = "on-request"
profile = { name = "fast",
  model = "gpt-5",
}
tui.notifications = true

[projects."/home/me/src/app"]
trust_level = "trusted"

[[profiles.list]]
name = "a"

[[profiles.list]]
name = "b"

[mcp_servers.github]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-github"]
env = { GITHUB_TOKEN = "x" }

[mcp_servers.github.tools]
enabled = ["search"]

[shell_environment_policy]
inherit = "core"
notes = """
multi-line "quoted" text
[not_a_table]
"""
`

var setCases = []struct{ name, in string }{
	{"empty", ""},
	{"no-final-newline", "model = \"o3\""},
	{"crlf", "model = \"o3\"\r\n\r\n[mcp_servers.a]\r\ncommand = \"a\"\r\n"},
	{"realistic", realistic},
	{"mcp-servers-table-with-inline-servers", "[mcp_servers]\nother = { command = \"x\" }\n"},
	{"root-dotted-other-server", "mcp_servers.other.command = \"x\"\n"},
	{"existing-table", "[mcp_servers.codegraph]\ncommand = \"old\" # keep comment\nstartup_timeout_sec = 20\n\n[mcp_servers.codegraph.env]\nDEBUG = \"1\"\n"},
	{"existing-table-missing-args", "[mcp_servers.codegraph]\ncommand = \"old\""},
	{"non-ascii", "[mcp_servers.\"サーバー é\"]\ncommand = \"y\"\n"},
}

func TestSetRevertGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range setCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, undo, changed, err := Set([]byte(tc.in), "codegraph", kvs)
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			if !changed {
				t.Fatal("no change reported")
			}
			testkit.Golden(t, "installer/tomlcfg/"+tc.name+".after.toml", out)
			back, err := Revert(out, undo)
			if err != nil {
				t.Fatalf("Revert: %v", err)
			}
			if !bytes.Equal(back, []byte(tc.in)) {
				t.Fatalf("Revert did not restore input:\n got %q\nwant %q", back, tc.in)
			}
			again, _, changed, err := Set(out, "codegraph", kvs)
			if err != nil || changed || !bytes.Equal(again, out) {
				t.Fatalf("second Set not a no-op (changed=%v err=%v)", changed, err)
			}
		})
	}
}

func TestSetRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
		syntax         bool
	}{
		{"root-inline-table", "mcp_servers = { other = { command = \"x\" } }\n", "inline table", false},
		{"root-inline-multiline", "mcp_servers = {\n  other = { command = \"x\" },\n}\n", "inline table", false},
		{"dotted-codegraph", "mcp_servers.codegraph.command = \"x\"\n", "dotted keys", false},
		{"inline-in-table", "[mcp_servers]\ncodegraph = { command = \"x\" }\n", "dotted keys or an inline table", false},
		{"array-of-tables", "[[mcp_servers]]\nname = \"x\"\n", "array of tables", false},
		{"invalid", "model = \n", "line 1", true},
		{"duplicate-table", "[mcp_servers.codegraph]\ncommand = \"a\"\n[mcp_servers.codegraph]\ncommand = \"b\"\n", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, _, err := Set([]byte(tc.in), "codegraph", kvs)
			if err == nil {
				t.Fatal("accepted")
			}
			var se *configerr.SyntaxError
			if tc.syntax != errors.As(err, &se) {
				t.Fatalf("syntax=%v, got %T %v", tc.syntax, err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q should mention %q", err, tc.want)
			}
		})
	}
}

// FuzzSetRevert: Set refuses, or its output parses, holds the entry and
// reverts to the exact input.
func FuzzSetRevert(f *testing.F) {
	for _, tc := range setCases {
		f.Add([]byte(tc.in))
	}
	f.Add([]byte("a = 1979-05-27 07:32:00Z\n"))
	f.Add([]byte("s = '''x'''\n[t]\n"))
	f.Add([]byte("[mcp_servers.codegraph]\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		orig := append([]byte{}, in...)
		out, undo, changed, err := Set(in, "codegraph", kvs)
		if !bytes.Equal(in, orig) {
			t.Fatal("input modified")
		}
		if err != nil || !changed {
			return
		}
		got, err := Validate(out)
		if err != nil {
			t.Fatalf("output invalid: %v\n%q", err, out)
		}
		if !hasEntry(got, "codegraph", kvs) {
			t.Fatalf("entry missing: %q", out)
		}
		back, err := Revert(out, undo)
		if err != nil || !bytes.Equal(back, in) {
			t.Fatalf("round trip: %v\n in %q\nout %q", err, in, out)
		}
	})
}

// deepDocuments nest deeper than the parser could take in time (it would
// take tens of seconds over 10,000 inline tables, or a key of 10,000
// dotted parts).
func deepDocuments() map[string]string {
	parts := make([]string, 10_000)
	for i := range parts {
		parts[i] = "k"
	}
	return map[string]string{
		"inline tables": "model = \"x\"\nx = " + strings.Repeat("{a = ", 10_000) + "1" + strings.Repeat("}", 10_000) + "\n",
		"arrays":        "x = " + strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000) + "\n",
		"dotted key":    strings.Join(parts, ".") + " = 1\n",
		"table header":  "[" + strings.Join(parts, ".") + "]\n",
	}
}

// TestDeepNestingRefused: deepDocuments are refused with a LimitError (by
// a linear scan before the parser: BenchmarkRefuseDeepNesting times it);
// brackets and dots in strings and comments do not count, nor do the dots
// of floats in a long array.
func TestDeepNestingRefused(t *testing.T) {
	t.Parallel()
	for name, src := range deepDocuments() {
		_, _, _, err := Set([]byte(src), "codegraph", []KV{{Key: "command", Value: "codegraph"}})
		var le *configerr.LimitError
		if !errors.As(err, &le) {
			t.Errorf("%s: err = %v, want a configerr.LimitError", name, err)
		}
		if _, err := Revert([]byte(src), Undo{Table: "codegraph", Appended: true}); !errors.As(err, &le) {
			t.Errorf("%s: Revert err = %v, want a configerr.LimitError", name, err)
		}
	}
	floats := "x = [" + strings.Repeat("1.5, ", 5000) + "2.5]\n"
	strs := "a = \"" + strings.Repeat("[{.", 5000) + "\" # " + strings.Repeat("[", 2000) + "\nb = '''\n" + strings.Repeat("{", 2000) + "\n'''\n"
	for _, src := range []string{floats, strs} {
		if _, err := Validate([]byte(src)); err != nil {
			t.Errorf("refused a shallow document: %v", err)
		}
	}
}
