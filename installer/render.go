package installer

import (
	"fmt"
	"strings"

	"github.com/aymanbagabas/go-udiff"
)

// Diff renders the plan as unified diffs, one per changed file, for
// --dry-run. Unchanged and refused files are listed as comments.
func (p *Plan) Diff() string {
	var sb strings.Builder
	for _, c := range p.Changes {
		switch c.Action {
		case ActionError:
			fmt.Fprintf(&sb, "# %s: not changed: %s\n", c.Target, c.Message)
		case ActionUnchanged:
			fmt.Fprintf(&sb, "# %s: %s already up to date\n", c.Target, c.Path)
		default:
			oldLabel, newLabel := c.Path, c.Path
			if c.Before == nil {
				oldLabel = "/dev/null"
			}
			if c.Action == ActionDelete {
				newLabel = "/dev/null"
			}
			sb.WriteString(udiff.Unified(oldLabel, newLabel, string(c.Before), string(c.After)))
		}
	}
	return sb.String()
}
