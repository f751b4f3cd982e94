package installcli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/installer"
	"github.com/getcodegraph/codegraph-install/internal/census"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/safefile"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry"
)

func (a *app) uninitCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "uninit [DIR]",
		Short: "Undo init and the local install in DIR",
		Long: `Undoes the local-scope install in DIR that your own install recorded
under ~/.codegraph (if any; a DIR/.codegraph/install.json that came with
the project is never acted on) and removes what init wrote: DIR/.codegraph/census.json, then
DIR/.codegraph itself when nothing else is left in it. Other files are
never touched. DIR defaults to the current directory. Never prompts.`,
		Args: exitcode.Args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			return a.runUninit(cmd.Context(), dir)
		},
	}
}

func (a *app) runUninit(ctx context.Context, arg string) error {
	dir, err := a.resolveDir(arg)
	if err != nil {
		return err
	}
	env := a.installerEnv(dir)
	failed := false
	p, err := installer.PlanUninstall(env, installer.UninstallOptions{Scope: installer.ScopeLocal})
	if err != nil {
		return err
	}
	a.unrecordedNote(p)
	if len(p.Changes) > 0 {
		rep := installer.Uninstall(ctx, env, []*installer.Plan{p})
		if err := a.printReport(rep, env, false); err != nil {
			return err
		}
		failed = rep.Failed()
		if err := a.interrupted(ctx); err != nil {
			return err
		}
	}
	// Apply removed install.json once every entry was undone; when some
	// failed it stays, so a later uninstall can finish the job, and so
	// does the state directory holding it.
	removal, err := census.Remove(dir)
	if oe := (*safefile.OutsideError)(nil); errors.As(err, &oe) {
		fmt.Fprintf(a.env.Stderr, "%s: %s, so nothing was deleted through it.\n", a.env.Program, a.homeRelative(oe.Error()))
		failed = true
		removal = census.DirLinkedOut
	} else if err != nil {
		fmt.Fprintf(a.env.Stderr, "%s: %s could not be removed (%s): delete it by hand.\n",
			a.env.Program, a.homeRelative(census.Path(dir)), a.censusReason(err))
		failed = true
	}
	stateDir := statedir.ForProject(dir).Root()
	switch removal {
	case census.DirRemoved:
		fmt.Fprintf(a.env.Stdout, "Removed %s\n", a.homeRelative(stateDir))
	case census.NothingThere:
		if len(p.Changes) == 0 {
			fmt.Fprintf(a.env.Stderr, "Nothing to undo in %s.\n", a.homeRelative(dir))
		}
	case census.DirKept:
		fmt.Fprintf(a.env.Stderr, "Kept %s: it is not empty.\n", a.homeRelative(stateDir))
	}
	a.tel.Emit(telemetry.UninstallEvent(nil))
	a.flushCapped(ctx)
	if failed {
		return exitcode.Silent(exitcode.Failure)
	}
	return nil
}
