package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/getcodegraph/codegraph-install/installer"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// Keys as Bubble Tea delivers them.
var (
	enter    = tea.KeyPressMsg{Code: tea.KeyEnter}
	esc      = tea.KeyPressMsg{Code: tea.KeyEscape}
	down     = tea.KeyPressMsg{Code: tea.KeyDown}
	right    = tea.KeyPressMsg{Code: tea.KeyRight}
	space    = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	shiftTab = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	ctrlC    = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	keyRune  = func(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }
	sizes    = []struct{ w, h int }{{100, 30}, {80, 12}, {60, 20}, {60, 12}}
	profiles = []struct {
		name    string
		profile colorprofile.Profile
	}{{"color", colorprofile.ANSI256}, {"nocolor", colorprofile.Ascii}}
)

// formConfig is the installer as a new user meets it: two agents
// detected, the consent question asked, a project directory.
func formConfig(t testing.TB) Config {
	return Config{
		Selected:     []string{"claude", "cursor"},
		ProjectDir:   fixedHome + "/src/app",
		Home:         fixedHome,
		AskConsent:   true,
		ShareDefault: true,
		Plan:         planner(t),
		Version:      "v1.2.3",
	}
}

// drive feeds msgs to the model as the program would, synchronously.
func drive(m *Model, msgs ...tea.Msg) {
	for _, msg := range msgs {
		m.Update(msg)
	}
}

// screenAs renders what the terminal shows for content under a profile.
func screenAs(content string, p colorprofile.Profile) string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: p}
	_, _ = io.WriteString(w, content)
	return b.String()
}

// checkFits fails when a screen is taller or wider than its terminal: the
// renderer would then scroll it, or the terminal wrap it.
func checkFits(t *testing.T, name, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) > h {
		t.Errorf("%s: %d lines on a %d-line terminal", name, len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("%s: line %d is %d wide on a %d-column terminal: %q", name, i+1, lw, w, ansi.Strip(l))
		}
	}
}

// TestScreens renders every step, and the end, at three sizes in colour
// and without, against golden files, and checks what must hold on every
// terminal: the screen fits, the title and the key help are there, the
// focused button is in brackets, a list that does not fit says so.
func TestScreens(t *testing.T) {
	t.Parallel()
	steps := []struct {
		name string
		keys []tea.Msg
		must []string // on screen, whatever the size
	}{
		{"1-agents", nil, []string{"Which agents should use codegraph?", "> [x] Claude Code", "esc quit"}},
		{"2-scope", []tea.Msg{enter}, []string{"✓ Agents", "> (•) global", "esc back"}},
		{"3-share", []tea.Msg{enter, enter}, []string{"[ Yes ]", "esc back"}},
		{"4-confirm", []tea.Msg{enter, enter, enter}, []string{"✓ Sharing", "[ Install ]", "Cancel", "esc back"}},
	}
	for _, sz := range sizes {
		for _, pr := range profiles {
			for _, st := range steps {
				name := fmt.Sprintf("%s-%dx%d-%s", st.name, sz.w, sz.h, pr.name)
				m := NewModel(formConfig(t))
				drive(m, append([]tea.Msg{tea.WindowSizeMsg{Width: sz.w, Height: sz.h}}, st.keys...)...)
				screen := screenAs(m.View().Content, pr.profile)
				checkFits(t, name, screen, sz.w, sz.h)
				plain := ansi.Strip(screen)
				for _, s := range st.must {
					if !strings.Contains(plain, s) {
						t.Errorf("%s: %q is not on screen:\n%s", name, s, plain)
					}
				}
				if st.name == "1-agents" && sz.h < 28 && !strings.Contains(plain, "more (") {
					t.Errorf("%s: the list does not fit and no indicator says so:\n%s", name, plain)
				}
				if pr.profile == colorprofile.Ascii && strings.Contains(screen, "\x1b[38") {
					t.Errorf("%s: colour without colour:\n%q", name, screen)
				}
				if strings.Count(plain, "MCP server installer") != 1 {
					t.Errorf("%s: the banner is not drawn exactly once:\n%s", name, plain)
				}
				testkit.Golden(t, "tui/"+name+".txt", []byte(screen))
			}
			// The end: the recap that stays, the results and what next.
			m := NewModel(formConfig(t))
			drive(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, enter, enter, enter, enter)
			end := m.Recap() + RenderResults(endResults, Paths{Home: fixedHome}) + NextSteps(Done{
				Results: endResults, Paths: Paths{Home: fixedHome}, Program: "codegraph",
				Uninstall: "codegraph uninstall --scope global", Backups: fixedHome + "/.codegraph/backups",
			})
			plain := ansi.Strip(end)
			for _, s := range []string{"✓ Agents", "✓ Sharing", "Restart Claude Code", "codegraph doctor", "codegraph uninstall", "~/.codegraph/backups", "not valid JSON"} {
				if !strings.Contains(plain, s) {
					t.Errorf("end %dx%d: %q missing:\n%s", sz.w, sz.h, s, plain)
				}
			}
			testkit.Golden(t, fmt.Sprintf("tui/5-end-%dx%d-%s.txt", sz.w, sz.h, pr.name), []byte(screenAs(end, pr.profile)))
		}
	}
}

