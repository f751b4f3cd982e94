package installcli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/installer"
	"github.com/getcodegraph/codegraph-install/internal/installcli"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// world is one hermetic machine: a temp HOME, a project, an environment.
type world struct {
	home, project string
	env           map[string]string
	exe           string // the running binary, as os.Executable would say ("" unknown)
}

func newWorld(t testing.TB) *world {
	t.Helper()
	root := t.TempDir()
	w := &world{home: filepath.Join(root, "home"), project: filepath.Join(root, "project"), env: map[string]string{
		// No agent binary is found on this PATH: detection is by directory.
		"PATH": filepath.Join(root, "bin"),
		// Telemetry goes nowhere unless a test points it at its server.
		"CODEGRAPH_TELEMETRY_ENDPOINT": closedEndpoint(t),
	}}
	for _, d := range []string{w.home, w.project, filepath.Join(root, "bin")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// codegraph itself is installed on that PATH (a stand-in; these tests
	// never start it), so the installer has a command to write.
	if err := os.WriteFile(filepath.Join(root, "bin", "codegraph"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return w
}

// closedEndpoint is a loopback URL nothing listens on.
func closedEndpoint(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return "http://" + addr + "/v1/events"
}

type run struct {
	code           int
	stdout, stderr string
}

func (w *world) run(t testing.TB, stdin string, tty bool, args ...string) run {
	t.Helper()
	return w.runCtx(t, context.Background(), stdin, tty, args...)
}

// runCtx is run with the context main gives a command: cancelling it is
// what Ctrl+C or SIGTERM does.
func (w *world) runCtx(t testing.TB, ctx context.Context, stdin string, tty bool, args ...string) run {
	t.Helper()
	var out, errb bytes.Buffer
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	code := installcli.Run(ctx, installcli.Env{
		Program:  "codegraph-install",
		Args:     args,
		Stdin:    strings.NewReader(stdin),
		Stdout:   &out,
		Stderr:   &errb,
		StdinTTY: tty,
		Getenv:   func(k string) string { return w.env[k] },
		Home:     w.home,
		Cwd:      w.project,
		Now:      time.Now,

		Executable: w.exe,
	})
	return run{code, out.String(), errb.String()}
}

func (r run) String() string { return "stdout:\n" + r.stdout + "\nstderr:\n" + r.stderr }

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// snapshot maps every file below root to its content.
func snapshot(t testing.TB, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			m[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		m[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func telemetryConfig(t testing.TB, home string) consent.Config {
	t.Helper()
	var cfg consent.Config
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(home, ".codegraph", "telemetry.json"))), &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

const userMCP = `{
  // the team's servers
  "mcpServers": {
    "docs": {"command": "docs-mcp", "args": ["--port", "0"]}
  }
}
`

func TestInstallUninstallLocalRoundTrip(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.env["CODEGRAPH_TELEMETRY"] = "0"
	mcp := filepath.Join(w.project, ".mcp.json")
	writeFile(t, mcp, userMCP)
	before := snapshot(t, w.project)

	r := w.run(t, "", false, "--yes", "--targets", "claude,cursor", "--scope", "local", "--project", w.project)
	if r.code != 0 {
		t.Fatalf("install exit %d\n%s", r.code, r)
	}
	if got := readFile(t, mcp); !strings.Contains(got, `"codegraph"`) || !strings.Contains(got, "the team's servers") {
		t.Errorf(".mcp.json after install:\n%s", got)
	}
	if !exists(filepath.Join(w.project, ".cursor", "mcp.json")) || !exists(filepath.Join(w.project, ".codegraph", "install.json")) {
		t.Fatal("cursor config or manifest missing after install")
	}
	for _, s := range []string{"Claude Code", "Cursor", "✓"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("results lack %q:\n%s", s, r)
		}
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("styled output to a non-terminal:\n%q", r.stdout)
	}

	r = w.run(t, "", false, "uninstall", "--yes", "--scope", "local", "--project", w.project)
	if r.code != 0 {
		t.Fatalf("uninstall exit %d\n%s", r.code, r)
	}
	// Byte for byte, and nothing left beside the files: backups live in
	// ~/.codegraph/backups, not in the project.
	after := snapshot(t, w.project)
	if !reflect.DeepEqual(after, before) {
		t.Errorf("project after uninstall differs from before:\nbefore %v\nafter  %v", keys(before), keys(after))
	}
}

func keys(m map[string]string) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	writeFile(t, filepath.Join(w.project, ".mcp.json"), userMCP)
	writeFile(t, filepath.Join(w.project, "opencode.jsonc"), "{\n\t// mine\n\t\"theme\": \"dark\"\n}\n")
	home, project := snapshot(t, w.home), snapshot(t, w.project)

	r := w.run(t, "", false, "--dry-run", "--telemetry", "off", "--targets", "claude,cursor,codex,opencode", "--project", w.project)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	if got := snapshot(t, w.project); !reflect.DeepEqual(got, project) {
		t.Errorf("dry run changed the project: %v", keys(got))
	}
	// A dry run writes nothing at all: no config, no manifest, not even its
	// own usage count in the telemetry queue.
	if gotHome := snapshot(t, w.home); !reflect.DeepEqual(gotHome, home) {
		t.Errorf("dry run wrote to HOME: %v", keys(snapshot(t, w.home)))
	}
	out := strings.ReplaceAll(r.stdout, filepath.Join(filepath.Dir(w.home), "bin"), "$BIN")
	out = strings.ReplaceAll(out, w.project, "$PROJECT")
	out = strings.ReplaceAll(out, w.home, "$HOME")
	testkit.Golden(t, "cli/install-dry-run.txt", []byte(out))
}

func TestNoTerminalNoYes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, args := range [][]string{{}, {"--targets", "claude"}, {"uninstall"}} {
		r := w.run(t, "", false, args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r)
		}
		if first, _, _ := strings.Cut(r.stderr, "\n"); !strings.Contains(first, "--yes") {
			t.Errorf("%v: hint does not name --yes:\n%s", args, r.stderr)
		}
	}
	if exists(filepath.Join(w.home, ".codegraph", "install.json")) {
		t.Error("a refused run wrote a manifest")
	}
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--yes", "--targets", "claude,notepad"},
		{"--yes", "--scope", "everywhere"},
		{"--yes", "--targets", "claude", "--telemetry", "maybe"},
		{"--yes", "--targets", "claude", "--server-command", "'unterminated"},
		{"--yes", "--frobnicate"},
		{"uninstall", "--yes", "--scope", "team"},
		{"uninstall", "--yes", "--targets", "nope"},
		{"uninit", "a", "b"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if r := w.run(t, "", false, args...); r.code != 2 {
				t.Errorf("exit %d, want 2\n%s", r.code, r)
			}
		})
	}
}

