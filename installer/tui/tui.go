// Package tui is the interactive installer form: a lipgloss banner, the
// agents to configure, the scope, the anonymous-usage toggle and a summary
// to confirm, built with huh.
//
// It only collects answers into an Answers value. It never plans, writes a
// config file, stores a consent choice or sends telemetry: the caller
// computes the installer plan from the answers (the same plan serves the
// form, the flags and --dry-run), and the form shows the plan's summary
// through Config.Summarize. Input and output are injected; the package never
// touches os.Stdin or os.Stdout.
//
// Accessible mode (Config.Accessible) uses huh's plain line prompts, without
// redrawing and without colour, for screen readers.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/installer"
)

// ConsentQuestion is the title of the form's one consent toggle; its answer
// is stored as the installer's choice (TELEMETRY.md, rule 3 of the order that decides).
const ConsentQuestion = "Share anonymous usage data? (no code, paths, or names — see TELEMETRY.md)"

// ErrAborted is returned when the user quits the form (ctrl+c).
var ErrAborted = huh.ErrUserAborted

// ErrNoTargets is returned when the user deselected every agent. The
// interactive form refuses an empty selection itself; accessible mode
// cannot re-ask at the end of input, so it reports it instead.
var ErrNoTargets = errors.New("no agents selected: nothing to install")

// Answers is everything the form collects.
type Answers struct {
	Targets []string        // target ids, in registry order
	Scope   installer.Scope // local or global
	// ShareUsage is the answer to the consent toggle; nil when the toggle
	// was not shown (a choice is already stored, or the pro build).
	ShareUsage *bool
	Confirmed  bool // the summary was confirmed
}

// Config is what the form shows and its defaults.
type Config struct {
	// Targets are listed in this order; nil means installer.Targets().
	Targets []installer.Target
	// Selected are pre-selected target ids (the detected agents, or
	// --targets).
	Selected []string
	// Scope is pre-selected; empty means global.
	Scope installer.Scope
	// ProjectDir is shown next to the local scope.
	ProjectDir string
	// AskConsent shows the usage-data toggle; see AskConsent.
	AskConsent bool
	// Summarize renders the plan for the answers so far (Plan.Summary()).
	// It is called once the agents and scope are chosen.
	Summarize func(Answers) string
	// Version appears in the banner.
	Version string
	// Accessible selects huh's screen-reader mode.
	Accessible bool
}

// AskConsent reports whether the toggle is to be shown: only when
// telemetry is part of the build and no choice is stored yet, so re-runs and
// upgrades never ask again.
func AskConsent(store *consent.Store) bool {
	return consent.Compiled && store != nil && !store.HasStoredChoice()
}

// Run shows the form on in/out and returns the answers. In interactive mode
// out should be the terminal the user sees (stderr, by convention); in
// accessible mode prompts are plain lines.
func Run(ctx context.Context, cfg Config, in io.Reader, out io.Writer) (Answers, error) {
	if cfg.Accessible {
		return runAccessible(cfg, in, out)
	}
	m := NewModel(cfg)
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx))
	final, err := p.Run()
	if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) {
		return Answers{}, ErrAborted
	}
	if err != nil {
		return Answers{}, fmt.Errorf("installer form: %w", err)
	}
	return final.(*Model).Result()
}

// Confirm asks one yes/no question (default yes) after showing details; the
// uninstaller uses it.
func Confirm(ctx context.Context, title, details string, accessible bool, in io.Reader, out io.Writer) (bool, error) {
	ok := true
	field := huh.NewConfirm().Title(title).Affirmative("Yes").Negative("No").Value(&ok)
	if accessible {
		pw := plainWriter(out)
		fmt.Fprintln(pw, details)
		err := huh.NewForm(huh.NewGroup(field)).WithAccessible(true).
			WithInput(oneLine(in)).WithOutput(pw).RunWithContext(ctx)
		return ok, err
	}
	field.Description(details)
	err := huh.NewForm(huh.NewGroup(field)).WithShowHelp(false).
		WithTheme(theme()).WithInput(in).WithOutput(out).RunWithContext(ctx)
	if errors.Is(err, huh.ErrUserAborted) {
		return false, ErrAborted
	}
	return ok, err
}

