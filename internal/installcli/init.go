package installcli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/internal/census"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
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
			dir, err := a.projectDir(args)
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
				return err
			}
			if err := census.Write(dir, res); err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "Counted %d files in %s: %s\nCensus written to %s\n",
				res.Total, res.Duration.Round(time.Millisecond), languageSummary(res.SchemaLanguages), census.Path(dir))
			a.tel.Emit(telemetry.IndexEvent(topLanguages(res.SchemaLanguages, 32), res.Total, res.Duration))
			a.flushCapped(cmd.Context())
			return nil
		},
	}
}

// projectDir resolves the optional DIR argument against the working
// directory and checks that it is a directory we can read.
func (a *app) projectDir(args []string) (string, error) {
	dir := a.env.Cwd
	if len(args) == 1 {
		dir = args[0]
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(a.env.Cwd, dir)
		}
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%s does not exist", dir)
	case err != nil:
		return "", fmt.Errorf("cannot read %s: %w", dir, err)
	case !fi.IsDir():
		return "", fmt.Errorf("%s is not a directory", dir)
	}
	return dir, nil
}

// topLanguages orders schema language ids by file count (then name) and
// keeps the first max: the schema caps the list, and the biggest languages
// are the ones that matter for extractor work.
func topLanguages(counts map[string]int, max int) []string {
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if counts[ids[i]] != counts[ids[j]] {
			return counts[ids[i]] > counts[ids[j]]
		}
		return ids[i] < ids[j]
	})
	if len(ids) > max {
		ids = ids[:max]
	}
	return ids
}

func languageSummary(counts map[string]int) string {
	if len(counts) == 0 {
		return "no source files"
	}
	var parts []string
	for _, id := range topLanguages(counts, len(counts)) {
		parts = append(parts, fmt.Sprintf("%s %d", id, counts[id]))
	}
	return strings.Join(parts, ", ")
}
