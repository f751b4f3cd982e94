// Package tui is the interactive installer's screens: a banner drawn once,
// the agents to configure, the scope, the anonymous-usage toggle and a
// summary to confirm, each answer staying on screen as a recap, and the
// final screen with the results and what to do next.
//
// It only collects answers into an Answers value. It never plans, writes a
// config file, stores a consent choice or sends telemetry: the caller
// computes the installer plan from the answers (the same plan serves the
// form, the flags and --dry-run) and the form shows it through Config.Plan.
// Input and output are injected; the package never touches os.Stdin or
// os.Stdout.
//
// The full-screen form is a Bubble Tea model of our own, styled with
// lipgloss: it lays itself out for the terminal it gets (a compact banner
// and recap on short terminals, lists that scroll with an indicator, the
// buttons always on screen), marks the focused option with brackets so it
// shows without colour, and goes back one step on Esc. Accessible mode
// (Config.Accessible) asks the same questions as huh's plain line prompts,
// without redrawing and without colour, for screen readers and for
// terminals that cannot draw (TERM=dumb, no size).
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/installer"
)

// ConsentQuestion is the title of the form's one consent toggle, in the
// words CONTRACT.md §5 fixes; its answer is stored as the installer's
// choice (TELEMETRY.md, "How to turn it off", rule 3).
const ConsentQuestion = consent.Question

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
	// Named: Selected came from --targets, not from detection.
	Named bool
	// Broken: agents found here whose config cannot be edited, with a
	// short reason shown beside them; they are not pre-selected.
	Broken map[string]string
	// Scope is pre-selected; empty means global.
	Scope installer.Scope
	// ProjectDir is shown next to the local scope.
	ProjectDir string
	// Home shortens the paths shown ("~/.cursor/mcp.json").
	Home string
	// AskConsent shows the usage-data toggle, pre-set to ShareDefault
	// (consent.Store.InstallerQuestion says both).
	AskConsent   bool
	ShareDefault bool
	// ConsentNote, when set, is added to the toggle's description (e.g. an
	// environment variable that wins over the answer).
	ConsentNote string
	// Plan computes the installer plan for the answers so far; the
	// confirm screen shows it. It is called once the agents and scope are
	// chosen, and again if the user goes back and changes them.
	Plan func(Answers) (*installer.Plan, error)
	// Version appears in the banner.
	Version string
	// Accessible selects huh's screen-reader mode.
	Accessible bool
	// Environ is the environment the terminal's colours are read from
	// (TERM, NO_COLOR, COLORTERM…); nil means no colour.
	Environ []string
}

func (cfg Config) paths() Paths { return Paths{Home: cfg.Home, Project: cfg.ProjectDir} }

// Run shows the form on in/out and returns the answers, or ErrCancelled,
// ErrInterrupted or ErrNoTargets. In interactive mode out should be the
// terminal the user sees (stderr, by convention); in accessible mode
// prompts are plain lines, and ctx ending (SIGINT) ends them at once.
func Run(ctx context.Context, cfg Config, in io.Reader, out io.Writer) (Answers, error) {
	if cfg.Accessible {
		return runAccessible(ctx, cfg, in, out)
	}
	final, err := runProgram(ctx, NewModel(cfg), cfg.Environ, in, out)
	if err != nil {
		return Answers{}, err
	}
	ans, err := final.Result()
	if err == nil {
		// The answers stay on screen above what the installer prints next.
		_, _ = io.WriteString(environWriter(out, cfg.Environ), final.Recap())
	}
	return ans, err
}

// runProgram runs m as a Bubble Tea program and returns it once it has
// finished.
func runProgram(ctx context.Context, m *Model, environ []string, in io.Reader, out io.Writer) (*Model, error) {
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx),
		tea.WithEnvironment(environ))
	final, err := p.Run()
	if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) || ctx.Err() != nil {
		return nil, ErrInterrupted
	}
	if err != nil {
		return nil, fmt.Errorf("installer form: %w", err)
	}
	return final.(*Model), nil
}

// ConfirmOptions is what Confirm shows.
type ConfirmOptions struct {
	Title   string
	Details string // shown above the buttons; scrolls when long
	// Yes and No label the buttons; empty means "Yes" and "No".
	Yes, No string
	Version string // in the banner
	// Banner says what this screen is ("uninstall"); "" is the installer.
	Banner     string
	Accessible bool
	Environ    []string
}

// Confirm asks one yes/no question (default yes) after showing details; the
// uninstaller uses it. It returns ErrCancelled for No, Esc or the end of
// input, ErrInterrupted for Ctrl+C or the end of ctx.
func Confirm(ctx context.Context, opt ConfirmOptions, in io.Reader, out io.Writer) error {
	if opt.Yes == "" {
		opt.Yes, opt.No = "Yes", "No"
	}
	if opt.Accessible {
		pi := newPromptInput(ctx, in)
		pw := pi.gate(plainWriter(out))
		fmt.Fprintln(pw, strings.TrimRight(opt.Details, "\n"))
		ok, err := askYesNo(pi, pw, opt.Title, opt.Yes, opt.No, true)
		if err != nil {
			return err
		}
		if !ok {
			return ErrCancelled
		}
		return nil
	}
	final, err := runProgram(ctx, newConfirmModel(opt), opt.Environ, in, out)
	if err != nil {
		return err
	}
	_, err = final.Result()
	return err
}