func TestNoAgentDetected(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run(t, "", false, "--yes")
	if r.code != 2 || !strings.Contains(r.stderr, "--targets") {
		t.Fatalf("exit %d, want 2 naming --targets\n%s", r.code, r)
	}
	// A detected agent (its config directory exists) is the default.
	if err := os.MkdirAll(filepath.Join(w.home, ".cursor"), 0o755); err != nil {
		t.Fatal(err)
	}
	r = w.run(t, "", false, "--yes")
	if r.code != 0 || !exists(filepath.Join(w.home, ".cursor", "mcp.json")) || exists(filepath.Join(w.home, ".claude.json")) {
		t.Fatalf("exit %d; want only cursor installed, globally\n%s", r.code, r)
	}
}

func TestBrokenConfigFailsAloneExit1(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	broken := filepath.Join(w.project, ".cursor", "mcp.json")
	writeFile(t, broken, `{"mcpServers": {`)
	r := w.run(t, "", false, "--yes", "--targets", "claude,cursor,codex", "--project", w.project)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r)
	}
	if got := readFile(t, broken); got != `{"mcpServers": {` {
		t.Errorf("broken file was changed: %q", got)
	}
	if !strings.Contains(r.stdout, "✗ Cursor") || !strings.Contains(r.stdout, broken) {
		t.Errorf("failure not reported with its path:\n%s", r)
	}
	for _, p := range []string{".mcp.json", ".codex/config.toml"} {
		if !strings.Contains(readFile(t, filepath.Join(w.project, p)), "codegraph") {
			t.Errorf("%s not installed", p)
		}
	}
	manifest := readFile(t, filepath.Join(w.project, ".codegraph", "install.json"))
	if strings.Contains(manifest, `"cursor"`) || !strings.Contains(manifest, `"claude"`) {
		t.Errorf("manifest should list claude and codex only:\n%s", manifest)
	}
}

