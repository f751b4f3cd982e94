package tui

import (
	"bytes"
	"context"
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
	store := newStore(t)
	cfg := Config{
		Selected:   []string{"claude", "cursor"},
		AskConsent: AskConsent(store),
		Summarize:  summaryOf,
		Version:    "v1.2.3",
		Accessible: true,
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
	want := Answers{Targets: []string{"claude", "cursor", "codex"}, Scope: installer.ScopeLocal, Confirmed: true}
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
	cfg := Config{Selected: []string{"opencode", "claude"}, AskConsent: consent.Compiled, Summarize: summaryOf, Accessible: true}
	got, err := Run(context.Background(), cfg, strings.NewReader("0\n\n\n\n"), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"claude", "opencode"}; !reflect.DeepEqual(got.Targets, want) || got.Scope != installer.ScopeGlobal || !got.Confirmed {
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

// TestRerunDoesNotAskAgain: once a choice is stored, the toggle is gone.
func TestRerunDoesNotAskAgain(t *testing.T) {
	t.Parallel()
	store := newStore(t)
	if AskConsent(store) != consent.Compiled {
		t.Fatalf("fresh store: AskConsent = %v, want %v (shown only in builds with telemetry)", AskConsent(store), consent.Compiled)
	}
	if _, err := store.SetChoice(false, consent.SourceInstaller); err != nil {
		t.Fatal(err)
	}
	if AskConsent(store) {
		t.Fatal("AskConsent after a stored choice = true")
	}
	var out bytes.Buffer
	got, err := Run(context.Background(), Config{Selected: []string{"claude"}, AskConsent: AskConsent(store), Accessible: true},
		strings.NewReader("0\n\n\n"), &out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), ConsentQuestion) || got.ShareUsage != nil {
		t.Errorf("toggle shown on a re-run:\n%s", out.String())
	}
	if !got.Confirmed {
		t.Errorf("answers = %+v", got)
	}
}

func TestAskConsentUnreadableConfig(t *testing.T) {
	t.Parallel()
	store := newStore(t)
	if err := store.Dir.Ensure(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, store.Dir.TelemetryConfig(), "{not json")
	if AskConsent(store) {
		t.Error("asked over an unreadable config (which counts as off)")
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
		Selected:   []string{"claude", "cursor"},
		AskConsent: true,
		Summarize:  summaryOf,
		Version:    "v9",
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
	want := Answers{Targets: []string{"claude", "cursor"}, Scope: installer.ScopeGlobal, ShareUsage: &yes, Confirmed: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answers = %+v, want %+v", got, want)
	}
}

// TestFormToggleAndDecline: space toggles the hovered agent, arrows move,
// and "n" declines the summary.
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
	if err != nil {
		t.Fatal(err)
	}
	want := Answers{Targets: []string{"claude", "cursor"}, Scope: installer.ScopeLocal}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answers = %+v, want %+v", got, want)
	}
}

func TestFormAbort(t *testing.T) {
	t.Parallel()
	tm := teatest.NewTestModel(t, NewModel(Config{Selected: []string{"claude"}}), teatest.WithInitialTermSize(100, 40))
	waitScreen(t, tm, "windsurf")
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	if _, err := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model).Result(); err != ErrAborted {
		t.Fatalf("err = %v, want ErrAborted", err)
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
