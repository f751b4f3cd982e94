package installcli

import (
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
)

// rootCommand builds the command tree for a run with args. When args start
// with a subcommand's name, only that subcommand (with its children) is
// built: cobra then finds and runs it without the rest, and a process that
// prints its version no longer formats the installer's flags and help
// and builds eight commands it never looks at. Any other start (none, a
// flag, help, completion, a mistyped name that deserves a suggestion)
// builds the whole tree.
func (a *app) rootCommand(args []string) *cobra.Command {
	root := &cobra.Command{
		Use:   a.env.Program,
		Short: "Register codegraph's MCP server with your AI coding agents",
		Long: `Registers codegraph's MCP server with your AI coding agents (Claude Code,
Cursor, Codex, opencode, …), locally for one project or globally for your
user, without damaging their config files.

Run it without arguments in a terminal for the interactive installer, or
with --yes for a headless install.`,
	}
	subcommands := []struct {
		name  string
		build func() *cobra.Command
	}{
		{"version", a.versionCommand},
		{"telemetry", a.telemetryCommand},
		{"uninstall", a.uninstallCommand},
		{"init", a.initCommand},
		{"uninit", a.uninitCommand},
		{"serve", a.serveCommand},
		{"doctor", a.doctorCommand},
	}
	only := ""
	if len(args) > 0 {
		for _, sc := range subcommands {
			if sc.name == args[0] {
				only = sc.name
			}
		}
	}
	if only == "" {
		// --version on the root prints what `version` prints; like --help it
		// is not a command run, so it is not counted.
		root.Version = buildinfo.CodegraphVersion()
		root.SetVersionTemplate(a.versionText())
		if a.env.Program == "codegraph" {
			root.Long = `codegraph's own commands are listed below. The installer, which registers
codegraph's MCP server with your AI coding agents, is codegraph-install
(interactive in a terminal), or codegraph with --yes for a headless install.`
		}
		a.addInstallFlags(root)
		a.addListTargetsFlag(root)
		if a.env.Program == "codegraph" {
			// `codegraph` alone is someone looking for codegraph's own
			// commands: it lists them; the installer is codegraph-install
			// (or `codegraph` with the installer's flags).
			install := root.RunE
			root.RunE = func(cmd *cobra.Command, args []string) error {
				if cmd.Flags().NFlag() == 0 {
					a.uncounted = true
					return cmd.Help()
				}
				return install(cmd, args)
			}
		}
	}
	for _, sc := range subcommands {
		if only == "" || sc.name == only {
			root.AddCommand(sc.build())
		}
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	// Cobra builds its `completion` command, with four long help texts, in
	// every process; only a run that may reach it needs it.
	root.CompletionOptions.DisableDefaultCmd = !mayNeedCompletion(args)
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