func TestTelemetryOffStoredAsInstaller(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run(t, "", false, "--yes", "--targets", "claude", "--telemetry", "off")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	cfg := telemetryConfig(t, w.home)
	if cfg.Enabled || cfg.ConsentSource != consent.SourceInstaller {
		t.Errorf("stored %+v, want enabled=false consent_source=installer", cfg)
	}
}

// collector is a loopback ingest that records what arrives.
type collector struct {
	mu     sync.Mutex
	events []map[string]any
}

func newCollector(t testing.TB) (*collector, string) {
	t.Helper()
	c := &collector{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			Events []map[string]any `json:"events"`
		}
		if err := json.Unmarshal(body, &req); err == nil {
			c.mu.Lock()
			c.events = append(c.events, req.Events...)
			c.mu.Unlock()
		}
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return c, srv.URL + "/v1/events"
}

func (c *collector) named(name string) []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, e := range c.events {
		if e["event"] == name {
			out = append(out, e)
		}
	}
	return out
}

func TestInstallEventArrives(t *testing.T) {
	t.Parallel()
	if !consent.Compiled {
		t.Skip("pro build: telemetry is compiled out")
	}
	w := newWorld(t)
	col, url := newCollector(t)
	w.env["CODEGRAPH_TELEMETRY_ENDPOINT"] = url
	r := w.run(t, "", false, "--yes", "--targets", "claude,cursor", "--scope", "global")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	// No explicit choice was made: this run prints the first-run notice
	// and, being the grace run, sends nothing.
	if !strings.Contains(r.stderr, "codegraph collects anonymous usage stats") {
		t.Errorf("no first-run notice on stderr:\n%s", r.stderr)
	}
	if len(col.named("install")) != 0 {
		t.Fatalf("the run that printed the notice sent %v", col.events)
	}

	// A second run is a reinstall; it sends both install events, and no
	// second notice.
	if r = w.run(t, "", false, "--yes", "--targets", "claude", "--scope", "global"); r.code != 0 {
		t.Fatalf("reinstall exit %d\n%s", r.code, r)
	}
	if strings.Contains(r.stderr, "codegraph collects anonymous usage stats") {
		t.Errorf("notice shown twice:\n%s", r.stderr)
	}
	ev := col.named("install")
	if len(ev) != 2 {
		t.Fatalf("install events = %v, want 2\n%s", col.events, r)
	}
	props, _ := ev[0]["props"].(map[string]any)
	want := map[string]any{"targets": []any{"claude", "cursor"}, "scope": "global", "kind": "fresh"}
	if !reflect.DeepEqual(props, want) {
		t.Errorf("props = %v, want %v", props, want)
	}
	if ev[1]["props"].(map[string]any)["kind"] != "reinstall" {
		t.Errorf("second install event = %v", ev[1])
	}
	if r = w.run(t, "", false, "uninstall", "--yes"); r.code != 0 {
		t.Fatalf("uninstall exit %d\n%s", r.code, r)
	}
	un := col.named("uninstall")
	if len(un) != 1 || !reflect.DeepEqual(un[0]["props"], map[string]any{"targets": []any{"claude", "cursor"}}) {
		t.Errorf("uninstall events = %v", un)
	}
	if exists(filepath.Join(w.home, ".claude.json")) || exists(filepath.Join(w.home, ".cursor")) {
		t.Error("uninstall left files it created")
	}
}