var endResults = []installer.Result{
	{Target: "claude", Path: fixedHome + "/.claude.json", Action: installer.ActionModify, Op: installer.OpInstall},
	{Target: "cursor", Path: fixedHome + "/.cursor/mcp.json", Action: installer.ActionError, Op: installer.OpInstall,
		Err: errors.New("~/.cursor/mcp.json is not valid JSON (line 4, column 1); nothing was changed")},
}

// TestScreenNothingDetected: with no agent found the first screen says
// so, with its key help and no error; Enter then explains what to do.
func TestScreenNothingDetected(t *testing.T) {
	t.Parallel()
	cfg := formConfig(t)
	cfg.Selected = nil
	m := NewModel(cfg)
	drive(m, tea.WindowSizeMsg{Width: 80, Height: 12})
	plain := ansi.Strip(m.View().Content)
	if !strings.Contains(plain, "No agent was found") || !strings.Contains(plain, "space select") || strings.Contains(plain, "!") {
		t.Errorf("first screen:\n%s", plain)
	}
	drive(m, enter)
	plain = ansi.Strip(m.View().Content)
	if !strings.Contains(plain, "Select at least one agent") || !strings.Contains(plain, "space select") {
		t.Errorf("after Enter with nothing selected:\n%s", plain)
	}
	checkFits(t, "nothing selected", plain, 80, 12)
	if m.step() != stepAgents {
		t.Errorf("moved on with no agent selected")
	}
}

// TestLongListScrolls: at 60×20 the cursor can reach the last agent, the
// list scrolls to show it, and the indicator counts what is above.
func TestLongListScrolls(t *testing.T) {
	t.Parallel()
	m := NewModel(formConfig(t))
	drive(m, tea.WindowSizeMsg{Width: 60, Height: 20}, keyRune('G'), space)
	plain := ansi.Strip(m.View().Content)
	last := installer.Targets()[len(installer.Targets())-1]
	if !strings.Contains(plain, "> [x] "+last.Name) || !strings.Contains(plain, "↑ ") {
		t.Errorf("after End and space:\n%s", plain)
	}
	if got := m.st.answers(m.cfg).Targets; got[len(got)-1] != last.ID {
		t.Errorf("targets = %v, want %s selected", got, last.ID)
	}
}

// startForm runs the real model in a Bubble Tea program.
func startForm(t *testing.T, cfg Config) *teatest.TestModel {
	t.Helper()
	tm := teatest.NewTestModel(t, NewModel(cfg), teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "Which agents")
	return tm
}

// waitScreen waits until the program has drawn s.
func waitScreen(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return strings.Contains(ansi.Strip(string(b)), s)
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func finalResult(t *testing.T, tm *teatest.TestModel) (Answers, error) {
	t.Helper()
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model).Result()
}

