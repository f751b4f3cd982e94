package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/getcodegraph/codegraph-install/installer"
)

// TestNextStepsWrapBetweenWords: the next steps of an install into many
// agents fit the terminal, breaking only between words (a line of 122
// columns was cut mid-word by an 80-column terminal), and the text read
// line after line is the same sentence.
func TestNextStepsWrapBetweenWords(t *testing.T) {
	t.Parallel()
	var results []installer.Result
	for _, id := range installer.TargetIDs() {
		results = append(results, installer.Result{Target: id, Path: "/home/ada/x", Action: installer.ActionModify, Op: installer.OpInstall})
	}
	d := Done{Results: results, Paths: Paths{Home: "/home/ada"}, Program: "codegraph",
		Uninstall: "codegraph uninstall --scope global --targets " + strings.Join(installer.TargetIDs(), ",")}
	for _, width := range []int{0, 40, 60, 80, 200} {
		out := ansi.Strip(NextSteps(Done{Results: d.Results, Paths: d.Paths, Program: d.Program, Uninstall: d.Uninstall, Width: width}))
		limit := width
		if limit <= 0 || limit > 80 {
			limit = 80
		}
		for _, line := range strings.Split(out, "\n") {
			if n := len([]rune(line)); n > limit && !strings.Contains(line, "--targets") {
				t.Errorf("width %d: a line of %d columns: %q", width, n, line)
			}
		}
		if want := "Restart " + joinNames(namesOf(installer.TargetIDs())) + " to load codegraph."; !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("width %d: the restart step is not the sentence %q:\n%s", width, want, out)
		}
		if !strings.Contains(out, d.Uninstall) {
			t.Errorf("width %d: the undo command was broken:\n%s", width, out)
		}
	}
}

func namesOf(ids []string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, targetName(id))
	}
	return out
}