// TestTelemetryOnFlag: stored as the installer's choice; in the pro build
// it is an error (exit 1) before any agent file is touched.
func TestTelemetryOnFlag(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run(t, "", false, "--yes", "--targets", "claude", "--telemetry", "on")
	if !consent.Compiled {
		if r.code != 1 || !strings.Contains(r.stderr, "codegraph-pro") {
			t.Fatalf("pro: exit %d, want 1 with an explanation\n%s", r.code, r)
		}
		if exists(filepath.Join(w.home, ".claude.json")) || exists(filepath.Join(w.home, ".codegraph", "telemetry.json")) {
			t.Error("pro: files written despite the error")
		}
		return
	}
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	if cfg := telemetryConfig(t, w.home); !cfg.Enabled || cfg.ConsentSource != consent.SourceInstaller {
		t.Errorf("stored %+v, want enabled=true consent_source=installer", cfg)
	}
}

func TestTelemetryOffSendsNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	col, url := newCollector(t)
	w.env["CODEGRAPH_TELEMETRY_ENDPOINT"] = url
	if r := w.run(t, "", false, "--yes", "--targets", "claude", "--telemetry", "off"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	if len(col.named("install")) != 0 {
		t.Errorf("events sent after --telemetry off: %v", col.events)
	}
}

func TestUninit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	col, url := newCollector(t)
	w.env["CODEGRAPH_TELEMETRY_ENDPOINT"] = url
	before := snapshot(t, w.project)
	args := []string{"--yes", "--targets", "claude,opencode", "--project", w.project}
	if consent.Compiled {
		args = append(args, "--telemetry", "on")
	}
	if r := w.run(t, "", false, args...); r.code != 0 {
		t.Fatalf("install exit %d\n%s", r.code, r)
	}
	writeFile(t, filepath.Join(w.project, ".codegraph", "census.json"), `{"languages":{}}`)
	r := w.run(t, "", false, "uninit", w.project)
	if r.code != 0 {
		t.Fatalf("uninit exit %d\n%s", r.code, r)
	}
	if got := snapshot(t, w.project); !reflect.DeepEqual(got, before) {
		t.Errorf("project after uninit: %v, want %v", keys(got), keys(before))
	}
	if un := col.named("uninstall"); consent.Compiled && (len(un) != 1 || !reflect.DeepEqual(un[0]["props"], map[string]any{})) {
		t.Errorf("uninstall events = %v, want one with {}", un)
	}

	// Files that are not ours stay, and so does their directory.
	notes := filepath.Join(w.project, ".codegraph", "notes.txt")
	writeFile(t, notes, "mine")
	writeFile(t, filepath.Join(w.project, ".codegraph", "census.json"), `{}`)
	if r := w.run(t, "", false, "uninit"); r.code != 0 {
		t.Fatalf("uninit (cwd) exit %d\n%s", r.code, r)
	}
	if !exists(notes) || exists(filepath.Join(w.project, ".codegraph", "census.json")) {
		t.Error("uninit removed a user's file or kept the census")
	}
}

func TestUninitMissingDir(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	missing := filepath.Join(w.project, "nope")
	r := w.run(t, "", false, "uninit", missing)
	if r.code != 1 || !strings.Contains(r.stderr, missing) || !strings.Contains(r.stderr, "does not exist") {
		t.Fatalf("exit %d, want 1 naming the directory\n%s", r.code, r)
	}
}

