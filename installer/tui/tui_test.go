package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

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

func summaryOf(a Answers) string {
	return "PLAN " + strings.Join(a.Targets, ",") + " " + string(a.Scope) + "\n"
}

// TestAccessibleForm drives the plain-prompt mode with typed lines.
func TestAccessibleForm(t *testing.T) {
	t.Parallel()
	ask, preset := newStore(t).InstallerQuestion()
	cfg := Config{
		Selected:     []string{"claude", "cursor"},
		AskConsent:   ask,
		ShareDefault: preset,
		Summarize:    summaryOf,
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
	for _, s := range []string{"Which agents should use codegraph?", "PLAN claude,cursor,codex local", "Install?"} {
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
	cfg := Config{Selected: []string{"opencode", "claude"}, AskConsent: consent.Compiled, ShareDefault: true, Summarize: summaryOf, Accessible: true}
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

// waitScreen waits until the rendered output shows s.
func waitScreen(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return strings.Contains(ansi.Strip(string(b)), s)
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

var enter = tea.KeyPressMsg{Code: tea.KeyEnter}

// TestFormEnterThroughDefaults drives the real model with key presses:
// Enter on every screen installs into the detected agents.
func TestFormEnterThroughDefaults(t *testing.T) {
	t.Parallel()
	cfg := Config{
		Selected:     []string{"claude", "cursor"},
		AskConsent:   true,
		ShareDefault: true,
		Summarize:    summaryOf,
		Version:      "v9",
	}
	m := NewModel(cfg)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 40))
	waitScreen(t, tm, "windsurf") // the last target: all are on screen
	tm.Send(enter)
	waitScreen(t, tm, "every project")
	tm.Send(enter)
	waitScreen(t, tm, "anonymous")
	tm.Send(enter)
	waitScreen(t, tm, "PLAN claude,cursor global")
	tm.Send(enter)
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	got, err := final.Result()
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	want := Answers{Targets: []string{"claude", "cursor"}, Scope: installer.ScopeGlobal, ShareUsage: &yes}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answers = %+v, want %+v", got, want)
	}
}

// TestFormToggleAndDecline: space toggles the hovered agent, arrows move,
// and "n" declines the summary: a cancel, with no answers.
func TestFormToggleAndDecline(t *testing.T) {
	t.Parallel()
	m := NewModel(Config{Selected: []string{"claude"}, Scope: installer.ScopeLocal, Summarize: summaryOf})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 40))
	waitScreen(t, tm, "windsurf")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	tm.Send(tea.KeyPressMsg{Code: ' ', Text: " "})
	tm.Send(enter)
	waitScreen(t, tm, "every project")
	tm.Send(enter)
	waitScreen(t, tm, "PLAN claude,cursor local")
	tm.Send(tea.KeyPressMsg{Code: 'n', Text: "n"})
	tm.Send(enter)
	got, err := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model).Result()
	if !errors.Is(err, ErrCancelled) || !reflect.DeepEqual(got, Answers{}) {
		t.Errorf("declined: %+v, %v; want ErrCancelled and no answers", got, err)
	}
}

func TestFormAbort(t *testing.T) {
	t.Parallel()
	tm := teatest.NewTestModel(t, NewModel(Config{Selected: []string{"claude"}}), teatest.WithInitialTermSize(100, 40))
	waitScreen(t, tm, "windsurf")
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	if _, err := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model).Result(); err != ErrInterrupted {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
}

// TestFormEscOnFirstScreen cancels; Esc later does not.
func TestFormEscOnFirstScreen(t *testing.T) {
	t.Parallel()
	esc := tea.KeyPressMsg{Code: tea.KeyEscape}
	tm := teatest.NewTestModel(t, NewModel(Config{Selected: []string{"claude"}, AskConsent: true, ShareDefault: true}), teatest.WithInitialTermSize(100, 40))
	waitScreen(t, tm, "windsurf")
	tm.Send(esc)
	if _, err := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model).Result(); err != ErrCancelled {
		t.Fatalf("Esc on the first screen: err = %v, want ErrCancelled", err)
	}

	tm = teatest.NewTestModel(t, NewModel(Config{Selected: []string{"claude"}, Summarize: summaryOf}), teatest.WithInitialTermSize(100, 40))
	waitScreen(t, tm, "windsurf")
	tm.Send(enter)
	waitScreen(t, tm, "every project")
	tm.Send(esc) // not the first screen: ignored
	tm.Send(enter)
	waitScreen(t, tm, "PLAN claude global")
	tm.Send(enter)
	if got, err := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model).Result(); err != nil || !reflect.DeepEqual(got.Targets, []string{"claude"}) {
		t.Fatalf("Esc on the second screen: %+v, %v; want the install to go on", got, err)
	}
}

func TestRenderResults(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	w := Writer(&out, false, nil)
	_, _ = w.Write([]byte(RenderResults([]installer.Result{
		{Target: "claude", Path: filepath.FromSlash("/p/.mcp.json"), Action: installer.ActionCreate},
		{Target: "cursor", Path: "/p/.cursor/mcp.json", Action: installer.ActionError, Err: errString("/p/.cursor/mcp.json does not parse")},
	})))
	want := "✓ Claude Code        created  /p/.mcp.json\n✗ Cursor             /p/.cursor/mcp.json does not parse\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// TestAccessibleEndOfInputCancels: the end of input at any prompt (Ctrl+D)
// cancels the form; it never accepts the defaults, Yes to usage data
// included. A last answer without a newline still counts as an answer.
func TestAccessibleEndOfInputCancels(t *testing.T) {
	t.Parallel()
	cfg := Config{Selected: []string{"claude"}, AskConsent: true, ShareDefault: true, Summarize: summaryOf, Accessible: true}
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
	if err := Confirm(context.Background(), "Remove codegraph?", "details", true, strings.NewReader(""), &bytes.Buffer{}); !errors.Is(err, ErrCancelled) {
		t.Errorf("Confirm at the end of input = %v, want ErrCancelled", err)
	}
	if err := Confirm(context.Background(), "Remove codegraph?", "details", true, strings.NewReader("n\n"), &bytes.Buffer{}); !errors.Is(err, ErrCancelled) {
		t.Errorf("Confirm answered no = %v, want ErrCancelled", err)
	}
	if err := Confirm(context.Background(), "Remove codegraph?", "details", true, strings.NewReader("\n"), &bytes.Buffer{}); err != nil {
		t.Errorf("Confirm answered Enter = %v, want yes", err)
	}
}

// TestAccessibleInterrupt: while a prompt waits for a line, the end of ctx
// (SIGINT from Ctrl+C in a terminal's line mode) ends the form at once.
func TestAccessibleInterrupt(t *testing.T) {
	t.Parallel()
	for _, run := range []func(ctx context.Context, in io.Reader) error{
		func(ctx context.Context, in io.Reader) error {
			_, err := Run(ctx, Config{Selected: []string{"claude"}, AskConsent: true, ShareDefault: true, Accessible: true}, in, io.Discard)
			return err
		},
		func(ctx context.Context, in io.Reader) error {
			return Confirm(ctx, "Remove codegraph?", "details", true, in, io.Discard)
		},
	} {
		pr, pw := io.Pipe() // a terminal nobody types into
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- run(ctx, pr) }()
		time.Sleep(50 * time.Millisecond)
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
