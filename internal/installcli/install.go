package installcli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/installer"
	"github.com/getcodegraph/codegraph-install/installer/tui"
	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry"
)

// installFlags are the installer's flags, as the README's command table
// lists them.
type installFlags struct {
	yes           bool
	targets       []string
	scope         string
	telemetry     string
	project       string
	serverCommand string
	dryRun        bool
	accessible    bool
	json          bool
}

const installHelp = `
Headless: --yes installs without asking.
  --targets  defaults to the agents detected on this machine (their binary is
             on PATH or their config directory exists); with none detected,
             name them.
  --scope    defaults to local when --project is given, else global.
  --dry-run  prints the changes as unified diffs and writes nothing (no
             config file, no manifest, no consent choice, no install event);
             it never prompts, so it needs no --yes.
  --telemetry on|off stores your choice about ` + consent.UsageName + `
             (source "installer"; off also deletes the queue); without it,
             the interactive form asks until a choice is stored.

Targets: ` + "%s" + `.
Exit codes: 0 ok, 1 a target failed (the others are still installed),
2 usage error (bad flag, no terminal for the interactive form), 130
cancelled or interrupted (Ctrl+C, Esc on the first screen, Cancel or No on
the summary, the end of input; SIGTERM).`

func (a *app) addInstallFlags(root *cobra.Command) {
	f := &installFlags{}
	fs := root.Flags()
	fs.BoolVarP(&f.yes, "yes", "y", false, "install without asking (headless)")
	fs.StringSliceVar(&f.targets, "targets", nil, "agents to configure, comma-separated (default: the detected ones)")
	fs.StringVar(&f.scope, "scope", "", "local (this project) or global (your user); default local with --project, else global")
	fs.StringVar(&f.telemetry, "telemetry", "", "on or off: store your choice about "+consent.UsageName)
	fs.StringVar(&f.project, "project", "", "project directory for local scope (default: the current directory)")
	fs.StringVar(&f.serverCommand, "server-command", "", `command the agents run (default "codegraph serve --mcp")`)
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the changes as diffs and write nothing")
	fs.BoolVar(&f.accessible, "accessible", false, "screen-reader friendly prompts (also ACCESSIBLE=1)")
	fs.BoolVar(&f.json, "json", false, "with --yes: print the result as one JSON object on stdout (per agent: id, scope, path, result, error, command); with --list-targets, the list")
	root.Long += "\n" + fmt.Sprintf(installHelp, strings.Join(installer.TargetIDs(), ", "))
	root.RunE = func(cmd *cobra.Command, _ []string) error { return a.runInstall(cmd, f) }
}

// checkTargets returns the canonical ids of --targets (any case: "Claude"
// is claude), drops blanks, and rejects an unknown id as a usage error
// that suggests the id it most likely meant.
func checkTargets(ids []string) ([]string, error) {
	var out []string
	for _, s := range ids {
		if strings.TrimSpace(s) == "" {
			continue
		}
		id, err := installer.ParseTargetID(s)
		if err != nil {
			return nil, exitcode.Usagef("%w", err)
		}
		out = append(out, id)
	}
	return out, nil
}

func parseScope(s string) (installer.Scope, error) {
	switch installer.Scope(s) {
	case installer.ScopeLocal, installer.ScopeGlobal:
		return installer.Scope(s), nil
	}
	return "", exitcode.Usagef("--scope must be local or global, not %q", s)
}

// parseTelemetryFlag returns nil when the flag is absent.
func parseTelemetryFlag(s string) (*bool, error) {
	var v bool
	switch strings.ToLower(s) {
	case "":
		return nil, nil
	case "on":
		v = true
	case "off":
	default:
		return nil, exitcode.Usagef("--telemetry must be on or off, not %q", s)
	}
	return &v, nil
}