// TestStories drives the real program with key presses, one story each.
func TestStories(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	stories := []struct {
		name string
		keys []tea.Msg
		want Answers
		err  error
	}{
		{"enter through the defaults installs into the detected agents",
			[]tea.Msg{enter, enter, enter, enter},
			Answers{Targets: []string{"claude", "cursor"}, Scope: installer.ScopeGlobal, ShareUsage: &yes}, nil},
		{"esc on the first screen quits",
			[]tea.Msg{esc}, Answers{}, ErrCancelled},
		{"ctrl+c on the confirm screen quits",
			[]tea.Msg{enter, enter, enter, ctrlC}, Answers{}, ErrInterrupted},
		{"ctrl+c on the first screen quits",
			[]tea.Msg{ctrlC}, Answers{}, ErrInterrupted},
		{"the cancel button cancels",
			[]tea.Msg{enter, enter, enter, right, enter}, Answers{}, ErrCancelled},
		{"n on the confirm screen cancels",
			[]tea.Msg{enter, enter, enter, keyRune('n')}, Answers{}, ErrCancelled},
		{"back from confirm to scope, change it, and install",
			[]tea.Msg{enter, enter, enter, esc, esc, down, enter, enter, enter},
			Answers{Targets: []string{"claude", "cursor"}, Scope: installer.ScopeLocal, ShareUsage: &yes}, nil},
		{"n on the consent screen answers no and moves on",
			[]tea.Msg{enter, enter, keyRune('n'), enter},
			Answers{Targets: []string{"claude", "cursor"}, Scope: installer.ScopeGlobal, ShareUsage: &no}, nil},
		{"shift+tab on the confirm screen moves the focus, nothing else",
			[]tea.Msg{enter, enter, enter, shiftTab, shiftTab, enter},
			Answers{Targets: []string{"claude", "cursor"}, Scope: installer.ScopeGlobal, ShareUsage: &yes}, nil},
		{"space toggles, esc from scope goes back with the choice kept",
			[]tea.Msg{down, space, down, space, enter, esc, enter, enter, enter, enter},
			Answers{Targets: []string{"claude", "codex"}, Scope: installer.ScopeGlobal, ShareUsage: &yes}, nil},
	}
	for _, st := range stories {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			// Keys are delivered in order, each after the last one's
			// update: only the first screen needs waiting for.
			tm := startForm(t, formConfig(t))
			for _, k := range st.keys {
				tm.Send(k)
			}
			got, err := finalResult(t, tm)
			if !errors.Is(err, st.err) || (err == nil) != (st.err == nil) {
				t.Fatalf("err = %v, want %v", err, st.err)
			}
			if !reflect.DeepEqual(got, st.want) {
				t.Errorf("answers = %+v, want %+v", got, st.want)
			}
		})
	}
}

