package doctor

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/installer"
	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// bins are the real binaries, built once (codegraph serve --mcp is the
// server every passing check talks to).
var bins harness.Binaries

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "codegraph-doctor-bin-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if bins, err = harness.Build(context.Background(), dir); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// machine is a home, a project and an environment whose PATH holds the
// built binaries.
type machine struct {
	home, project string
	vars          map[string]string
}

func newMachine(t *testing.T) *machine {
	t.Helper()
	m := &machine{home: testkit.Home(t), project: t.TempDir()}
	m.vars = map[string]string{
		"PATH": bins.Dir + string(os.PathListSeparator) + "/usr/bin" + string(os.PathListSeparator) + "/bin",
		// Whatever runs, nothing leaves loopback.
		"CODEGRAPH_TELEMETRY_ENDPOINT": "http://127.0.0.1:9/v1/events",
	}
	return m
}

func (m *machine) env() installer.Env {
	getenv := func(k string) string { return m.vars[k] }
	return installer.Env{
		Home: m.home, ProjectDir: m.project, GOOS: runtime.GOOS, Getenv: getenv,
		LookPath: installer.PathLookup(getenv, runtime.GOOS), Version: "test", Now: time.Now,
	}
}

func (m *machine) options(timeout time.Duration) Options {
	environ := []string{"HOME=" + m.home}
	for k, v := range m.vars {
		environ = append(environ, k+"="+v)
	}
	return Options{Env: m.env(), Environ: environ, Timeout: timeout, Version: "test"}
}

func (m *machine) install(t *testing.T, scope installer.Scope, targets ...string) {
	t.Helper()
	m.installServer(t, scope, installer.Server{}, targets...)
}

// installServer installs with --server-command srv (the zero Server: the
// default command).
func (m *machine) installServer(t *testing.T, scope installer.Scope, srv installer.Server, targets ...string) {
	t.Helper()
	p, err := installer.PlanInstall(m.env(), installer.InstallOptions{Targets: targets, Scope: scope, Server: srv})
	if err != nil {
		t.Fatal(err)
	}
	res, err := installer.Apply(context.Background(), m.env(), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.OK() {
			t.Fatalf("%s: %v", r.Target, r.Err)
		}
	}
}

