package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// installFlags are the headless installer's flags (CONTRACT §3).
type installFlags struct {
	yes           bool
	targets       []string
	scope         string
	telemetry     string
	project       string
	serverCommand string
	dryRun        bool
	accessible    bool
}

func (a *app) addInstallFlags(root *cobra.Command) {
	f := &installFlags{}
	fs := root.Flags()
	fs.BoolVarP(&f.yes, "yes", "y", false, "install without asking (headless)")
	fs.StringSliceVar(&f.targets, "targets", nil, "agents to configure, comma-separated (default: the detected ones)")
	fs.StringVar(&f.scope, "scope", "", "local (this project) or global (your user)")
	fs.StringVar(&f.telemetry, "telemetry", "", "on or off: store your choice about anonymous usage data")
	fs.StringVar(&f.project, "project", "", "project directory for local scope (default: the current directory)")
	fs.StringVar(&f.serverCommand, "server-command", "", `command the agents run (default "codegraph serve --mcp")`)
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the changes as diffs and write nothing")
	fs.BoolVar(&f.accessible, "accessible", false, "screen-reader friendly prompts (also ACCESSIBLE=1)")
	root.RunE = func(cmd *cobra.Command, _ []string) error { return a.runInstall(cmd, f) }
}

func (a *app) runInstall(cmd *cobra.Command, f *installFlags) error {
	if !f.yes && !a.env.StdinTTY {
		return Usagef("no terminal for the interactive installer: run with --yes (and --targets, --scope) for a headless install")
	}
	return errors.New("installer: not wired yet")
}

func (a *app) uninstallCommand() *cobra.Command {
	return &cobra.Command{Use: "uninstall", Short: "Remove what the installer added", Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error { return errors.New("uninstall: not wired yet") }}
}

func (a *app) uninitCommand() *cobra.Command {
	return &cobra.Command{Use: "uninit [DIR]", Short: "Undo init and the local install in DIR", Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(*cobra.Command, []string) error { return errors.New("uninit: not wired yet") }}
}
