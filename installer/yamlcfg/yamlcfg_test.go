package yamlcfg

import (
	"bytes"
	"errors"
	"github.com/getcodegraph/codegraph-install/installer/configerr"
	"reflect"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

var (
	goose       = Where{Key: "extensions", Name: "codegraph"}
	gooseFields = []Field{
		{Key: "type", Value: "stdio"},
		{Key: "name", Value: "codegraph"},
		{Key: "enabled", Value: true},
		{Key: "cmd", Value: "/usr/local/bin/codegraph"},
		{Key: "args", Value: []string{"serve", "--mcp"}},
		{Key: "envs", Value: map[string]string{}},
		{Key: "env_keys", Value: []string{}},
		{Key: "timeout", Value: 300},
	}
	hermes         = Where{Key: "mcp_servers", Name: "codegraph"}
	plainFields    = []Field{{Key: "command", Value: "codegraph"}, {Key: "args", Value: []string{"serve", "--mcp"}}}
	cont           = Where{Key: "mcpServers", Name: "codegraph", List: true}
	gooseRealistic = `# goose configuration
GOOSE_PROVIDER: anthropic
GOOSE_MODEL: claude-sonnet-4-5

extensions:
  developer:
    bundled: true
    enabled: true
    name: developer
    timeout: 300
    type: builtin
    # available_tools: []
  github:
    args:
    - -y
    - '@modelcontextprotocol/server-github'
    cmd: npx
    enabled: false
    envs: {GITHUB_TOKEN: "ghp_x"}
    name: github
    type: stdio

# keep this comment at the end
GOOSE_MODE: smart_approve
`
)

type setCase struct {
	name   string
	in     string
	where  Where
	fields []Field
}

var setCases = []setCase{
	{"goose-empty-file", "", goose, gooseFields},
	{"goose-comments-only", "# nothing yet\n", goose, gooseFields},
	{"goose-realistic", gooseRealistic, goose, gooseFields},
	{"goose-no-extensions-no-final-newline", "GOOSE_PROVIDER: openai\nGOOSE_MODEL: gpt-5", goose, gooseFields},
	{"goose-extensions-empty-flow", "GOOSE_PROVIDER: openai\nextensions: {}  # none yet\nGOOSE_MODE: auto\n", goose, gooseFields},
	{"goose-extensions-null", "extensions:\nGOOSE_MODE: auto\n", goose, gooseFields},
	{"goose-crlf-four-space", "GOOSE_PROVIDER: openai\r\nextensions:\r\n    memory:\r\n        enabled: true\r\n        type: builtin\r\n", goose, gooseFields},
	{"goose-existing-entry", "extensions:\n  codegraph:\n    cmd: codegraph # old\n    args:\n    - serve\n    - --mcp\n    description: my own\n    envs:\n      DEBUG: \"1\"\n    type: stdio\n    name: codegraph\n", goose, gooseFields},
	{"hermes-realistic", "model:\n  default: anthropic/claude-opus-4\n\nmcp_servers:\n  # local tools\n  filesystem:\n    command: \"npx\"\n    args: [\"-y\", \"@modelcontextprotocol/server-filesystem\", \"/home/me\"]\n  remote_api:\n    url: \"https://mcp.example.com/mcp\"\n    headers:\n      Authorization: \"Bearer ***\"\n", hermes, plainFields},
	{"continue-indented-list", "name: Local Config\nversion: 1.0.0\nschema: v1\nmodels:\n  - name: Claude\n    provider: anthropic\nmcpServers:\n  - name: SQLite MCP\n    command: npx\n    args:\n      - \"-y\"\n      - \"mcp-sqlite\"\n# rules next\nrules:\n  - Be brief\n", cont, plainFields},
	{"continue-flush-list", "name: c\nversion: 0.0.1\nschema: v1\nmcpServers:\n- name: a\n  command: a\n", cont, plainFields},
	{"continue-no-servers", "name: Local Config\nversion: 1.0.0\nschema: v1\n", cont, plainFields},
	{"continue-empty-list", "name: c\nversion: 0.0.1\nmcpServers: []\n", cont, plainFields},
	{"continue-existing-item", "mcpServers:\n  - name: codegraph\n    command: old\n    env:\n      A: \"1\"\n  - name: other\n    command: x\n", cont, plainFields},
	{"windows-path", "", hermes, []Field{{Key: "command", Value: `C:\Users\me\bin\codegraph.exe`}, {Key: "args", Value: []string{"serve", "--mcp"}}}},
	{"bom", "\ufeffmcp_servers:\n  a:\n    command: a\n", hermes, plainFields},
}

func TestSetRevertGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range setCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, undo, changed, err := Set([]byte(tc.in), tc.where, tc.fields)
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			if !changed {
				t.Fatal("Set reported no change")
			}
			testkit.Golden(t, "installer/yamlcfg/"+tc.name+".after.yaml", out)
			got, err := Get(out, tc.where)
			if err != nil || !holds(got, tc.fields) {
				t.Fatalf("entry after Set: %v %v", got, err)
			}
			back, _, err := Revert(out, undo)
			if err != nil {
				t.Fatalf("Revert: %v", err)
			}
			if !bytes.Equal(back, []byte(tc.in)) {
				t.Fatalf("Revert did not restore the input:\n got %q\nwant %q", back, tc.in)
			}
			again, _, changed, err := Set(out, tc.where, tc.fields)
			if err != nil || changed || !bytes.Equal(again, out) {
				t.Fatalf("second Set changed the document (changed=%v, err=%v)", changed, err)
			}
		})
	}
}

