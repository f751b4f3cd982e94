package installcli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/getcodegraph/codegraph-install/installer"
	"github.com/getcodegraph/codegraph-install/installer/tui"
)

// printReport renders what an install or uninstall did: with --json, the
// one JSON object on stdout; otherwise a line per agent on stdout (styled
// on a terminal), then on stderr the error of the run as a whole and, when
// something failed among several, the count ("5 installed, 1 failed"). A
// change that Ctrl+C stopped before it was done is not a failure of that
// agent: it is left out, and interrupted says what it means.
func (a *app) printReport(rep installer.Report, env installer.Env, asJSON bool) error {
	if rep.Err != nil {
		defer fmt.Fprintf(a.env.Stderr, "%s: %v\n", a.env.Program, rep.Err)
	}
	if asJSON {
		return rep.WriteJSON(a.env.Stdout)
	}
	shown := rep.Results[:0:0]
	for _, r := range rep.Results {
		if !errors.Is(r.Err, context.Canceled) {
			shown = append(shown, r)
		}
	}
	w := tui.Writer(a.env.Stdout, a.env.StdoutTTY, a.env.Getenv)
	_, _ = io.WriteString(w, tui.RenderResults(shown, a.paths(env.ProjectDir)))
	if rep.Failed() && len(rep.Results) > 1 {
		fmt.Fprintln(a.env.Stderr, capitalizeFirst(rep.Summary())+".")
	}
	return nil
}
