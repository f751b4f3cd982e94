package installer

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPasteTargets: an install into a paste target writes nothing for it,
// records nothing (uninstall has nothing to undo), and hands back the
// snippet and where it goes; the snippet parses and starts the command the
// agent can run (a GUI IDE gets the absolute path; the Copilot cloud agent,
// which runs on GitHub, the bare name). Installed next to a file target,
// that one is installed as usual.
func TestPasteTargets(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	before := listFiles(t, env.Home)
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"jetbrains-ai", "copilot-cloud", "cherry-studio", "cursor"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	if d := p.Diff(); !strings.Contains(d, "# jetbrains-ai: nothing is written; paste this in JetBrains IDE") || !strings.Contains(d, `"command": "codegraph",`) {
		t.Errorf("dry run of paste targets:\n%s", d)
	}
	results, err := Apply(context.Background(), env, p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"jetbrains-ai": "/usr/local/bin/codegraph", "cherry-studio": "/usr/local/bin/codegraph", "copilot-cloud": "codegraph"}
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Target, r.Err)
		}
		cmd, paste := want[r.Target]
		if !paste {
			if r.Word() != "created" {
				t.Errorf("%s: %s, want created", r.Target, r.Word())
			}
			continue
		}
		if r.Word() != "pasted" || r.Path != "" || r.Where == "" {
			t.Errorf("%s: result %q path %q where %q", r.Target, r.Word(), r.Path, r.Where)
		}
		var doc struct {
			MCPServers map[string]struct {
				Type    string   `json:"type"`
				Command string   `json:"command"`
				Args    []string `json:"args"`
			} `json:"mcpServers"`
		}
		if err := json.Unmarshal([]byte(r.Paste), &doc); err != nil {
			t.Fatalf("%s: the snippet is not JSON (%v):\n%s", r.Target, err, r.Paste)
		}
		e := doc.MCPServers[ServerName]
		if e.Command != cmd || strings.Join(e.Args, " ") != "serve --mcp" {
			t.Errorf("%s: the snippet starts %q %v, want %q serve --mcp", r.Target, e.Command, e.Args, cmd)
		}
		if (r.Target == "copilot-cloud") != (e.Type == "local") {
			t.Errorf("%s: type %q", r.Target, e.Type)
		}
	}
	// Only Cursor's file and codegraph's own state were written.
	for f := range listFiles(t, env.Home) {
		if !before[f] && f != filepath.Join(".cursor", "mcp.json") && !strings.HasPrefix(f, ".codegraph") {
			t.Errorf("a paste target wrote %s", f)
		}
	}
	m, err := ReadManifest(env, ScopeGlobal)
	if err != nil || m == nil {
		t.Fatalf("manifest: %v", err)
	}
	if len(m.Targets) != 1 || m.Targets[0].ID != "cursor" {
		t.Errorf("the install record lists %+v, want cursor alone", m.Targets)
	}
	if tg, _ := TargetByID("jetbrains-ai"); tg.Detect(env) {
		t.Error("a paste target is detected")
	}
}

// listFiles is every regular file under dir, relative to it.
func listFiles(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			rel, _ := filepath.Rel(dir, path)
			out[rel] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
