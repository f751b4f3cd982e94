package installcli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
)

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   a.env.Program,
		Short: "Register codegraph's MCP server with your AI coding agents",
		Long: `Registers codegraph's MCP server with your AI coding agents (Claude Code,
Cursor, Codex, opencode, …), locally for one project or globally for your
user, without damaging their config files.

Run it without arguments in a terminal for the interactive installer, or
with --yes for a headless install.`,
	}
	a.addInstallFlags(root)
	a.addListTargetsFlag(root)
	root.AddCommand(
		a.versionCommand(),
		a.telemetryCommand(),
		a.uninstallCommand(),
		a.initCommand(),
		a.uninitCommand(),
		a.serveCommand(),
		a.doctorCommand(),
	)
	root.CompletionOptions.HiddenDefaultCmd = true
	exitcode.Prepare(root)
	return root
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Args:  exitcode.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.env.Stdout, "%s %s\ncommit: %s\ngo: %s\n", a.env.Program, buildinfo.CodegraphVersion(), buildinfo.CommitHash(), runtime.Version())
			return nil
		},
	}
}
