package installcli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/internal/census"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/safefile"
	"github.com/getcodegraph/codegraph-install/telemetry"
)

func (a *app) initCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Take the project's language census into DIR/.codegraph/ (headless, never prompts)",
		Long: `Walks DIR (default: the current directory), honouring .gitignore and leaving
out vendored, generated and hidden trees, counts files per language, and writes
DIR/.codegraph/census.json. Never prompts. Progress goes to stderr when it is
a terminal.`,
		Args: exitcode.Args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := ""
			if len(args) == 1 {
				arg = args[0]
			}
			dir, err := a.resolveDir(arg)
			if err != nil {
				return err
			}
			opts := census.Options{Now: a.env.Now}
			if a.env.StderrTTY {
				opts.Progress = func(n int) { fmt.Fprintf(a.env.Stderr, "\rcodegraph init: %d files", n) }
			}
			res, err := census.Take(cmd.Context(), dir, opts)
			if a.env.StderrTTY {
				fmt.Fprint(a.env.Stderr, "\r\033[K")
			}
			if err != nil {
				if cmd.Context().Err() != nil {
					return err // interrupted: exitcode says so
				}
				return fmt.Errorf("could not count the files in %s (%s); nothing was written. Check that you can read that directory, then run %s init again",
					dir, a.censusReason(err), a.env.Program)
			}
			if err := census.Write(dir, res); err != nil {
				if oe := (*safefile.OutsideError)(nil); errors.As(err, &oe) {
					return fmt.Errorf("%s, so the census was not written there. Replace the link with a real folder inside the project, then run %s init again",
						a.homeRelative(oe.Error()), a.env.Program)
				}
				return fmt.Errorf("could not write %s (%s); the census was not saved. Check that you can write to %s, then run %s init again",
					census.Path(dir), a.censusReason(err), filepath.Dir(census.Path(dir)), a.env.Program)
			}
			fmt.Fprintf(a.env.Stdout, "Counted %d files in %s: %s\nCensus written to %s\n",
				res.Total, res.Duration.Round(time.Millisecond), languageSummary(res), a.homeRelative(census.Path(dir)))
			a.tel.Emit(telemetry.IndexEvent(res.RankedSchemaLanguages(), res.Total, res.Duration))
			a.flushCapped(cmd.Context())
			return nil
		},
	}
}

// languageSummary is the census in one line, biggest language first.
func languageSummary(res census.Result) string {
	if len(res.SchemaLanguages) == 0 {
		return "no source files"
	}
	var parts []string
	for _, id := range res.RankedSchemaLanguages() {
		parts = append(parts, fmt.Sprintf("%s %d", id, res.SchemaLanguages[id]))
	}
	return strings.Join(parts, ", ")
}