func write(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// TestRealServer: entries the installer wrote, for an agent started from a
// shell (bare "codegraph" on its PATH), a GUI app (the absolute path) and a
// project, all start the real `codegraph serve --mcp` and list its tools.
func TestRealServer(t *testing.T) {
	t.Parallel()
	m := newMachine(t)
	m.install(t, installer.ScopeGlobal, "claude", "claude-desktop", "codex")
	m.install(t, installer.ScopeLocal, "cursor")
	checks, err := Run(context.Background(), m.options(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 4 {
		t.Fatalf("%d checks, want 4: %+v", len(checks), checks)
	}
	for _, c := range checks {
		if !c.OK || c.Tools == 0 {
			t.Errorf("%s (%s): ok=%v tools=%d problem=%q", c.Agent, c.Scope, c.OK, c.Tools, c.Problem)
		}
	}
	if got := checks[0].Command[0]; got != bins.Codegraph {
		t.Errorf("Claude Code's bare codegraph resolved to %s, want %s", got, bins.Codegraph)
	}
	if checks[3].Scope != installer.ScopeLocal || checks[3].Target != "cursor" {
		t.Errorf("last check %+v, want cursor local", checks[3])
	}
}

// TestFailures: each way an entry fails to start is a ✗ naming the agent,
// the cause and the next step.
func TestFailures(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in servers are shell scripts")
	}
	m := newMachine(t)
	scripts := t.TempDir()
	exits := filepath.Join(scripts, "exits")
	write(t, exits, "#!/bin/sh\necho 'cannot open the index: permission denied' >&2\nexit 3\n", 0o755)
	junk := filepath.Join(scripts, "junk")
	write(t, junk, "#!/bin/sh\necho 'Welcome to my MCP server v1.0'\nexec sleep 30\n", 0o755)
	silent := filepath.Join(scripts, "silent")
	write(t, silent, "#!/bin/sh\nexec sleep 30\n", 0o755)
	notExec := filepath.Join(scripts, "not-executable")
	write(t, notExec, "#!/bin/sh\n", 0o644)

	entry := func(cmd string) string {
		return `{"mcpServers": {"codegraph": {"command": "` + cmd + `", "args": ["serve", "--mcp"]}}}`
	}
	// Installed with --server-command, so that doctor starts them (it
	// starts only what codegraph-install wrote).
	serve := []string{"serve", "--mcp"}
	m.installServer(t, installer.ScopeGlobal, installer.Server{Command: "/nowhere/codegraph", Args: serve}, "claude")
	m.installServer(t, installer.ScopeGlobal, installer.Server{Command: exits, Args: serve}, "cursor")
	m.installServer(t, installer.ScopeGlobal, installer.Server{Command: junk, Args: serve}, "windsurf")
	m.installServer(t, installer.ScopeGlobal, installer.Server{Command: silent, Args: serve}, "gemini")
	m.installServer(t, installer.ScopeGlobal, installer.Server{Command: silent, Args: serve}, "cline")
	m.installServer(t, installer.ScopeGlobal, installer.Server{Command: notExec, Args: serve}, "kiro")
	write(t, filepath.Join(m.project, ".zed", "settings.json"), `{"context_servers": {"codegraph": {"command": "codegraph", "args": [], "enabled": false}}}`, 0o644)
	// A GUI app with a bare command: not on the PATH Claude Desktop gets.
	guiHasIt := false
	if _, err := installer.PathLookup(func(string) string { return installer.GUIPath(runtime.GOOS, nil) }, runtime.GOOS)("codegraph"); err == nil {
		guiHasIt = true // this machine has codegraph in /usr/local/bin
	}
	write(t, filepath.Join(m.home, ".config", "Claude", "claude_desktop_config.json"), entry("codegraph"), 0o600)
	// The manifest lists Codex and Amazon Q, but Codex's entry was removed
	// by hand and Amazon Q's file no longer parses.
	m.install(t, installer.ScopeGlobal, "codex", "amazonq")
	write(t, filepath.Join(m.home, ".codex", "config.toml"), "model = \"o4\"\n", 0o600)
	write(t, filepath.Join(m.home, ".aws", "amazonq", "mcp.json"), "{\"mcpServers\": {", 0o600)

	start := time.Now()
	checks, err := Run(context.Background(), m.options(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	want := map[string]string{
		"claude":         "/nowhere/codegraph does not exist",
		"cursor":         "the server exited (status 3) before answering initialize; it said: cannot open the index: permission denied",
		"windsurf":       `the server wrote something other than MCP to stdout: "Welcome to my MCP server v1.0"`,
		"gemini":         "no answer to initialize within 1s",
		"cline":          "no answer to initialize within 1s",
		"kiro":           notExec + " is not executable",
		"zed":            "the codegraph entry is disabled in " + filepath.Join(m.project, ".zed", "settings.json"),
		"claude-desktop": "codegraph not found on the PATH Claude Desktop uses",
		"codex":          "no codegraph entry in " + filepath.Join(m.home, ".codex", "config.toml") + " any more",
		"amazonq":        "is not valid JSON",
	}
	if guiHasIt {
		delete(want, "claude-desktop")
	}
	nexts := map[string]string{
		"claude-desktop": "run codegraph-install again to write the full path",
		"claude":         "install codegraph again",
		"cursor":         "in a terminal to see why it stops",
		"windsurf":       "stdout must carry protocol messages only",
		"gemini":         "it must answer MCP on stdin and stdout",
		"cline":          "it must answer MCP on stdin and stdout",
		"codex":          "run codegraph-install again",
	}
	seen := map[string]bool{}
	for _, c := range checks {
		t.Logf("✗ %s (%s): %s: %s", c.Agent, c.Scope, c.Problem, c.Next)
		seen[c.Target] = true
		w, ok := want[c.Target]
		if !ok {
			continue
		}
		if c.OK || !strings.Contains(c.Problem, w) {
			t.Errorf("%s: ok=%v problem %q, want %q", c.Agent, c.OK, c.Problem, w)
		}
		if n := nexts[c.Target]; n != "" && !strings.Contains(c.Next, n) {
			t.Errorf("%s: next %q, want %q", c.Agent, c.Next, n)
		}
		if c.Next == "" || c.Agent == "" {
			t.Errorf("%s: no agent name or next step: %+v", c.Target, c)
		}
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("no check for %s", id)
		}
	}
	// The checks run side by side: the two servers that never answer
	// (Gemini's and Cline's) each wait out their timeout, and the whole run
	// takes less than those waits added up, whatever the machine's speed.
	var waits time.Duration
	for _, c := range checks {
		if c.Target == "cline" || c.Target == "gemini" {
			waits += time.Duration(c.Millis) * time.Millisecond
		}
	}
	if waits < 2*time.Second || elapsed >= waits {
		t.Errorf("the run took %v, the two timed-out checks %v in all: they did not run side by side", elapsed, waits)
	}
}

// TestNothingInstalled: no entry anywhere is no check at all.
func TestNothingInstalled(t *testing.T) {
	t.Parallel()
	m := newMachine(t)
	write(t, filepath.Join(m.home, ".claude.json"), `{"mcpServers": {"other": {"command": "x"}}}`, 0o600)
	checks, err := Run(context.Background(), m.options(0))
	if err != nil || len(checks) != 0 {
		t.Fatalf("%+v, %v", checks, err)
	}
}

func TestJunk(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`{"jsonrpc":"2.0","id":1,"result":{}}` + "\n":              "",
		"Listening on stdio\n" + `{"jsonrpc":"2.0","id":1}` + "\n": "Listening on stdio",
		`{"not":"rpc"}` + "\n":                                     `{"not":"rpc"}`,
		"\n\n" + `{"jsonrpc":"2.0","id":1,"res`:                    "", // a message still arriving
		"partial line without newline":                             "partial line without newline",
	}
	for in, want := range cases {
		r := &recorder{max: 4096}
		r.buf.WriteString(in)
		if got := r.junk(); got != want {
			t.Errorf("junk(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestChildEnv: a GUI app's server gets a desktop session's variables and
// the GUI PATH, not the shell's; every server gets the entry's variables
// and CODEGRAPH_TELEMETRY=0, so the check itself sends nothing.
func TestChildEnv(t *testing.T) {
	t.Parallel()
	opts := Options{Env: installer.Env{GOOS: "linux"}, Environ: []string{"HOME=/h", "PATH=/shell/bin", "SECRET_TOKEN=x", "CODEGRAPH_TELEMETRY=1"}}
	desktop, _ := installer.TargetByID("claude-desktop")
	claude, _ := installer.TargetByID("claude")
	gui := strings.Join(childEnv(opts, desktop, installer.GUIPath("linux", nil), map[string]string{"A": "1"}), " ")
	for _, want := range []string{"HOME=/h", "PATH=/usr/local/sbin", "A=1", "CODEGRAPH_TELEMETRY=0"} {
		if !strings.Contains(gui, want) {
			t.Errorf("GUI env %q lacks %s", gui, want)
		}
	}
	if strings.Contains(gui, "SECRET_TOKEN") || strings.Contains(gui, "/shell/bin") {
		t.Errorf("GUI env has the shell's variables: %s", gui)
	}
	cli := strings.Join(childEnv(opts, claude, "/shell/bin", nil), " ")
	if !strings.Contains(cli, "SECRET_TOKEN=x") || !strings.Contains(cli, "PATH=/shell/bin") || strings.Contains(cli, "CODEGRAPH_TELEMETRY=1") {
		t.Errorf("CLI env: %s", cli)
	}
}

func TestResolveRelative(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "bin", "cg"), "#!/bin/sh\n", 0o755)
	if p, err := resolve(runtime.GOOS, filepath.Join("bin", "cg"), "", dir); err != nil || p != filepath.Join(dir, "bin", "cg") {
		t.Errorf("relative path: %q, %v", p, err)
	}
	if _, err := resolve(runtime.GOOS, "cg", filepath.Join(dir, "bin"), dir); err != nil {
		t.Errorf("bare on PATH: %v", err)
	}
	if _, err := resolve(runtime.GOOS, "cg", "", dir); err == nil || !err.notFound {
		t.Errorf("bare off PATH: %v", err)
	}
}

// TestOnlyOurEntriesStart: an entry under the codegraph key that no
// install record accounts for, and that is not `codegraph serve --mcp`
// with a codegraph binary of this user's, is shown, never started (a
// marker file proves it); a hand-written `codegraph serve --mcp` is
// started; in a project, variables of the project's keep it from starting.
func TestOnlyOurEntriesStart(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in is a shell script")
	}
	m := newMachine(t)
	marker := filepath.Join(t.TempDir(), "started")
	planted := filepath.Join(t.TempDir(), "planted")
	write(t, planted, "#!/bin/sh\ntouch "+marker+"\nexec sleep 30\n", 0o755)
	write(t, filepath.Join(m.home, ".cursor", "mcp.json"),
		`{"mcpServers": {"codegraph": {"command": "`+planted+`", "args": ["serve", "--mcp"]}}}`, 0o600)
	write(t, filepath.Join(m.home, ".claude.json"),
		`{"mcpServers": {"codegraph": {"command": "codegraph", "args": ["serve", "--mcp"]}}}`, 0o600)
	write(t, filepath.Join(m.project, ".mcp.json"),
		`{"mcpServers": {"codegraph": {"command": "codegraph", "args": ["serve", "--mcp"], "env": {"LD_PRELOAD": "`+planted+`"}}}}`, 0o644)
	write(t, filepath.Join(m.project, ".gemini", "settings.json"),
		`{"mcpServers": {"codegraph": {"command": "/bin/sh", "args": ["-c", "touch `+marker+`"]}}}`, 0o644)
	checks, err := Run(context.Background(), m.options(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Check{}
	for _, c := range checks {
		got[c.Target+" "+string(c.Scope)] = c
	}
	for _, k := range []string{"cursor global", "claude local", "gemini local"} {
		if c, ok := got[k]; !ok || c.OK || !c.NotStarted || c.Problem != "not started: not written by codegraph-install" {
			t.Errorf("%s: %+v, want not started", k, c)
		}
	}
	if c := got["claude global"]; !c.OK || c.NotStarted {
		t.Errorf("a hand-written codegraph serve --mcp did not start: %+v", c)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("doctor started a command that codegraph-install did not write")
	}
}
