package installcli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/getcodegraph/codegraph-install/installer"
)

// jsonReport is what --json prints for an install or uninstall: one
// object on stdout, for scripts and for people who keep a record of what
// an install did (no other installer we compared prints one).
type jsonReport struct {
	OK        bool         `json:"ok"`
	Operation string       `json:"operation"` // install or uninstall
	Kind      string       `json:"kind,omitempty"`
	Summary   string       `json:"summary"`
	Targets   []jsonTarget `json:"targets"`
}

type jsonTarget struct {
	ID      string   `json:"id"`
	Scope   string   `json:"scope"`
	Path    string   `json:"path"`
	Result  string   `json:"result"` // created, updated, unchanged, removed, restored, pasted, failed
	Error   string   `json:"error,omitempty"`
	Command []string `json:"command,omitempty"`
	// A paste target: where to paste, and what (nothing was written).
	Where   string `json:"where,omitempty"`
	Snippet string `json:"snippet,omitempty"`
}

// printJSONReport writes the report of results on stdout.
func (a *app) printJSONReport(op installer.Operation, kind string, results []installer.Result) error {
	rep := jsonReport{OK: true, Operation: string(op), Kind: kind, Summary: summary(op, results), Targets: []jsonTarget{}}
	for _, r := range results {
		t := jsonTarget{ID: r.Target, Scope: string(r.Scope), Path: r.Path, Result: r.Word(), Where: r.Where, Snippet: r.Paste}
		if r.Err != nil {
			rep.OK = false
			t.Error = r.Err.Error()
			if errors.Is(r.Err, context.Canceled) {
				t.Error = "interrupted"
			}
		}
		if r.Server != nil && r.Server.Command != "" {
			t.Command = append([]string{r.Server.Command}, r.Server.Args...)
		}
		rep.Targets = append(rep.Targets, t)
	}
	enc := json.NewEncoder(a.env.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

// summary counts what was done and what failed: "5 installed, 1 failed".
func summary(op installer.Operation, results []installer.Result) string {
	done, pasted, failed := 0, 0, 0
	for _, r := range results {
		switch {
		case !r.OK():
			failed++
		case r.Action == installer.ActionPaste:
			pasted++
		default:
			done++
		}
	}
	verb := "installed"
	if op == installer.OpUninstall {
		verb = "removed"
	}
	s := fmt.Sprintf("%d %s", done, verb)
	if pasted > 0 {
		s += fmt.Sprintf(", %d to paste", pasted)
	}
	if failed > 0 {
		s += fmt.Sprintf(", %d failed", failed)
	}
	return s
}