// installerSetup is the start of every command that changes agent
// configs: an interactive run needs a terminal (hint says what to do
// instead), then the home directory and the project directory, checked in
// that order, before anything is asked or written.
func (a *app) installerSetup(project string, interactive bool, hint string) (installer.Env, error) {
	if interactive && !a.env.StdinTTY {
		return installer.Env{}, exitcode.Usagef("%s", hint)
	}
	if err := a.needHome(); err != nil {
		return installer.Env{}, err
	}
	dir, err := a.resolveDir(project)
	if err != nil {
		return installer.Env{}, err
	}
	return a.installerEnv(dir), nil
}

// goos is the OS whose agent paths are used (Env.GOOS).
func (a *app) goos() string {
	if a.env.GOOS != "" {
		return a.env.GOOS
	}
	return runtime.GOOS
}

// installerEnv is the installer's view of this process for the project in
// dir (already resolved by resolveDir).
func (a *app) installerEnv(dir string) installer.Env {
	return installer.Env{
		Home:       a.env.Home,
		ProjectDir: dir,
		Getenv:     a.env.Getenv,
		GOOS:       a.goos(),
		Now:        a.env.Now,
		LookPath:   installer.PathLookup(a.env.Getenv, a.goos()),
		Version:    buildinfo.CodegraphVersion(),
		Executable: a.env.Executable,
	}
}

// accessible reports whether prompts should be plain lines: asked for
// (--accessible, ACCESSIBLE=1), or the terminal cannot draw the form
// (TERM=dumb, which also understands none of the queries a full-screen
// program sends, or a terminal that reports no size).
func (a *app) accessible(flag bool) bool {
	if flag {
		return true
	}
	v := strings.ToLower(strings.TrimSpace(a.env.Getenv("ACCESSIBLE")))
	if v != "" && v != "0" && v != "false" {
		return true
	}
	if a.env.Getenv("TERM") == "dumb" {
		return true
	}
	if a.env.TermSize != nil {
		if w, h := a.env.TermSize(); w <= 0 || h <= 0 {
			return true
		}
	}
	return false
}

// termWidth is the width of the terminal on stderr, 0 when there is none.
func (a *app) termWidth() int {
	if !a.env.StderrTTY || a.env.TermSize == nil {
		return 0
	}
	w, _ := a.env.TermSize()
	return w
}

// paths shortens paths on screen for the project in dir.
func (a *app) paths(dir string) tui.Paths { return tui.Paths{Home: a.env.Home, Project: dir} }

// interrupted ends a command that Ctrl+C (or SIGTERM) stopped while it
// changed agent files: each file is replaced whole or not at all, so what
// was not reported above is as it was, or holds an entry not yet checked.
func (a *app) interrupted(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	fmt.Fprint(a.env.Stderr, InterruptedMessage(a.env.Program))
	return exitcode.Silent(exitcode.Interrupted)
}

// InterruptedMessage is what a command stopped by Ctrl+C or SIGTERM says
// last, on stderr: from interrupted, or from Abandon.
func InterruptedMessage(program string) string {
	return "Interrupted: any agent not listed above was left as it was, or holds an entry that was not checked. Run " + program + " again to finish.\n"
}

// Abandon says what interrupted says, for main to end a command that did
// not stop by itself soon after Ctrl+C or SIGTERM (the largest config
// takes about 2 s to parse, and a parse does not look at the context),
// and returns the exit code: 130, as for every interrupt.
func Abandon(env Env) int {
	_, _ = io.WriteString(env.Stderr, InterruptedMessage(env.Program))
	return exitcode.Interrupted
}