// TestInteractiveAccessible runs the real form through the CLI in
// accessible mode, answering on stdin: the consent answer is stored with
// consent_source installer, and a re-run does not ask again.
func TestInteractiveAccessible(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.env["ACCESSIBLE"] = "1"
	if err := os.MkdirAll(filepath.Join(w.home, ".claude"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Keep the detected agent (0 ends the list), global scope (Enter),
	// share usage: no, confirm (Enter).
	answers := "0\n\n"
	if consent.Compiled {
		answers += "n\n"
	}
	answers += "\n"
	r := w.run(t, answers, true)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	if !strings.Contains(readFile(t, filepath.Join(w.home, ".claude.json")), "codegraph") {
		t.Error("claude not installed")
	}
	if strings.Contains(r.stdout, "Share anonymous usage data?") != consent.Compiled {
		t.Errorf("toggle shown = %v, want %v:\n%s", !consent.Compiled, consent.Compiled, r.stdout)
	}
	if !consent.Compiled {
		return
	}
	cfg := telemetryConfig(t, w.home)
	if cfg.Enabled || cfg.ConsentSource != consent.SourceInstaller {
		t.Errorf("stored %+v, want enabled=false consent_source=installer", cfg)
	}

	r = w.run(t, "0\n\n\n", true)
	if r.code != 0 {
		t.Fatalf("re-run exit %d\n%s", r.code, r)
	}
	if strings.Contains(r.stdout, "Share anonymous usage data?") {
		t.Errorf("re-run asked again:\n%s", r.stdout)
	}
}

func BenchmarkHeadlessInstall(b *testing.B) {
	root := b.TempDir()
	env := map[string]string{"CODEGRAPH_TELEMETRY": "0", "PATH": filepath.Join(root, "bin")}
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "codegraph"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		b.Fatal(err)
	}
	args := []string{"--yes", "--targets", "claude,cursor,codex,opencode", "--scope", "global"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		home, err := os.MkdirTemp(root, "home")
		if err != nil {
			b.Fatal(err)
		}
		code := installcli.Run(context.Background(), installcli.Env{
			Program: "codegraph-install", Args: args,
			Stdout: io.Discard, Stderr: io.Discard,
			Getenv: func(k string) string { return env[k] },
			Home:   home, Cwd: home, Now: time.Now,
		})
		if code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// enterToSummary is Enter on each screen before the installer's summary:
// agents, scope and, unless the pro build compiled telemetry out, the
// consent question.
func enterToSummary() string {
	if consent.Compiled {
		return "\r\r\r"
	}
	return "\r\r"
}

// TestFormStories runs the installer's full-screen form through Run with
// the bytes a terminal sends, and checks what each story wrote and its
// exit code: Enter through the defaults installs into the detected agents
// and ends with the recap and next steps; Ctrl+C, Esc and "n" change
// nothing (no file at all) and exit 130. A detected agent whose config
// does not parse is shown with why, not pre-selected. TERM=dumb and a
// terminal without size get the plain prompts instead (on stdout), where
// the end of input is a cancel.
func TestFormStories(t *testing.T) {
	t.Parallel()
	sized := func(w, h int) func() (int, int) { return func() (int, int) { return w, h } }
	toConfirm := enterToSummary()
	for _, tc := range []struct {
		name  string
		input string
		term  string
		size  func() (int, int)
		code  int
		wrote bool
		say   []string // on stderr (stdout for plain prompts)
		// broken: Cursor is detected too, with a config that does not parse
		broken bool
	}{
		{"enter through the defaults past a broken config", toConfirm + "\r", "xterm-256color", sized(100, 30), 0, true,
			[]string{"✓ Agents   Claude Code", "Restart Claude Code to load codegraph"}, true},
		{"enter through the defaults", toConfirm + "\r", "xterm-256color", sized(100, 30), 0, true,
			[]string{"✓ Agents   Claude Code", "Restart Claude Code to load codegraph", "codegraph doctor", "codegraph uninstall --scope global"}, false},
		{"ctrl+c on the first screen", "\x03", "xterm-256color", sized(80, 12), 130, false, []string{"Cancelled: nothing was changed."}, false},
		{"ctrl+c on the confirm screen", toConfirm + "\x03", "xterm-256color", sized(60, 20), 130, false, []string{"Cancelled: nothing was changed."}, false},
		{"esc on the first screen", "\x1b", "xterm-256color", sized(100, 30), 130, false, []string{"Cancelled: nothing was changed."}, false},
		{"n on the confirm screen", toConfirm + "n", "xterm", sized(80, 12), 130, false, []string{"Cancelled: nothing was changed."}, false},
		{"TERM=dumb gets plain prompts; end of input cancels", "", "dumb", sized(80, 24), 130, false, []string{"Which agents should use codegraph?", "Cancelled: nothing was changed."}, false},
		{"no size gets plain prompts", "", "xterm", sized(0, 0), 130, false, []string{"Which agents should use codegraph?", "Cancelled: nothing was changed."}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if err := os.MkdirAll(filepath.Join(w.home, ".claude"), 0o755); err != nil { // Claude Code is detected
				t.Fatal(err)
			}
			brokenCfg := filepath.Join(w.home, ".cursor", "mcp.json")
			if tc.broken {
				writeFile(t, brokenCfg, `{"mcpServers": {`)
			}
			w.env["TERM"] = tc.term
			var out, errb bytes.Buffer
			code := installcli.Run(context.Background(), installcli.Env{
				Program: "codegraph-install", Args: []string{},
				Stdin: strings.NewReader(tc.input), Stdout: &out, Stderr: &errb, StdinTTY: true, TermSize: tc.size,
				Getenv: func(k string) string { return w.env[k] },
				Home:   w.home, Cwd: w.project, Now: time.Now, Executable: w.exe,
			})
			said := ansi.Strip(out.String() + errb.String())
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, said)
			}
			for _, s := range tc.say {
				if !strings.Contains(said, s) {
					t.Errorf("%q not said:\n%s", s, said)
				}
			}
			if tc.broken && (readFile(t, brokenCfg) != `{"mcpServers": {` || strings.Contains(said, "✗")) {
				t.Errorf("the broken config was selected:\n%s", said)
			}
			wrote := exists(filepath.Join(w.home, ".claude.json"))
			if wrote != tc.wrote {
				t.Errorf("~/.claude.json written = %v, want %v", wrote, tc.wrote)
			}
			if !tc.wrote && exists(filepath.Join(w.home, ".codegraph")) {
				t.Errorf("a cancel created ~/.codegraph")
			}
		})
	}
}

