package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/installer"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// teatest links github.com/charmbracelet/x/exp/golden, which registers
// -update too; internal/golden shares that flag rather than registering a
// second one, so both can be linked into this test binary.

func newStore(t *testing.T) *consent.Store {
	t.Helper()
	return &consent.Store{
		Dir:    statedir.ForHome(testkit.Home(t)),
		Getenv: func(string) string { return "" },
		Now:    time.Now,
	}
}

// fixedHome is the home directory the planner of these tests pretends to
// have, so the screens' paths are the same on every machine.
const fixedHome = "/home/ada"

// planner plans for real (installer.PlanInstall) in a temporary home,
// shown as fixedHome; nothing is written.
func planner(t testing.TB) func(Answers) (*installer.Plan, error) {
	t.Helper()
	home := testkit.Home(t)
	env := installer.Env{
		Home: home, ProjectDir: filepath.Join(home, "src", "app"), GOOS: "linux", Version: "v1.2.3",
		Getenv:   func(string) string { return "" },
		Now:      func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) },
		LookPath: func(string) (string, error) { return "", errors.New("not found") },
	}
	server := installer.Server{Command: filepath.Join(home, ".codegraph", "bin", "codegraph"), Args: []string{"serve", "--mcp"}}
	return func(a Answers) (*installer.Plan, error) {
		p, err := installer.PlanInstall(env, installer.InstallOptions{Targets: a.Targets, Scope: a.Scope, Server: server})
		if err != nil {
			return nil, err
		}
		// Show the plan as if planned in fixedHome.
		p.Server.Command = strings.Replace(p.Server.Command, home, fixedHome, 1)
		for i := range p.Changes {
			c := &p.Changes[i]
			c.Path = strings.Replace(c.Path, home, fixedHome, 1)
			c.Server.Command = strings.Replace(c.Server.Command, home, fixedHome, 1)
		}
		return p, nil
	}
}