// TestRunFromBytes runs the form through Run as the installer does, with
// the bytes a terminal sends: Enter four times installs, and the recap is
// left on the output; "n" on the confirm screen leaves nothing behind.
func TestRunFromBytes(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	got, err := Run(context.Background(), formConfig(t), strings.NewReader("\r\r\r\r"), &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Targets) != 2 || got.Scope != installer.ScopeGlobal {
		t.Errorf("answers = %+v", got)
	}
	tail := ansi.Strip(out.String()[max(0, strings.LastIndex(out.String(), "\x1b[?1049l")):])
	if !strings.Contains(tail, "✓ Agents   Claude Code, Cursor") || !strings.Contains(tail, "✓ Sharing  yes") {
		t.Errorf("no recap after the form:\n%q", tail)
	}

	out.Reset()
	if _, err := Run(context.Background(), formConfig(t), strings.NewReader("\r\r\rn"), &out); !errors.Is(err, ErrCancelled) {
		t.Errorf("n on confirm: err = %v", err)
	}
	if err := Confirm(context.Background(), ConfirmOptions{Title: "Remove codegraph?", Details: "• Claude Code"}, strings.NewReader("\r"), &out); err != nil {
		t.Errorf("Confirm with Enter = %v, want yes", err)
	}
	if err := Confirm(context.Background(), ConfirmOptions{Title: "Remove codegraph?"}, strings.NewReader("n"), &out); !errors.Is(err, ErrCancelled) {
		t.Errorf("Confirm with n = %v, want ErrCancelled", err)
	}
	if err := Confirm(context.Background(), ConfirmOptions{Title: "Remove codegraph?"}, strings.NewReader("\x03"), &out); !errors.Is(err, ErrInterrupted) {
		t.Errorf("Confirm with ctrl+c = %v, want ErrInterrupted", err)
	}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	p := Paths{Home: "/home/ada", Project: "/home/ada/src/app"}
	for in, want := range map[string]string{
		"/home/ada/.claude.json":           "~/.claude.json",
		"/home/ada/src/app/.mcp.json":      "./.mcp.json",
		"/home/adam/.claude.json":          "/home/adam/.claude.json",
		"/etc/codegraph.json":              "/etc/codegraph.json",
		"/home/ada/src/app/.cursor/x.json": "./.cursor/x.json",
	} {
		if got := p.Show(in); got != want {
			t.Errorf("Show(%q) = %q, want %q", in, got, want)
		}
	}
	if got := p.ShowDir("/home/ada"); got != "~" {
		t.Errorf("ShowDir(home) = %q", got)
	}
	// Run from above the home directory (the project holds it): files
	// under home are still ~/…, the project's others ./….
	above := Paths{Home: "/srv/users/ada", Project: "/srv/users"}
	for in, want := range map[string]string{
		"/srv/users/ada/.cursor/mcp.json": "~/.cursor/mcp.json",
		"/srv/users/.mcp.json":            "./.mcp.json",
	} {
		if got := above.Show(in); got != want {
			t.Errorf("from above home: Show(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNothingToInstallFocusesCancel: when the plan cannot be made (e.g.
// codegraph is not installed, run with `go run`), the summary says why
// and Enter cancels instead of failing; Install is still there to choose.
func TestNothingToInstallFocusesCancel(t *testing.T) {
	t.Parallel()
	cfg := formConfig(t)
	cfg.Plan = func(Answers) (*installer.Plan, error) {
		return nil, &installer.NotInstalledError{Executable: "/tmp/go-build1/exe/codegraph-install"}
	}
	m := NewModel(cfg)
	drive(m, tea.WindowSizeMsg{Width: 80, Height: 12}, enter, enter, enter)
	plain := ansi.Strip(m.View().Content)
	if !strings.Contains(plain, "Cannot plan the install: codegraph is not installed") || !strings.Contains(plain, "[ Cancel ]") {
		t.Fatalf("summary of a plan that failed:\n%s", plain)
	}
	drive(m, enter)
	if _, err := m.Result(); !errors.Is(err, ErrCancelled) {
		t.Errorf("Enter: %v, want ErrCancelled", err)
	}

	cfg.Accessible = true
	if _, err := Run(context.Background(), cfg, strings.NewReader("0\n\n\n\n"), io.Discard); !errors.Is(err, ErrCancelled) {
		t.Errorf("accessible, Enter through: %v, want ErrCancelled", err)
	}
}

// TestConsentNeverLosesItsExplanation: however small the terminal, the
// usage-data question keeps what is sent, what never is and how to turn
// it off, with its buttons; the banner and the recap give way first.
func TestConsentNeverLosesItsExplanation(t *testing.T) {
	t.Parallel()
	for _, sz := range []struct{ w, h int }{{100, 30}, {80, 12}, {60, 12}, {40, 10}} {
		m := NewModel(formConfig(t))
		drive(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, enter, enter)
		plain := ansi.Strip(m.View().Content)
		flat := strings.Join(strings.Fields(plain), " ")
		for _, s := range []string{"Share anonymous usage data?", "Sent: counts of commands", "no code, paths or names", "Turn it off any time", "telemetry off", "[ Yes ]"} {
			if !strings.Contains(flat, s) {
				t.Errorf("%dx%d: %q is not on screen:\n%s", sz.w, sz.h, s, plain)
			}
		}
		checkFits(t, fmt.Sprintf("share %dx%d", sz.w, sz.h), m.View().Content, sz.w, sz.h)
	}
}

// TestUninstallBanner: the uninstaller's confirmation is not headed as
// the installer.
func TestUninstallBanner(t *testing.T) {
	t.Parallel()
	m := newConfirmModel(ConfirmOptions{Title: "Remove codegraph?", Details: "x", Yes: "Remove", No: "Cancel", Version: "v1", Banner: "uninstall"})
	drive(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	plain := ansi.Strip(m.View().Content)
	if !strings.Contains(plain, "codegraph  uninstall · v1") || strings.Contains(plain, "installer") {
		t.Errorf("banner:\n%s", plain)
	}
}
