package installcli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
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
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          usageArgs(cobra.NoArgs),
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	a.addInstallFlags(root)
	root.AddCommand(
		a.versionCommand(),
		a.telemetryCommand(),
		a.uninstallCommand(),
		a.initCommand(),
		a.uninitCommand(),
		a.serveCommand(),
	)
	root.CompletionOptions.HiddenDefaultCmd = true
	return root
}

// usageArgs turns cobra's argument errors into usage errors (exit 2).
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.env.Stdout, "%s %s\ncommit: %s\ngo: %s\n", a.env.Program, buildinfo.CodegraphVersion(), buildinfo.CommitHash(), runtime.Version())
			return nil
		},
	}
}
