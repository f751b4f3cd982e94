package installcli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/installer"
	"github.com/getcodegraph/codegraph-install/installer/tui"
	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry"
)

type uninstallFlags struct {
	yes        bool
	targets    []string
	scope      string
	project    string
	dryRun     bool
	accessible bool
	json       bool
}

func (a *app) uninstallCommand() *cobra.Command {
	f := &uninstallFlags{}
	cmd := &cobra.Command{
		Use:   "uninstall",
		Short: "Remove what the installer added",
		Long: `Removes exactly what the install manifest (install.json) records: our
entry in each agent's config file, restoring what was there before, and
files or directories the installer created.

Without --scope, both scopes are undone: the global one (~/.codegraph) and
the local one of the project (--project, default the current directory).
In a terminal it asks first; elsewhere it needs --yes (or --dry-run).`,
		Args: exitcode.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runUninstall(cmd, f) },
	}
	fs := cmd.Flags()
	fs.BoolVarP(&f.yes, "yes", "y", false, "remove without asking")
	fs.StringSliceVar(&f.targets, "targets", nil, "only these agents, comma-separated (default: all recorded)")
	fs.StringVar(&f.scope, "scope", "", "local or global (default: both)")
	fs.StringVar(&f.project, "project", "", "project directory of a local install (default: the current directory)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the changes as diffs and write nothing")
	fs.BoolVar(&f.accessible, "accessible", false, "screen-reader friendly prompts (also ACCESSIBLE=1)")
	fs.BoolVar(&f.json, "json", false, "with --yes: print the result as one JSON object on stdout")
	return cmd
}

func (a *app) runUninstall(cmd *cobra.Command, f *uninstallFlags) error {
	targets, err := checkTargets(f.targets)
	if err != nil {
		return err
	}
	scopes := []installer.Scope{installer.ScopeGlobal, installer.ScopeLocal}
	if f.scope != "" {
		s, err := parseScope(f.scope)
		if err != nil {
			return err
		}
		scopes = []installer.Scope{s}
	}
	if f.json && !f.yes {
		return exitcode.Usagef("--json goes with --yes (a headless uninstall)")
	}
	interactive := !f.yes && !f.dryRun
	env, err := a.installerSetup(f.project, interactive, "no terminal to confirm the uninstall: run with --yes (or --dry-run to see what it would do)")
	if err != nil {
		return err
	}
	if installer.ProjectIsHome(env) {
		// In the home directory the local manifest is the global one.
		if f.scope == string(installer.ScopeLocal) {
			return exitcode.Usagef("--scope local in your home directory (%s) is the global install: use --scope global, or --project DIR for a project", env.Home)
		}
		scopes = []installer.Scope{installer.ScopeGlobal}
	}
	var plans []*installer.Plan
	var summary strings.Builder
	for _, s := range scopes {
		p, err := installer.PlanUninstall(env, installer.UninstallOptions{Targets: targets, Scope: s})
		if err != nil {
			return err
		}
		a.unrecordedNote(p)
		if len(p.Changes) > 0 {
			plans = append(plans, p)
			summary.WriteString(tui.PlanText(p, a.paths(env.ProjectDir)))
		}
	}
	if len(plans) == 0 {
		if f.json {
			if err := (installer.Report{Op: installer.OpUninstall}).WriteJSON(a.env.Stdout); err != nil {
				return err
			}
		}
		var where []string
		for _, s := range scopes {
			where = append(where, a.homeRelative(installer.ManifestPath(env, s)))
		}
		fmt.Fprintf(a.env.Stderr, "Nothing to uninstall: no codegraph entry is recorded in %s.\n", strings.Join(where, " or "))
		return nil
	}
	if f.dryRun {
		a.uncounted = true
		for _, p := range plans {
			fmt.Fprint(a.env.Stdout, p.Diff())
		}
		fmt.Fprintln(a.env.Stderr, "Dry run: nothing was written.")
		return nil
	}
	if interactive {
		err := tui.Confirm(cmd.Context(), tui.ConfirmOptions{
			Title:      "Remove codegraph?",
			Details:    summary.String(),
			Yes:        "Remove",
			No:         "Cancel",
			Version:    buildinfo.CodegraphVersion(),
			Banner:     "uninstall",
			Accessible: a.accessible(f.accessible),
			Environ:    tui.Environ(a.env.Getenv),
		}, a.env.Stdin, a.formOutput(f.accessible))
		switch {
		case errors.Is(err, tui.ErrCancelled), errors.Is(err, tui.ErrInterrupted):
			return a.cancelled(err)
		case err != nil:
			return err
		}
	}
	rep := installer.Uninstall(cmd.Context(), env, plans)
	if err := a.printReport(rep, env, f.json); err != nil {
		return err
	}
	removed := rep.Done()
	a.tel.Emit(telemetry.UninstallEvent(removed))
	if err := a.interrupted(cmd.Context()); err != nil {
		return err
	}
	if len(removed) > 0 && !f.json {
		// The one thing left to do: agents that are running keep the
		// server they started until they restart.
		var names []string
		for _, id := range removed {
			if t, ok := installer.TargetByID(id); ok {
				names = append(names, t.Name)
			}
		}
		fmt.Fprintf(a.env.Stderr, "\nNext: restart %s, so that it stops starting codegraph.\n", joinNames(names))
	}
	a.flushCapped(cmd.Context())
	if rep.Failed() {
		return exitcode.Silent(exitcode.Failure)
	}
	return nil
}

// unrecordedNote says why a project's own .codegraph/install.json was not
// acted on (installer.Plan.Unrecorded): uninstall restores and deletes
// only what this user's install records under ~/.codegraph name.
func (a *app) unrecordedNote(p *installer.Plan) {
	if p.Unrecorded == "" {
		return
	}
	fmt.Fprintf(a.env.Stderr, "%s was not written by an install of yours (no record of one in %s), so nothing was restored or deleted for it: it came with the project, or from another machine. Remove codegraph entries from the project's agent files by hand if you do not want them.\n",
		a.homeRelative(p.Unrecorded), a.homeRelative(statedir.ForHome(a.env.Home).LocalInstalls()))
}

// joinNames is "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
