package installcli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
	"github.com/getcodegraph/codegraph-install/internal/doctor"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
)

func (a *app) doctorCommand() *cobra.Command {
	var asJSON bool
	var project string
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check that every installed codegraph entry starts",
		Long: `For every agent config that holds a codegraph entry (or that the install
manifest lists), globally and locally for the project (--project, default
the current directory): reads the file as the agent does, resolves the
command on the PATH that agent gets (apps started from a dock or menu do
not get your shell's PATH), starts it with that agent's environment, and
completes an MCP initialize and tools/list within 5 s. Prints ✓ or ✗ with
the next step for each entry.

Only codegraph as codegraph-install wrote it is started: an entry under
the codegraph key that an install record under ~/.codegraph does not
account for (a project's config comes with the project, and can name any
program) is shown, not run.

The check sends nothing: the servers it starts run with
CODEGRAPH_TELEMETRY=0.

Exit codes: 0 every entry starts, 1 one does not, was not started, or
none is installed.`,
		Args: exitcode.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.needHome(); err != nil {
				return err
			}
			dir, err := a.resolveDir(project)
			if err != nil {
				return err
			}
			checks, err := doctor.Run(cmd.Context(), doctor.Options{
				Env:     a.installerEnv(dir),
				Environ: a.environ(),
				Version: buildinfo.CodegraphVersion(),
			})
			if err != nil {
				return err
			}
			ok := len(checks) > 0
			for _, c := range checks {
				ok = ok && c.OK
			}
			if asJSON {
				if checks == nil {
					checks = []doctor.Check{}
				}
				enc := json.NewEncoder(a.env.Stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				if err := enc.Encode(struct {
					OK      bool           `json:"ok"`
					Project string         `json:"project"`
					Checks  []doctor.Check `json:"checks"`
				}{ok, dir, checks}); err != nil {
					return err
				}
			} else {
				a.printChecks(checks, dir)
			}
			if !ok {
				return exitcode.Silent(exitcode.Failure)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	cmd.Flags().StringVar(&project, "project", "", "project whose local entries to check too (default: the current directory)")
	return cmd
}

func (a *app) printChecks(checks []doctor.Check, dir string) {
	// Files and commands are named as their owner names them: ~/… (the
	// JSON report keeps the absolute paths).
	var w strings.Builder
	defer func() { _, _ = io.WriteString(a.env.Stdout, a.homeRelative(w.String())) }()
	if len(checks) == 0 {
		fmt.Fprintf(&w, "No codegraph entry found in any agent's config (global, or local to %s): run %s first.\n", dir, a.env.Program)
		return
	}
	failed, skipped := 0, 0
	for _, c := range checks {
		head := fmt.Sprintf("%s (%s)", c.Agent, c.Scope)
		if c.NotStarted {
			// Shown, never run: see doctor.ours.
			skipped++
			fmt.Fprintf(&w, "- %s: %s; %s:\n    %s\n    in %s\n", head, c.Problem, c.Next, strings.Join(c.Command, " "), c.Config)
			continue
		}
		if c.OK {
			tools := "tools"
			if c.Tools == 1 {
				tools = "tool"
			}
			fmt.Fprintf(&w, "✓ %s: %d %s in %d ms\n    %s runs %s\n", head, c.Tools, tools, c.Millis, c.Config, strings.Join(c.Command, " "))
			continue
		}
		failed++
		fmt.Fprintf(&w, "✗ %s: %s: %s\n    in %s\n", head, c.Problem, c.Next, c.Config)
	}
	switch {
	case failed == 0 && skipped == 0 && len(checks) == 1:
		fmt.Fprintln(&w, "The entry starts.")
	case failed == 0 && skipped == 0:
		fmt.Fprintf(&w, "All %d entries start.\n", len(checks))
	case failed > 0:
		fmt.Fprintf(&w, "%d of %d entries do not start.\n", failed, len(checks))
	}
	if skipped > 0 {
		fmt.Fprintf(&w, "%d of %d entries were not started: codegraph-install did not write them.\n", skipped, len(checks))
	}
}

// environ is the environment an agent started from this shell passes on,
// read through the injected lookup (so tests stay hermetic), with HOME
// (and USERPROFILE on Windows) the home directory the commands use.
func (a *app) environ() []string {
	keys := []string{"PATH", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TERM", "TMPDIR", "TEMP", "TMP",
		"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY",
		"APPDATA", "LOCALAPPDATA", "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC", "PATHEXT", "PROGRAMDATA"}
	seen := map[string]bool{"HOME": true, "USERPROFILE": true}
	for _, kv := range os.Environ() {
		if k, _, ok := strings.Cut(kv, "="); ok {
			keys = append(keys, k)
		}
	}
	out := []string{"HOME=" + a.env.Home}
	if runtime.GOOS == "windows" {
		out = append(out, "USERPROFILE="+a.env.Home)
	}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if v := a.env.Getenv(k); v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}
