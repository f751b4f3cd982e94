package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/getcodegraph/codegraph-install/installer"
)

// Paths shortens absolute paths for the screen: under the project they
// are shown from it ("./.mcp.json"), under the home directory from "~"
// (installer.DisplayPath, as every message names files). Only what is
// shown is shortened; files are written with full paths.
type Paths struct {
	Home, Project string
}

// Show returns p as the user reads it most easily. A file under both
// (a project that holds the home directory, run from above it) is shown
// from the nearer of the two: ~/.cursor/mcp.json, not ./ada/.cursor/mcp.json.
func (s Paths) Show(p string) string {
	_, underHome := within(s.Home, p)
	if rel, ok := within(s.Project, p); ok && s.Project != s.Home && !(underHome && len(s.Home) > len(s.Project)) {
		return "." + string(filepath.Separator) + rel
	}
	return installer.DisplayPath(s.Home, p)
}

// ShowDir is Show for a directory that may be the home directory itself
// (the project is shown from ~, not as ".").
func (s Paths) ShowDir(dir string) string { return installer.DisplayPath(s.Home, dir) }

// ShowCommand shortens the program of a server command (an absolute path
// under ~ reads better as ~/...); the arguments are kept as they are.
func (s Paths) ShowCommand(srv installer.Server) string {
	parts := append([]string{s.ShowDir(srv.Command)}, srv.Args...)
	return strings.Join(parts, " ")
}

// within reports p relative to dir when p is strictly inside dir.
func within(dir, p string) (string, bool) {
	if dir == "" || !filepath.IsAbs(p) {
		return "", false
	}
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}

// targetName is the agent's display name, or its id when unknown.
func targetName(id string) string {
	if t, ok := installer.TargetByID(id); ok {
		return t.Name
	}
	return id
}

// nameWidth is the width of the name column: the longest name shown, so
// "Amazon Q Developer CLI" never runs into the next column.
func nameWidth(ids []string) int {
	w := 0
	for _, id := range ids {
		w = max(w, len([]rune(targetName(id))))
	}
	return w
}

// scopeLabel says where a scope applies, naming the project for a local
// one: the scope screen's options (in both modes) and the recap.
func scopeLabel(scope installer.Scope, paths Paths) string {
	if scope != installer.ScopeLocal {
		return scopeGlobalLabel
	}
	if paths.Project == "" {
		return scopeLocalLabel
	}
	return scopeLocalLabel + " (" + paths.ShowDir(paths.Project) + ")"
}

// planLine is one line of a rendered plan; bad marks a refused file.
type planLine struct {
	text string
	bad  bool
}

// planLines renders a plan as the confirm screen and accessible mode show
// it: a heading, one line per agent (what happens to which file), and the
// command the agents will start, said once when they all start the same.
func planLines(p *installer.Plan, paths Paths) []planLine {
	if p == nil {
		return nil
	}
	ids := make([]string, 0, len(p.Changes))
	for _, c := range p.Changes {
		ids = append(ids, c.Target)
	}
	nw := nameWidth(ids)
	var lines []planLine
	if p.Op == installer.OpInstall {
		kind := map[installer.Kind]string{installer.KindFresh: "new install", installer.KindUpgrade: "upgrade", installer.KindReinstall: "reinstall"}[p.Kind]
		lines = append(lines, planLine{text: fmt.Sprintf("codegraph %s (%s, %s scope) goes into:", p.Version, kind, p.Scope)})
	} else {
		lines = append(lines, planLine{text: fmt.Sprintf("codegraph comes out of (%s scope):", p.Scope)})
		if len(p.Changes) == 0 {
			lines = append(lines, planLine{text: "  nothing is recorded in " + paths.Show(p.ManifestPath)})
		}
	}
	common, same := commonServer(p)
	for _, c := range p.Changes {
		name := fmt.Sprintf("%-*s", nw, targetName(c.Target))
		if c.Action == installer.ActionError {
			lines = append(lines, planLine{text: fmt.Sprintf("✗ %s  %s", name, c.Message), bad: true})
			continue
		}
		if c.Action == installer.ActionPaste {
			lines = append(lines, planLine{text: fmt.Sprintf("• %s  %-9s %s (nothing is written: the snippet is shown at the end)", name, "paste", c.Message)})
			continue
		}
		lines = append(lines, planLine{text: fmt.Sprintf("• %s  %-9s %s", name, actionWords(c.Action), paths.Show(c.Path))})
		if p.Op == installer.OpInstall && !same && c.Server.Command != "" {
			lines = append(lines, planLine{text: fmt.Sprintf("  %*s  starts %s", nw, "", paths.ShowCommand(c.Server))})
		}
	}
	if p.Op == installer.OpInstall && same && common.Command != "" {
		lines = append(lines, planLine{text: "Each agent starts: " + paths.ShowCommand(common)})
	}
	return lines
}

// commonServer is the command every changed agent will start, when they
// all start the same one (the usual case).
func commonServer(p *installer.Plan) (installer.Server, bool) {
	var first *installer.Server
	for i, c := range p.Changes {
		if c.Action == installer.ActionError || c.Action == installer.ActionPaste || c.Server.Command == "" {
			continue
		}
		if first == nil {
			first = &p.Changes[i].Server
			continue
		}
		if c.Server.String() != first.String() {
			return installer.Server{}, false
		}
	}
	if first == nil {
		return installer.Server{}, true
	}
	return *first, true
}

// actionWords is what happens to a file, in words.
func actionWords(a installer.Action) string {
	switch a {
	case installer.ActionCreate:
		return "create"
	case installer.ActionModify:
		return "update"
	case installer.ActionDelete:
		return "remove"
	case installer.ActionUnchanged:
		return "no change"
	}
	return string(a)
}

// PlanText renders a plan as plain lines (accessible mode, and callers
// that print a plan outside the form).
func PlanText(p *installer.Plan, paths Paths) string {
	var sb strings.Builder
	for _, l := range planLines(p, paths) {
		sb.WriteString(l.text + "\n")
	}
	return sb.String()
}