// parse checks every flag: the request they make (the targets named, the
// scope, the server command), and the --telemetry choice, nil when absent.
func (f *installFlags) parse() (installer.Request, *bool, error) {
	targets, err := checkTargets(f.targets)
	if err != nil {
		return installer.Request{}, nil, err
	}
	scope := installer.ScopeGlobal
	if f.project != "" {
		scope = installer.ScopeLocal
	}
	if f.scope != "" {
		if scope, err = parseScope(f.scope); err != nil {
			return installer.Request{}, nil, err
		}
	}
	share, err := parseTelemetryFlag(f.telemetry)
	if err != nil {
		return installer.Request{}, nil, err
	}
	var server installer.Server
	if f.serverCommand != "" {
		if server, err = installer.ParseServerCommand(f.serverCommand); err != nil {
			return installer.Request{}, nil, exitcode.Usagef("--server-command: %v", err)
		}
	}
	if f.json && !f.yes {
		return installer.Request{}, nil, exitcode.Usagef("--json goes with --yes (a headless install)")
	}
	return installer.Request{Targets: targets, Scope: scope, Server: server}, share, nil
}

func (a *app) runInstall(cmd *cobra.Command, f *installFlags) (err error) {
	// An install refused before any agent file was touched records
	// nothing: not even its usage count, which would turn telemetry's
	// first send into the count of an install that did not happen.
	applying := false
	defer func() {
		if err != nil && !applying {
			a.uncounted = true
		}
	}()
	// Every flag is checked before anything is asked or written.
	req, share, err := f.parse()
	if err != nil {
		return err
	}
	targets, scope, server := req.Targets, req.Scope, req.Server
	interactive := !f.yes && !f.dryRun
	env, err := a.installerSetup(f.project, interactive, "no terminal for the interactive installer: run with --yes (and --targets, --scope) for a headless install")
	// No is stored as soon as it is given, whatever happens to the install
	// after it (a usage error aside, which creates no file; a dry run
	// writes nothing).
	if share != nil && !*share && !f.dryRun && !exitcode.IsUsage(err) && a.env.Home != "" {
		if cerr := a.storeNo(); cerr != nil {
			return cerr
		}
	}
	if err != nil {
		return err
	}
	// What would stop the install is checked before the first question.
	if server.Command == "" {
		if _, err := installer.InstalledBinary(env); err != nil {
			return err
		}
	}
	named := len(targets) > 0
	if !named {
		targets = installer.Detected(env)
	}
	plan := func(targets []string, scope installer.Scope) (*installer.Plan, error) {
		return installer.PlanInstall(env, installer.InstallOptions{Targets: targets, Scope: scope, Server: server})
	}

	if interactive {
		if targets, scope, share, err = a.askInstall(cmd.Context(), env, f, targets, scope, share, named, plan); err != nil {
			return err
		}
	} else if len(targets) == 0 {
		return exitcode.Usagef("no agents detected on this machine: name them with --targets (known: %s)", strings.Join(installer.TargetIDs(), ", "))
	}

	var proceed bool
	if scope, proceed, err = a.scopeInHome(cmd.Context(), env, scope, interactive, f.accessible); err != nil || !proceed {
		return err
	}
	p, err := plan(targets, scope)
	if err != nil {
		return err
	}
	if f.dryRun {
		a.uncounted = true
		fmt.Fprint(a.env.Stdout, p.Diff())
		fmt.Fprintln(a.env.Stderr, "Dry run: nothing was written.")
		if planFailed(p) {
			return exitcode.Silent(exitcode.Failure)
		}
		return nil
	}

	applying = true // finishInstall says itself when nothing was done
	return a.finishInstall(cmd.Context(), env, installer.Request{Targets: targets, Scope: scope, Server: server, Plan: p}, share, f.json)
}