// TestAccessibleForm drives the plain-prompt mode with typed lines.
func TestAccessibleForm(t *testing.T) {
	t.Parallel()
	ask, preset := newStore(t).InstallerQuestion()
	cfg := Config{
		Selected:     []string{"claude", "cursor"},
		AskConsent:   ask,
		ShareDefault: preset,
		Plan:         planner(t),
		Version:      "v1.2.3",
		Accessible:   true,
	}
	// Toggle codex (3rd), finish the list (0), local scope (2), no to the
	// usage question (only asked in the default build), Enter to confirm.
	lines := "3\n0\n2\n"
	if consent.Compiled {
		lines += "n\n"
	}
	lines += "\n"
	var out bytes.Buffer
	got, err := Run(context.Background(), cfg, strings.NewReader(lines), &out)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	want := Answers{Targets: []string{"claude", "cursor", "codex"}, Scope: installer.ScopeLocal}
	if consent.Compiled {
		no := false
		want.ShareUsage = &no
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answers = %+v, want %+v\n%s", got, want, out.String())
	}
	text := out.String()
	if text != ansi.Strip(text) {
		t.Errorf("accessible output carries escape sequences:\n%q", text)
	}
	for _, s := range []string{"Which agents should use codegraph?", "• Codex CLI", "local scope", "Install?"} {
		if !strings.Contains(text, s) {
			t.Errorf("output lacks %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, ConsentQuestion) != consent.Compiled {
		t.Errorf("consent question shown = %v, want %v", !consent.Compiled, consent.Compiled)
	}
}

// TestAccessibleDefaults: Enter through everything keeps the detected
// agents, the default scope, shares usage and confirms.
func TestAccessibleDefaults(t *testing.T) {
	t.Parallel()
	cfg := Config{Selected: []string{"opencode", "claude"}, AskConsent: consent.Compiled, ShareDefault: true, Plan: planner(t), Accessible: true}
	got, err := Run(context.Background(), cfg, strings.NewReader("0\n\n\n\n"), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"claude", "opencode"}; !reflect.DeepEqual(got.Targets, want) || got.Scope != installer.ScopeGlobal {
		t.Errorf("answers = %+v", got)
	}
	if consent.Compiled && (got.ShareUsage == nil || !*got.ShareUsage) {
		t.Errorf("ShareUsage = %v, want yes by default", got.ShareUsage)
	}
}

func TestAccessibleNothingSelected(t *testing.T) {
	t.Parallel()
	_, err := Run(context.Background(), Config{Accessible: true}, strings.NewReader("0\n"), &bytes.Buffer{})
	if err != ErrNoTargets {
		t.Fatalf("err = %v, want ErrNoTargets", err)
	}
}

// TestRerunDoesNotAskAgain: without the toggle, the form asks the rest.
func TestRerunDoesNotAskAgain(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	got, err := Run(context.Background(), Config{Selected: []string{"claude"}, Accessible: true},
		strings.NewReader("0\n\n\n"), &out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), ConsentQuestion) || got.ShareUsage != nil {
		t.Errorf("toggle shown on a re-run:\n%s", out.String())
	}
}

// TestTogglePreset: the toggle starts at what applies now, so Enter keeps
// it; after DO_NOT_TRACK that is No, and the note says why.
func TestTogglePreset(t *testing.T) {
	t.Parallel()
	if !consent.Compiled {
		t.Skip("pro build: no toggle")
	}
	for _, preset := range []bool{true, false} {
		var out bytes.Buffer
		cfg := Config{Selected: []string{"claude"}, AskConsent: true, ShareDefault: preset, ConsentNote: "Note: DO_NOT_TRACK=1 is set", Accessible: true}
		got, err := Run(context.Background(), cfg, strings.NewReader("0\n\n\n\n"), &out)
		if err != nil {
			t.Fatal(err)
		}
		if got.ShareUsage == nil || *got.ShareUsage != preset {
			t.Errorf("preset %v: ShareUsage = %v", preset, got.ShareUsage)
		}
		if !strings.Contains(out.String(), "Note: DO_NOT_TRACK=1 is set") {
			t.Errorf("note missing:\n%s", out.String())
		}
	}
}

// TestAccessibleEndOfInputCancels: the end of input at any prompt (Ctrl+D)
// cancels the form; it never accepts the defaults, Yes to usage data
// included. A last answer without a newline still counts as an answer.
func TestAccessibleEndOfInputCancels(t *testing.T) {
	t.Parallel()
	cfg := Config{Selected: []string{"claude"}, AskConsent: true, ShareDefault: true, Plan: planner(t), Accessible: true}
	// The prompts in order: agents, scope, usage data, install.
	full := []string{"0\n", "\n", "y\n", "\n"}
	for n := 0; n < len(full); n++ {
		input := strings.Join(full[:n], "")
		var out bytes.Buffer
		got, err := Run(context.Background(), cfg, strings.NewReader(input), &out)
		if !errors.Is(err, ErrCancelled) || !reflect.DeepEqual(got, Answers{}) {
			t.Errorf("input ends after %d answers: %+v, %v; want ErrCancelled", n, got, err)
		}
		if n < 3 && strings.Contains(out.String(), "Install?") {
			t.Errorf("input ends after %d answers: later prompts still shown:\n%s", n, out.String())
		}
	}
	got, err := Run(context.Background(), cfg, strings.NewReader("0\n\nn\ny"), &bytes.Buffer{})
	if err != nil || got.ShareUsage == nil || *got.ShareUsage {
		t.Errorf("unterminated last answer: %+v, %v", got, err)
	}
	confirm := ConfirmOptions{Title: "Remove codegraph?", Details: "details", Accessible: true}
	if err := Confirm(context.Background(), confirm, strings.NewReader(""), &bytes.Buffer{}); !errors.Is(err, ErrCancelled) {
		t.Errorf("Confirm at the end of input = %v, want ErrCancelled", err)
	}
	if err := Confirm(context.Background(), confirm, strings.NewReader("n\n"), &bytes.Buffer{}); !errors.Is(err, ErrCancelled) {
		t.Errorf("Confirm answered no = %v, want ErrCancelled", err)
	}
	if err := Confirm(context.Background(), confirm, strings.NewReader("\n"), &bytes.Buffer{}); err != nil {
		t.Errorf("Confirm answered Enter = %v, want yes", err)
	}
}

// TestAccessibleInterrupt: while a prompt waits for a line, the end of ctx
// (SIGINT from Ctrl+C in a terminal's line mode) ends the form at once.
func TestAccessibleInterrupt(t *testing.T) {
	t.Parallel()
	for _, run := range []func(ctx context.Context, in io.Reader, out io.Writer) error{
		func(ctx context.Context, in io.Reader, out io.Writer) error {
			_, err := Run(ctx, Config{Selected: []string{"claude"}, AskConsent: true, ShareDefault: true, Accessible: true}, in, out)
			return err
		},
		func(ctx context.Context, in io.Reader, out io.Writer) error {
			return Confirm(ctx, ConfirmOptions{Title: "Remove codegraph?", Details: "details", Accessible: true}, in, out)
		},
	} {
		pr, pw := io.Pipe() // a terminal nobody types into
		ctx, cancel := context.WithCancel(context.Background())
		drawn := &firstWrite{c: make(chan struct{})}
		done := make(chan error, 1)
		go func() { done <- run(ctx, pr, drawn) }()
		select {
		case <-drawn.c: // the prompt is on screen: it waits for a line
		case <-time.After(5 * time.Second):
			t.Fatal("no prompt was drawn")
		}
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, ErrInterrupted) {
				t.Errorf("err = %v, want ErrInterrupted", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("the prompt ignored the end of its context")
		}
		pw.Close()
	}
}

// firstWrite closes c at the first write: the prompt has been drawn.
type firstWrite struct {
	once sync.Once
	c    chan struct{}
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.c) })
	return len(p), nil
}

// TestScopeNotes: the scope screen names the chosen agents that have one
// scope only, so choosing the other one does not silently leave them out.
func TestScopeNotes(t *testing.T) {
	t.Parallel()
	got := scopeNotes([]string{"claude", "windsurf", "claude-desktop"})
	if len(got) != 1 || got[0] != "Global only (no project config file): Windsurf, Claude Desktop." {
		t.Errorf("scopeNotes = %q", got)
	}
	if got := scopeNotes([]string{"claude", "cursor"}); len(got) != 0 {
		t.Errorf("notes for agents with both scopes: %q", got)
	}
}
