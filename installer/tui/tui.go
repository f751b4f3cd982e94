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

	"github.com/getcodegraph/codegraph-install/installer"
)

// ConsentQuestion is the title of the form's one consent toggle; its answer
// is stored as the installer's choice (TELEMETRY.md, "How to turn it off", rule 3).
const ConsentQuestion = "Share anonymous usage data? (no code, paths, or names — see TELEMETRY.md)"

// How a form ends without answers. Neither stores nor records anything:
// the caller says "Cancelled: nothing was changed." and exits.
var (
	// ErrCancelled: the Cancel button, Esc on the first screen, or the end
	// of input in accessible mode (end of input never means yes).
	ErrCancelled = errors.New("cancelled")
	// ErrInterrupted: Ctrl+C, or the context ended (SIGINT, SIGTERM).
	ErrInterrupted = errors.New("interrupted")
)

// ErrNoTargets is returned when the user deselected every agent. The
// interactive form refuses an empty selection itself; accessible mode
// cannot re-ask at the end of input, so it reports it instead.
var ErrNoTargets = errors.New("no agents selected: nothing to install")

// Answers is everything the form collects. The form returns it only when
// the summary was confirmed.
type Answers struct {
	Targets []string        // target ids, in registry order
	Scope   installer.Scope // local or global
	// ShareUsage is the answer to the consent toggle; nil when the toggle
	// was not shown (a choice is already stored, or the pro build).
	ShareUsage *bool
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
	// AskConsent shows the usage-data toggle, pre-set to ShareDefault
	// (consent.Store.InstallerQuestion says both).
	AskConsent   bool
	ShareDefault bool
	// ConsentNote, when set, is added to the toggle's description (e.g. an
	// environment variable that wins over the answer).
	ConsentNote string
	// Summarize renders the plan for the answers so far (Plan.Summary()).
	// It is called once the agents and scope are chosen.
	Summarize func(Answers) string
	// Version appears in the banner.
	Version string
	// Accessible selects huh's screen-reader mode.
	Accessible bool
}

// Run shows the form on in/out and returns the answers, or ErrCancelled,
// ErrInterrupted or ErrNoTargets. In interactive mode out should be the
// terminal the user sees (stderr, by convention); in accessible mode
// prompts are plain lines, and ctx ending (SIGINT) ends them at once.
func Run(ctx context.Context, cfg Config, in io.Reader, out io.Writer) (Answers, error) {
	if cfg.Accessible {
		return runAccessible(ctx, cfg, in, out)
	}
	m := NewModel(cfg)
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx))
	final, err := p.Run()
	if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) || ctx.Err() != nil {
		return Answers{}, ErrInterrupted
	}
	if err != nil {
		return Answers{}, fmt.Errorf("installer form: %w", err)
	}
	return final.(*Model).Result()
}

// Confirm asks one yes/no question (default yes) after showing details; the
// uninstaller uses it. It returns ErrCancelled for No or the end of input,
// ErrInterrupted for Ctrl+C or the end of ctx.
func Confirm(ctx context.Context, title, details string, accessible bool, in io.Reader, out io.Writer) error {
	ok := true
	field := huh.NewConfirm().Title(title).Affirmative("Yes").Negative("No").Value(&ok)
	if accessible {
		pi := newPromptInput(ctx, in)
		pw := pi.gate(plainWriter(out))
		fmt.Fprintln(pw, details)
		_ = huh.NewForm(huh.NewGroup(field)).WithAccessible(true).
			WithInput(pi).WithOutput(pw).Run()
		if err := pi.err(); err != nil {
			return err
		}
	} else {
		field.Description(details)
		err := huh.NewForm(huh.NewGroup(field)).WithShowHelp(false).
			WithTheme(theme()).WithInput(in).WithOutput(out).RunWithContext(ctx)
		switch {
		case ctx.Err() != nil, errors.Is(err, huh.ErrUserAborted):
			return ErrInterrupted
		case err != nil:
			return err
		}
	}
	if !ok {
		return ErrCancelled
	}
	return nil
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

// result is the answers once the form ended: ErrCancelled when the summary
// was not confirmed.
func (s *state) result(cfg Config) (Answers, error) {
	if !s.confirmed {
		return Answers{}, ErrCancelled
	}
	return s.answers(cfg), nil
}

func newState(cfg Config) *state {
	s := &state{targets: append([]string(nil), cfg.Selected...), scope: cfg.Scope, share: cfg.ShareDefault, confirmed: true}
	if s.scope == "" {
		s.scope = installer.ScopeGlobal
	}
	return s
}

func (s *state) answers(cfg Config) Answers {
	a := Answers{Scope: s.scope}
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

// consentScreen is the index of the toggle's group in choiceFields (after
// the agents and the scope), when it is asked.
const consentScreen = 2

// choiceFields are the first page(s): agents, scope and, when asked, the
// consent toggle. Each is its own group, so each is its own screen.
func choiceFields(cfg Config, s *state, validate bool) []*huh.Group {
	groups, _ := choiceGroups(cfg, s, validate)
	return groups
}

// choiceGroups also returns the first screen's field, where Esc cancels.
func choiceGroups(cfg Config, s *state, validate bool) ([]*huh.Group, huh.Field) {
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
		// No filtering: every target fits on screen, and Esc is left to
		// cancel the form.
		Filterable(false).
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
			Description(consentDescription(cfg)).
			Affirmative("Yes").Negative("No").
			Value(&s.share)))
	}
	return groups, ms
}

// consentDescription is shown with the toggle (printed before it in
// accessible mode, where huh shows titles only).
func consentDescription(cfg Config) string {
	desc := "Counts of commands and tool calls, the OS and version. You can change it any time: codegraph telemetry off."
	if cfg.ConsentNote != "" {
		desc += "\n" + cfg.ConsentNote
	}
	return desc
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
