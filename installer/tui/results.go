package tui

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/colorprofile"

	"github.com/getcodegraph/codegraph-install/installer"
)

// RenderResults renders one line per target: a check with what was done
// to which file, or a cross with what went wrong.
func RenderResults(results []installer.Result, paths Paths) string {
	ids := make([]string, len(results))
	for i, r := range results {
		ids[i] = r.Target
	}
	nw := nameWidth(ids)
	var sb strings.Builder
	for _, r := range results {
		name := fmt.Sprintf("%-*s", nw, targetName(r.Target))
		if r.OK() && r.Action == installer.ActionPaste {
			fmt.Fprintf(&sb, "%s %s  %s %s:\n", styles().ok.Render("→"), name, styles().faint.Render(fmt.Sprintf("%-10s", "paste")), r.Where)
			for _, line := range strings.Split(strings.TrimRight(r.Paste, "\n"), "\n") {
				sb.WriteString("      " + line + "\n")
			}
			continue
		}
		if r.OK() {
			fmt.Fprintf(&sb, "%s %s  %s %s\n", styles().ok.Render("✓"), name, styles().faint.Render(fmt.Sprintf("%-10s", r.Outcome())), paths.Show(r.Path))
			continue
		}
		fmt.Fprintf(&sb, "%s %s  %s\n", styles().bad.Bold(true).Render("✗"), name, styles().bad.Render(r.Err.Error()))
	}
	return sb.String()
}

// Done is what the final screen of an install says next.
type Done struct {
	Results []installer.Result
	Paths   Paths
	// Program is the name this binary was run by ("codegraph" or
	// "codegraph-install"): the commands suggested use it.
	Program string
	// Uninstall is the command that undoes this install.
	Uninstall string
	// Backups is the directory holding copies of the files as they were,
	// "" when no backup was made.
	Backups string
	// Width is the terminal's width; 0 (not a terminal) wraps at 80.
	Width int
}

// NextSteps is the end of an install that configured at least one agent:
// restart the agents, check them, how to undo, where the backups are.
func NextSteps(d Done) string {
	var ok, changed []string
	for _, r := range d.Results {
		if r.OK() && r.Action != installer.ActionPaste { // pasted: nothing to restart, check or undo
			ok = append(ok, targetName(r.Target))
			if r.Action == installer.ActionCreate || r.Action == installer.ActionModify {
				changed = append(changed, targetName(r.Target))
			}
		}
	}
	// After failures alone there is nothing to do next but what each
	// failure's message already says (fix the file, run again).
	if len(ok) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString("\n" + styles().title.Render("Next steps") + "\n")
	n := 0
	width := d.Width
	if width <= 0 || width > 80 {
		width = 80
	}
	item := func(text string, cmd string) {
		n++
		lead := fmt.Sprintf("  %d. ", n)
		sb.WriteString(wrapWords(lead, text, cmd, width))
	}
	if len(changed) > 0 {
		// Agents already up to date have nothing new to load.
		item("Restart "+joinNames(changed)+" to load codegraph.", "")
	}
	item("Check that each agent can start it:", d.Program+" doctor")
	item("To undo:", d.Uninstall)
	if d.Backups != "" {
		fmt.Fprintf(&sb, "  Copies of the files as they were before: %s\n", d.Paths.ShowDir(d.Backups))
	}
	return sb.String()
}

// Wrap is text in lines of at most width columns (80 when width is 0 or
// more), broken between words, for a line printed outside the form.
func Wrap(text string, width int) string {
	if width <= 0 || width > 80 {
		width = 80
	}
	return wrapWords("", text, "", width)
}

// wrapWords writes lead, then text's words and cmd (kept whole, styled
// as a command) in lines of at most width columns, breaking between words
// and indenting the rest under the first word: a terminal would cut a
// long line mid-word ("Restart Cursor, Claude Code, Codex CLI, ope" /
// "ncode…"). A word longer than the line gets a line of its own.
func wrapWords(lead, text, cmd string, width int) string {
	var sb strings.Builder
	indent := strings.Repeat(" ", len(lead))
	sb.WriteString(lead)
	col := len(lead)
	put := func(word string, styled string) {
		w := len([]rune(word))
		if col > len(indent) && col+1+w > width {
			sb.WriteString("\n" + indent)
			col = len(indent)
		} else if col > len(indent) {
			sb.WriteString(" ")
			col++
		}
		sb.WriteString(styled)
		col += w
	}
	for _, word := range strings.Fields(text) {
		put(word, word)
	}
	if cmd != "" {
		put(cmd, styles().cursor.Render(cmd))
	}
	sb.WriteString("\n")
	return sb.String()
}

// joinNames lists names as a sentence does: "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Writer downsamples styled text for w: plain when w is not a terminal,
// otherwise as the terminal's environment (TERM, COLORTERM, NO_COLOR,
// CLICOLOR…) allows. getenv is injected so nothing reads the process
// environment.
func Writer(w io.Writer, isTerminal bool, getenv func(string) string) io.Writer {
	if !isTerminal || getenv == nil {
		return plainWriter(w)
	}
	return environWriter(w, Environ(getenv))
}

// environWriter downsamples styled text for a terminal whose environment
// is environ (KEY=value lines).
func environWriter(w io.Writer, environ []string) io.Writer {
	return &colorprofile.Writer{Forward: w, Profile: colorprofile.Env(environ)}
}

// Environ is the part of the environment that says what a terminal can
// show, as KEY=value lines (Config.Environ).
func Environ(getenv func(string) string) []string {
	var env []string
	for _, k := range []string{"TERM", "COLORTERM", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM_PROGRAM", "TMUX", "WT_SESSION"} {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}