func theme() huh.Theme { return huh.ThemeFunc(huh.ThemeCharm) }

// state holds the values the huh fields are bound to. It lives behind a
// pointer so the fields' accessors stay valid while the model is copied.
type state struct {
	targets   []string
	scope     installer.Scope
	share     bool
	confirmed bool
}

func newState(cfg Config) *state {
	s := &state{targets: append([]string(nil), cfg.Selected...), scope: cfg.Scope, share: true, confirmed: true}
	if s.scope == "" {
		s.scope = installer.ScopeGlobal
	}
	return s
}

func (s *state) answers(cfg Config) Answers {
	a := Answers{Scope: s.scope, Confirmed: s.confirmed}
	// Report targets in the listed order, whatever order they were ticked in.
	for _, t := range listed(cfg) {
		for _, id := range s.targets {
			if id == t.ID {
				a.Targets = append(a.Targets, id)
				break
			}
		}
	}
	if cfg.AskConsent {
		share := s.share
		a.ShareUsage = &share
	}
	return a
}

func listed(cfg Config) []installer.Target {
	if cfg.Targets != nil {
		return cfg.Targets
	}
	return installer.Targets()
}

// choiceFields are the first page(s): agents, scope and, when asked, the
// consent toggle. Each is its own group, so each is its own screen.
func choiceFields(cfg Config, s *state, validate bool) []*huh.Group {
	targets := listed(cfg)
	opts := make([]huh.Option[string], 0, len(targets))
	for _, t := range targets {
		opts = append(opts, huh.NewOption(fmt.Sprintf("%-18s %s", t.Name, "("+t.ID+")"), t.ID))
	}
	ms := huh.NewMultiSelect[string]().
		Title("Which agents should use codegraph?").
		Description("Detected agents are selected. x or space toggles, enter continues.").
		Options(opts...).
		Value(&s.targets).
		// Title and description take one line each: with this height every
		// target is visible at once, no scrolling.
		Height(len(opts) + 2)
	if validate {
		ms.Validate(func(v []string) error {
			if len(v) == 0 {
				return errors.New("select at least one agent")
			}
			return nil
		})
	}
	local := "local  — this project only"
	if cfg.ProjectDir != "" {
		local += " (" + cfg.ProjectDir + ")"
	}
	scope := huh.NewSelect[installer.Scope]().
		Title("Where should they use it?").
		Options(
			huh.NewOption("global — every project, for your user", installer.ScopeGlobal),
			huh.NewOption(local, installer.ScopeLocal),
		).
		Value(&s.scope)
	groups := []*huh.Group{huh.NewGroup(ms), huh.NewGroup(scope)}
	if cfg.AskConsent {
		groups = append(groups, huh.NewGroup(huh.NewConfirm().
			Title(ConsentQuestion).
			Description("Counts of commands and tool calls, the OS and version. You can change it any time: codegraph telemetry off.").
			Affirmative("Yes").Negative("No").
			Value(&s.share)))
	}
	return groups
}

func confirmField(s *state, summary string, withDescription bool) *huh.Confirm {
	c := huh.NewConfirm().Title("Install?").Affirmative("Install").Negative("Cancel").Value(&s.confirmed)
	if withDescription {
		c.Description(summary)
	}
	return c
}

func summarize(cfg Config, a Answers) string {
	if cfg.Summarize == nil {
		return ""
	}
	return strings.TrimRight(cfg.Summarize(a), "\n")
}

// Banner is the title block shown above the form.
func Banner(version string) string {
	title := lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("212")).Render("codegraph")
	sub := "MCP server installer"
	if version != "" {
		sub += " · " + version
	}
	return lipgloss.NewStyle().
		Border(lipgloss.RoundedBorder()).
		BorderForeground(lipgloss.Color("63")).
		Padding(0, 2).
		Render(title + "  " + lipgloss.NewStyle().Faint(true).Render(sub))
}
