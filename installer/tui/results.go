package tui

import (
	"fmt"
	"io"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/getcodegraph/codegraph-install/installer"
)

// RenderResults renders one line per target: a green check with the file
// and what was done, or a red cross with the error.
func RenderResults(results []installer.Result) string {
	okStyle := lipgloss.NewStyle().Foreground(lipgloss.Color("42")).Bold(true)
	errStyle := lipgloss.NewStyle().Foreground(lipgloss.Color("196")).Bold(true)
	faint := lipgloss.NewStyle().Faint(true)
	var sb strings.Builder
	for _, r := range results {
		name := r.Target
		if t, ok := installer.TargetByID(r.Target); ok {
			name = t.Name
		}
		if r.OK() {
			fmt.Fprintf(&sb, "%s %-18s %s %s\n", okStyle.Render("✓"), name, faint.Render(fmt.Sprintf("%-8s", r.Outcome())), r.Path)
			continue
		}
		fmt.Fprintf(&sb, "%s %-18s %s\n", errStyle.Render("✗"), name, errStyle.UnsetBold().Render(r.Err.Error()))
	}
	return sb.String()
}

func pastTense(a installer.Action) string {
	switch a {
	case installer.ActionCreate:
		return "created "
	case installer.ActionModify:
		return "updated "
	case installer.ActionDelete:
		return "removed "
	case installer.ActionUnchanged:
		return "up to date"
	}
	return string(a)
}

// Writer downsamples styled text for w: plain when w is not a terminal,
// otherwise as the terminal's environment (TERM, COLORTERM, NO_COLOR,
// CLICOLOR…) allows. getenv is injected so nothing reads the process
// environment.
func Writer(w io.Writer, isTerminal bool, getenv func(string) string) io.Writer {
	if !isTerminal || getenv == nil {
		return plainWriter(w)
	}
	var env []string
	for _, k := range []string{"TERM", "COLORTERM", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM_PROGRAM", "TMUX", "WT_SESSION"} {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return &colorprofile.Writer{Forward: w, Profile: colorprofile.Env(env)}
}
