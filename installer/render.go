package installer

import (
	"fmt"
	"strings"

	"github.com/aymanbagabas/go-udiff"
)

// Diff renders the plan as unified diffs, one per changed file, for
// --dry-run. Unchanged and refused files are listed as comments. Values
// that look like secrets, in our entry and its neighbours alike, are
// shown as <redacted> (see redact.go): a dry run's output is pasted into
// issues and CI logs.
func (p *Plan) Diff() string {
	var sb strings.Builder
	for _, c := range p.Changes {
		switch c.Action {
		case ActionError:
			fmt.Fprintf(&sb, "# %s: %s\n", c.Target, c.Message) // the message says nothing was changed
		case ActionUnchanged:
			fmt.Fprintf(&sb, "# %s: %s already up to date\n", c.Target, DisplayPath(p.home, c.Path))
		case ActionPaste:
			fmt.Fprintf(&sb, "# %s: nothing is written; paste this in %s:\n", c.Target, c.Message)
			for _, line := range strings.Split(strings.TrimRight(string(c.After), "\n"), "\n") {
				sb.WriteString("#   " + line + "\n")
			}
		default:
			// Labels name the file as its owner does (~/...); the content
			// is the file's own, home paths and all.
			oldLabel, newLabel := DisplayPath(p.home, c.Path), DisplayPath(p.home, c.Path)
			if c.Before == nil {
				oldLabel = "/dev/null"
			}
			if c.Action == ActionDelete {
				newLabel = "/dev/null"
			}
			d := udiff.Unified(oldLabel, newLabel, string(Redact(c.Format, c.Before)), string(Redact(c.Format, c.After)))
			if d == "" {
				// Only redacted values differ: say so rather than print nothing.
				fmt.Fprintf(&sb, "# %s: %s changes only values hidden in this output\n", c.Target, DisplayPath(p.home, c.Path))
			}
			sb.WriteString(d)
		}
	}
	return sb.String()
}