// TestExistingEntryKeepsOtherKeys: an entry the user wrote keeps the keys
// we do not own (description, envs), and comes back whole on Revert.
func TestExistingEntryKeepsOtherKeys(t *testing.T) {
	t.Parallel()
	in := setCases[7].in
	out, _, _, err := Set([]byte(in), goose, gooseFields)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Get(out, goose)
	if got["description"] != "my own" || !reflect.DeepEqual(got["envs"], map[string]any{}) {
		t.Errorf("entry = %v", got)
	}
	if !strings.Contains(string(out), "description: my own") {
		t.Errorf("description line not kept:\n%s", out)
	}
}

func TestRevertAfterOthersEdited(t *testing.T) {
	t.Parallel()
	out, undo, _, err := Set([]byte(gooseRealistic), goose, gooseFields)
	if err != nil {
		t.Fatal(err)
	}
	// The agent adds another extension after ours and changes a setting.
	edited := strings.Replace(string(out), "GOOSE_MODE: smart_approve", "GOOSE_MODE: auto", 1)
	edited = strings.Replace(edited, "# keep this comment", "  memory:\n    enabled: true\n    type: builtin\n\n# keep this comment", 1)
	back, _, err := Revert([]byte(edited), undo)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(back), "codegraph") || !strings.Contains(string(back), "memory:") || !strings.Contains(string(back), "GOOSE_MODE: auto") {
		t.Fatalf("revert lost others' edits or kept ours:\n%s", back)
	}
	if err := Validate(back); err != nil {
		t.Fatal(err)
	}
}

func TestCreatedFileIsEmptyAfterRevert(t *testing.T) {
	t.Parallel()
	out, undo, _, err := Set(nil, hermes, plainFields)
	if err != nil {
		t.Fatal(err)
	}
	back, empty, err := Revert(out, undo)
	if err != nil || !empty || len(back) != 0 {
		t.Fatalf("back=%q empty=%v err=%v", back, empty, err)
	}
}

func TestRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		where    Where
		want     any
	}{
		{"syntax", "extensions:\n  a: [\n", goose, &configerr.SyntaxError{}},
		{"tabs", "extensions:\n\tcodegraph: 1\n", goose, &configerr.SyntaxError{}},
		{"flow-mapping", "extensions: {developer: {enabled: true}}\n", goose, &configerr.ShapeError{}},
		{"top-level-list", "- a\n- b\n", goose, &configerr.ShapeError{}},
		{"several-documents", "a: 1\n---\nb: 2\n", goose, &configerr.ShapeError{}},
		{"explicit-null", "extensions: ~\n", goose, &configerr.ShapeError{}},
		{"entry-not-mapping", "extensions:\n  codegraph: off\n", goose, &configerr.ShapeError{}},
		{"list-not-list", "mcpServers:\n  a: 1\n", cont, &configerr.ShapeError{}},
	}
	for _, tc := range cases {
		_, _, _, err := Set([]byte(tc.in), tc.where, plainFields)
		switch tc.want.(type) {
		case *configerr.SyntaxError:
			var e *configerr.SyntaxError
			if !errors.As(err, &e) {
				t.Errorf("%s: err = %v, want a configerr.SyntaxError", tc.name, err)
			}
		case *configerr.ShapeError:
			var e *configerr.ShapeError
			if !errors.As(err, &e) {
				t.Errorf("%s: err = %v, want a configerr.ShapeError", tc.name, err)
			}
		}
	}
}

// deepDocuments nest deeper than MaxDepth, each in one of YAML's ways,
// within MaxSize.
func deepDocuments() map[string]string {
	var sb strings.Builder
	for i := 0; i <= MaxDepth; i++ {
		sb.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	flow := "a: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n"
	dashes := strings.Repeat("- ", 5000) + "x\n"
	return map[string]string{"block": sb.String(), "flow": flow, "dashes": dashes}
}

// TestDeepNestingRefused: deepDocuments are refused for their depth
// (BenchmarkRefuseDeepNesting times it); brackets in strings and comments
// do not count.
func TestDeepNestingRefused(t *testing.T) {
	t.Parallel()
	for name, src := range deepDocuments() {
		_, _, _, err := Set([]byte(src), goose, plainFields)
		var le *configerr.LimitError
		if !errors.As(err, &le) || !strings.Contains(le.Msg, "nested more than") {
			t.Errorf("%s (%d bytes): err = %v, want a configerr.LimitError for its depth", name, len(src), err)
		}
	}
	if err := Validate([]byte("a: \"[[[[[[\" # {{{{\nb: '{{{{'\n")); err != nil {
		t.Errorf("brackets in strings and comments counted: %v", err)
	}
}

func TestScalar(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"codegraph": "codegraph", "--mcp": "--mcp", "/usr/bin/codegraph": "/usr/bin/codegraph",
		"true": `"true"`, "1.5": `"1.5"`, "0x10": `"0x10"`, "": `""`, "a b": `"a b"`, "~": `"~"`,
		"2024-01-02": `"2024-01-02"`, `C:\x`: `"C:\\x"`, "-": `"-"`, "null": `"null"`,
	} {
		if got := scalar(in); got != want {
			t.Errorf("scalar(%q) = %s, want %s", in, got, want)
		}
	}
}