// TestInstallEventListsEveryTarget: an install into every agent with a
// global config sends an install event that names each agent installed,
// however many there are (the schema's cap on targets is above the
// registry's size, so no target is cut off the maintainers' numbers).
func TestInstallEventListsEveryTarget(t *testing.T) {
	t.Parallel()
	if !consent.Compiled {
		t.Skip("pro build: telemetry is compiled out")
	}
	w := newWorld(t)
	col, url := newCollector(t)
	w.env["CODEGRAPH_TELEMETRY_ENDPOINT"] = url
	var global []string
	for _, tg := range installer.Targets() {
		if slices.Contains(tg.Scopes(), installer.ScopeGlobal) {
			global = append(global, tg.ID)
		}
	}
	if len(global) <= 16 {
		t.Fatalf("only %d global targets: the test needs more than the old cap of 16", len(global))
	}
	r := w.run(t, "", false, "--yes", "--json", "--targets", strings.Join(global, ","), "--scope", "global", "--telemetry", "on")
	var rep struct {
		Targets []struct{ ID, Result string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, r)
	}
	var installed []any
	for _, tg := range rep.Targets {
		if tg.Result != "failed" {
			installed = append(installed, tg.ID)
		}
	}
	if len(installed) <= 16 {
		t.Fatalf("only %d installed:\n%s", len(installed), r)
	}
	ev := col.named("install")
	if len(ev) != 1 {
		t.Fatalf("install events = %v\n%s", col.events, r)
	}
	if got := ev[0]["props"].(map[string]any)["targets"]; !reflect.DeepEqual(got, installed) {
		t.Errorf("the event lists %v, want every installed target %v", got, installed)
	}
}