// finishInstall stores a Yes, installs req and renders its report: the
// per-agent lines or --json, the next steps, and the install event. When
// it stops before any agent file was touched, the run is not counted.
func (a *app) finishInstall(ctx context.Context, env installer.Env, req installer.Request, share *bool, asJSON bool) error {
	// The consent choice is stored first: `--telemetry on` in the pro build
	// (or over a consent file that cannot be used) fails before any agent
	// file changes. No is the same off as `telemetry off`: the queue goes.
	if share != nil && *share {
		if err := a.choose(consent.InstallerYes); err != nil {
			a.uncounted = true
			return fmt.Errorf("your choice about %s could not be stored, so no agent was configured: %w", consent.UsageName, err)
		}
	}

	rep, err := installer.Install(ctx, env, req)
	if err != nil {
		a.uncounted = true
		return err
	}
	if rep.Copied != "" {
		// Short: a line a terminal wraps mid-word reads badly.
		fmt.Fprint(a.env.Stderr, tui.Wrap(fmt.Sprintf("Copied codegraph to %s for your agents (%s).", a.homeRelative(rep.Copied), rep.CopiedWhy), a.termWidth()))
		if rep.Linked != "" {
			fmt.Fprintf(a.env.Stderr, "Linked %s to it, so that codegraph runs in your shell.\n", a.homeRelative(rep.Linked))
		}
	}
	if err := a.printReport(rep, env, asJSON); err != nil {
		return err
	}
	if err := a.interrupted(ctx); err != nil {
		return err
	}
	a.printNextSteps(env, req.Scope, rep.Results)
	if done := rep.Done(); len(done) > 0 {
		a.tel.Emit(telemetry.InstallEvent(done, req.Scope, rep.Kind))
		a.flushCapped(ctx)
	}
	if rep.Failed() {
		return exitcode.Silent(exitcode.Failure)
	}
	return nil
}

// askInstall asks the form's questions: which agents (a detected agent
// whose config cannot be edited is shown with the reason, not
// pre-selected, so Enter through the defaults never ends in a failure),
// which scope, and about usage data when no choice is stored. A No is
// stored as soon as it is given.
func (a *app) askInstall(ctx context.Context, env installer.Env, f *installFlags, targets []string, scope installer.Scope, share *bool, named bool, plan func([]string, installer.Scope) (*installer.Plan, error)) ([]string, installer.Scope, *bool, error) {
	store := a.tel.Consent()
	broken := map[string]string{}
	if !named {
		if p, err := plan(targets, scope); err == nil {
			targets = targets[:0:0]
			for _, c := range p.Changes {
				if fe := (*installer.FileError)(nil); c.Action == installer.ActionError && errors.As(c.Err, &fe) {
					broken[c.Target] = "(" + brokenReason(fe) + ")"
				} else {
					targets = append(targets, c.Target)
				}
			}
		}
	}
	ask, preset := false, false
	if share == nil {
		ask, preset = store.InstallerQuestion()
	}
	ans, err := tui.Run(ctx, tui.Config{
		Selected:     targets,
		Named:        named,
		Broken:       broken,
		Scope:        scope,
		ProjectDir:   env.ProjectDir,
		AskConsent:   ask,
		ShareDefault: preset,
		ConsentNote:  envOverrideNote(store.Resolve()),
		Home:         a.env.Home,
		Plan: func(ans tui.Answers) (*installer.Plan, error) {
			return plan(ans.Targets, ans.Scope)
		},
		Version:    buildinfo.CodegraphVersion(),
		Accessible: a.accessible(f.accessible),
		Environ:    tui.Environ(a.env.Getenv),
	}, a.env.Stdin, a.formOutput(f.accessible))
	switch {
	case errors.Is(err, tui.ErrCancelled), errors.Is(err, tui.ErrInterrupted):
		return nil, "", nil, a.cancelled(err)
	case errors.Is(err, tui.ErrNoTargets):
		a.uncounted = true
		fmt.Fprintln(a.env.Stderr, "No agents selected: nothing was changed.")
		return nil, "", nil, exitcode.Silent(exitcode.Failure)
	case err != nil:
		return nil, "", nil, err
	}
	if ans.ShareUsage != nil {
		share = ans.ShareUsage
		if !*share {
			if err := a.storeNo(); err != nil {
				return nil, "", nil, err
			}
		}
	}
	return ans.Targets, ans.Scope, share, nil
}