// state holds the answers as the form collects them.
type state struct {
	targets   []string
	scope     installer.Scope
	share     bool
	confirmed bool
}

func newState(cfg Config) *state {
	s := &state{scope: cfg.Scope, share: cfg.ShareDefault, confirmed: true}
	for _, id := range cfg.Selected {
		s.toggle(id, true)
	}
	if s.scope == "" {
		s.scope = installer.ScopeGlobal
	}
	return s
}

func (s *state) selected(id string) bool {
	for _, t := range s.targets {
		if t == id {
			return true
		}
	}
	return false
}

func (s *state) toggle(id string, on bool) {
	if on == s.selected(id) {
		return
	}
	if on {
		s.targets = append(s.targets, id)
		return
	}
	kept := s.targets[:0]
	for _, t := range s.targets {
		if t != id {
			kept = append(kept, t)
		}
	}
	s.targets = kept
}

// result is the answers once the form ended: ErrCancelled when the summary
// was not confirmed.
func (s *state) result(cfg Config) (Answers, error) {
	if !s.confirmed {
		return Answers{}, ErrCancelled
	}
	return s.answers(cfg), nil
}

func (s *state) answers(cfg Config) Answers {
	a := Answers{Scope: s.scope}
	// Report targets in the listed order, whatever order they were ticked in.
	for _, t := range listed(cfg) {
		if s.selected(t.ID) {
			a.Targets = append(a.Targets, t.ID)
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
	// Agents of another OS only have nothing to install here.
	return installer.TargetsFor(runtime.GOOS)
}

// Copy shared by the full-screen form and accessible mode.
const (
	agentsTitle      = "Which agents should use codegraph?"
	agentsDetected   = "The agents found on this machine are selected."
	agentsNamed      = "The agents named with --targets are selected."
	agentsNoneFound  = "No agent was found on this machine: select the ones you use."
	scopeTitle       = "Where should they use it?"
	confirmTitle     = "Install?"
	scopeGlobalLabel = "global: every project, for your user"
	scopeLocalLabel  = "local: this project only"
)

// scopeNotes name the chosen agents that have one scope only: the other
// scope leaves them out (the summary then says so for each).
func scopeNotes(ids []string) []string {
	var global, local []string
	for _, id := range ids {
		t, ok := installer.TargetByID(id)
		if !ok {
			continue
		}
		if _, paste := t.Pasted(); paste {
			continue // either scope: the snippet is the same
		}
		switch sc := t.Scopes(); {
		case len(sc) == 1 && sc[0] == installer.ScopeGlobal:
			global = append(global, t.Name)
		case len(sc) == 1 && sc[0] == installer.ScopeLocal:
			local = append(local, t.Name)
		}
	}
	var out []string
	if len(global) > 0 {
		out = append(out, "Global only (no project config file): "+strings.Join(global, ", ")+".")
	}
	if len(local) > 0 {
		out = append(out, "Local only (no user config file): "+strings.Join(local, ", ")+".")
	}
	return out
}

// agentsHint says where the pre-selection came from.
func agentsHint(cfg Config) string {
	switch {
	case cfg.Named:
		return agentsNamed
	case len(cfg.Selected) == 0:
		return agentsNoneFound
	}
	return agentsDetected
}

const consentListedAt = "Every field is listed at:"

// consentLines describe the toggle: what is sent, what never is, where
// every field is listed and how to turn it off, in consent's words.
func consentLines(cfg Config) []string {
	lines := []string{
		"Sent: " + consent.WhatIsShared + "; " + consent.NeverShared + ".",
		consentListedAt,
		consent.DocsURL,
		"Turn it off any time: " + consent.HowToTurnOff + ".",
	}
	if cfg.ConsentNote != "" {
		lines = append(lines, cfg.ConsentNote)
	}
	return lines
}

// planFor renders the plan of the answers so far, or says why there is
// none. ok is false when installing could only fail: no installed
// codegraph can be named (as under `go run`). Other errors are left to
// what follows the form (a local scope in the home directory is asked
// about next).
func planFor(cfg Config, a Answers) (lines []planLine, ok bool) {
	if cfg.Plan == nil {
		return nil, true
	}
	p, err := cfg.Plan(a)
	if err != nil {
		var notInstalled *installer.NotInstalledError
		return []planLine{{text: "Cannot plan the install: " + err.Error(), bad: true}}, !errors.As(err, &notInstalled)
	}
	return planLines(p, cfg.paths()), true
}
