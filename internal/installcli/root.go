package installcli

import (
	"fmt"
	"io"
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
	// --version on the root prints what `version` prints; like --help it is
	// not a command run, so it is not counted.
	root.Version = buildinfo.CodegraphVersion()
	root.SetVersionTemplate(a.versionText())
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

// versionInfo is `version --json`.
type versionInfo struct {
	Program string `json:"program"`
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
}

func (a *app) versionInfo() versionInfo {
	return versionInfo{Program: a.env.Program, Version: buildinfo.CodegraphVersion(), Commit: buildinfo.CommitHash(), Go: runtime.Version()}
}

func (a *app) versionText() string {
	v := a.versionInfo()
	return fmt.Sprintf("%s %s\ncommit: %s\ngo: %s\n", v.Program, v.Version, v.Commit, v.Go)
}

func (a *app) versionCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version (also --version)",
		Args:  exitcode.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON {
				return writeJSON(a.env.Stdout, a.versionInfo())
			}
			_, err := io.WriteString(a.env.Stdout, a.versionText())
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object: program, version, commit, go")
	return cmd
}