// storeNo stores the installer's No (the form's toggle, --telemetry off):
// the same off as `telemetry off`, the queue deleted with it.
func (a *app) storeNo() error {
	if err := a.choose(consent.InstallerNo); err != nil {
		return fmt.Errorf("your choice about %s could not be stored, so no agent was configured: %w", consent.UsageName, err)
	}
	return nil
}

// printNextSteps ends an install with what to do now (stderr: it is
// guidance, not the result the user asked for).
func (a *app) printNextSteps(env installer.Env, scope installer.Scope, results []installer.Result) {
	// Every command printed runs as printed, however codegraph came here.
	program := installer.CommandName(env)
	undo := program + " uninstall --scope " + string(scope)
	if scope == installer.ScopeLocal && env.ProjectDir != a.env.Cwd {
		undo += " --project " + installer.ShellQuote(env.ProjectDir)
	}
	// Backups are mentioned only when this run replaced a file.
	backups := ""
	for _, r := range results {
		if r.OK() && r.Action == installer.ActionModify {
			backups = statedir.ForHome(env.Home).Backups()
		}
	}
	// Project files are usually committed: a path of this machine in one
	// works for nobody else, and the user should know before committing.
	if scope == installer.ScopeLocal {
		for _, r := range results {
			if r.OK() && r.Server != nil && filepath.IsAbs(r.Server.Command) && (r.Action == installer.ActionCreate || r.Action == installer.ActionModify) {
				fmt.Fprintf(a.env.Stderr, "Note: %s now names %s, a path of this machine: teammates who use this file need codegraph there too, or run the installer (--scope local) in their own checkout.\n",
					a.paths(env.ProjectDir).Show(r.Path), a.homeRelative(r.Server.Command))
			}
		}
	}
	w := tui.Writer(a.env.Stderr, a.env.StderrTTY, a.env.Getenv)
	_, _ = io.WriteString(w, tui.NextSteps(tui.Done{
		Results:   results,
		Paths:     a.paths(env.ProjectDir),
		Program:   program,
		Uninstall: undo,
		Backups:   backups,
		Width:     a.termWidth(),
	}))
}

// cancelled ends a command whose form was cancelled (Cancel, Esc, the end
// of input, Ctrl+C): nothing was stored, and nothing is recorded, not even
// this command's usage count, so no file is created. Every way of
// cancelling exits 130, as gum does for an aborted prompt: a script can
// tell "the user stopped it" from a failure (1) by one code.
func (a *app) cancelled(error) error {
	a.uncounted = true
	fmt.Fprintln(a.env.Stderr, "Cancelled: nothing was changed.")
	return exitcode.Silent(exitcode.Interrupted)
}

// envOverrideNote says, next to the installer's question, when an
// environment variable decides instead of the answer.
func envOverrideNote(d consent.Decision) string {
	switch d.DecidedBy {
	case consent.ByDoNotTrack, consent.ByEnv:
		return "Note: " + d.Reason + " in this environment; while it is set, it wins over this answer."
	}
	return ""
}

// formOutput is where prompts go: accessible prompts are plain lines on
// stdout (what screen readers follow); the full-screen form draws on stderr,
// keeping stdout for results.
func (a *app) formOutput(accessibleFlag bool) io.Writer {
	if a.accessible(accessibleFlag) {
		return a.env.Stdout
	}
	return a.env.Stderr
}

func planFailed(p *installer.Plan) bool {
	for _, c := range p.Changes {
		if c.Action == installer.ActionError {
			return true
		}
	}
	return false
}

func capitalizeFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// brokenReason is the short reason shown beside an agent whose config
// cannot be edited: the syntax, a limit, a link out of the project.
func brokenReason(fe *installer.FileError) string {
	what := fe.What
	if i := strings.IndexAny(what, "(;,"); i > 0 {
		what = what[:i]
	}
	return "its config " + strings.TrimSpace(what)
}
