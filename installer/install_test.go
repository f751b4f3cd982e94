package installer

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstallReport: one Install into three agents, one of whose files
// does not parse, and the Uninstall after it: the report every front end
// renders says what happened to each, and its summary, JSON and Done agree.
func TestInstallReport(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	broken := filepath.Join(env.Home, ".codeium", "windsurf", "mcp_config.json")
	writeFile(t, broken, `{"mcpServers": {`)
	rep, err := Install(context.Background(), env, Request{Targets: []string{"claude", "cursor", "windsurf"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rep.Summary(), "2 installed, 1 failed"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	if !rep.Failed() {
		t.Error("Failed() = false with a file that does not parse")
	}
	if got := strings.Join(rep.Done(), ","); got != "claude,cursor" {
		t.Errorf("Done() = %s, want claude,cursor", got)
	}
	if rep.Op != OpInstall || rep.Kind == "" || rep.Copied != "" {
		t.Errorf("report = %+v: want an install with a kind and no copy (the binary is on the PATH)", rep)
	}
	if b, _ := os.ReadFile(broken); string(b) != `{"mcpServers": {` {
		t.Errorf("the file that does not parse was changed: %q", b)
	}

	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		OK        bool   `json:"ok"`
		Operation string `json:"operation"`
		Summary   string `json:"summary"`
		Targets   []struct {
			ID, Scope, Path, Result, Error string
			Command                        []string
		} `json:"targets"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v:\n%s", err, buf.String())
	}
	if got.OK || got.Operation != "install" || got.Summary != rep.Summary() || len(got.Targets) != 3 {
		t.Fatalf("JSON disagrees with the report:\n%s", buf.String())
	}
	for _, tg := range got.Targets {
		wantResult := "created"
		if tg.ID == "windsurf" {
			wantResult = "failed"
		}
		if tg.Result != wantResult || tg.Scope != "global" || !filepath.IsAbs(tg.Path) || (tg.Error != "") != (wantResult == "failed") {
			t.Errorf("%s: %+v, want result %s", tg.ID, tg, wantResult)
		}
		// A GUI app (Cursor) gets the binary's absolute path.
		if wantResult == "created" && (len(tg.Command) != 3 || filepath.Base(tg.Command[0]) != "codegraph" || strings.Join(tg.Command[1:], " ") != "serve --mcp") {
			t.Errorf("%s: command %q", tg.ID, tg.Command)
		}
	}

	p, err := PlanUninstall(env, UninstallOptions{Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	un := Uninstall(context.Background(), env, []*Plan{p})
	if un.Failed() || un.Summary() != "2 removed" || strings.Join(un.Done(), ",") != "claude,cursor" {
		t.Errorf("uninstall report: %s, failed %v, done %v", un.Summary(), un.Failed(), un.Done())
	}
}

// TestInstallAppliesTheGivenPlan: a plan made to check a request is the one
// applied, and an edit made since is kept, not overwritten (Apply reads
// each file again).
func TestInstallAppliesTheGivenPlan(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	path := filepath.Join(env.Home, ".cursor", "mcp.json")
	writeFile(t, path, `{"mcpServers": {}}`)
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"cursor"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, `{"mcpServers": {"other": {"command": "x"}}}`)
	rep, err := Install(context.Background(), env, Request{Targets: []string{"cursor"}, Scope: ScopeGlobal, Plan: p})
	if err != nil || rep.Failed() {
		t.Fatalf("err %v, report %s", err, rep.Summary())
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"other"`) || !strings.Contains(string(b), `"codegraph"`) {
		t.Errorf("after the install:\n%s", b)
	}
}

// TestInstallCopiesATemporaryBuild: run from go run's build folder, or from
// another temporary folder, with no codegraph on the PATH, Install copies
// the binary to ~/.codegraph/bin and says why in the user's words.
func TestInstallCopiesATemporaryBuild(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	for _, tc := range []struct{ exe, why string }{
		{filepath.Join(tmp, "go-build123", "b001", "exe", "codegraph-install"), "go run deletes its build"},
		{filepath.Join(tmp, "cg"), "it runs from a temporary folder"},
	} {
		env := testEnv(t)
		env.Getenv = func(k string) string { return map[string]string{"TMPDIR": tmp}[k] }
		env.LookPath = func(string) (string, error) { return "", os.ErrNotExist }
		env.Executable = tc.exe
		writeFile(t, tc.exe, "#!/bin/sh\n")
		rep, err := Install(context.Background(), env, Request{Targets: []string{"cursor"}, Scope: ScopeGlobal})
		if err != nil || rep.Failed() {
			t.Fatalf("%s: %v, %s", tc.exe, err, rep.Summary())
		}
		if rep.Copied != StableBinary(env) || rep.CopiedWhy != tc.why {
			t.Errorf("%s: copied %q (%q), want %q (%q)", tc.exe, rep.Copied, rep.CopiedWhy, StableBinary(env), tc.why)
		}
		if rep.Results[0].Server == nil || rep.Results[0].Server.Command != StableBinary(env) {
			t.Errorf("%s: the entry runs %+v, want the copy", tc.exe, rep.Results[0].Server)
		}
	}
}
