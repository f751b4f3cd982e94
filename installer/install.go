package installer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Request is an install as the user asked for it, whoever asked: the
// form's answers or the headless flags.
type Request struct {
	Targets []string // target ids, canonical (ParseTargetID)
	Scope   Scope
	// Server is written as given (--server-command); its zero value means
	// codegraph as this process can make it start (InstallOptions.Server).
	Server Server
	// Plan, when set, is PlanInstall's plan for the fields above, made
	// moments ago to check the request before anything was stored: it is
	// applied as it is, rather than reading every agent file a second time
	// (the largest accepted config takes about 2 s to parse).
	Plan *Plan
}

// Report is what an install or an uninstall did. The form's last screen,
// the headless lines and --json all render this one value, so they never
// disagree about what happened.
type Report struct {
	Op      Operation
	Kind    Kind // install only: fresh, upgrade or reinstall
	Results []Result
	// Err is a failure of the run as a whole beside the per-agent results
	// (the install record could not be written, say); the results say
	// which agents were still done.
	Err error
	// Copied is the stable copy of the running binary that this install
	// made for the agents to start (NeedsStableCopy), "" when none;
	// CopiedWhy says why in a few words, and Linked is the link to it on
	// the PATH, "" when none was made.
	Copied, CopiedWhy, Linked string
}

// Install plans req (unless req.Plan is that plan), makes the stable copy
// of the binary that the entries will name, and applies the plan; each
// file is read again as it is written (Apply), so a change since the plan
// is never overwritten. The error return is for an install that
// changed nothing (unusable options, no copy of the binary); what happened
// to each agent is in the report, where one failure never stops the rest.
func Install(ctx context.Context, env Env, req Request) (Report, error) {
	p := req.Plan
	if p == nil {
		var err error
		if p, err = PlanInstall(env, InstallOptions{Targets: req.Targets, Scope: req.Scope, Server: req.Server}); err != nil {
			return Report{}, err
		}
	}
	rep := Report{Op: OpInstall, Kind: p.Kind}
	// Run from npm or from a temporary build (go run), the agents get a
	// copy that stays put, made before any config names it.
	var err error
	if rep.Copied, err = InstallStableBinary(env); err != nil {
		return Report{}, err
	}
	if rep.Copied != "" {
		switch {
		case NPMManaged(env.Executable):
			rep.CopiedWhy = "npm's folders do not last"
		case strings.Contains(filepath.ToSlash(env.Executable), "/go-build"):
			rep.CopiedWhy = "go run deletes its build"
		default:
			rep.CopiedWhy = "it runs from a temporary folder"
		}
		if link, err := LinkOnPath(env); err == nil {
			rep.Linked = link
		}
	}
	rep.Results, rep.Err = Apply(ctx, env, p)
	return rep, nil
}

// Uninstall applies uninstall plans (one per scope, as PlanUninstall made
// them and a confirmation showed them), each whatever became of the others.
func Uninstall(ctx context.Context, env Env, plans []*Plan) Report {
	rep := Report{Op: OpUninstall}
	var errs []error
	for _, p := range plans {
		results, err := Apply(ctx, env, p)
		rep.Results = append(rep.Results, results...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	rep.Err = errors.Join(errs...)
	return rep
}

// Done is the agents whose change succeeded, each once, in order: what
// the install or uninstall event counts. A change Ctrl+C stopped is not
// among them.
func (r Report) Done() []string {
	var done []string
	seen := map[string]bool{}
	for _, res := range r.Results {
		if res.OK() && !seen[res.Target] {
			seen[res.Target] = true
			done = append(done, res.Target)
		}
	}
	return done
}

// Failed reports whether any agent failed (an interrupted change counts:
// it was asked for and is not done) or the run as a whole did.
func (r Report) Failed() bool {
	if r.Err != nil {
		return true
	}
	for _, res := range r.Results {
		if !res.OK() {
			return true
		}
	}
	return false
}

// Summary counts what was done and what failed: "5 installed, 1 failed",
// "3 removed", "4 installed, 1 to paste".
func (r Report) Summary() string {
	done, pasted, failed := 0, 0, 0
	for _, res := range r.Results {
		switch {
		case !res.OK():
			failed++
		case res.Action == ActionPaste:
			pasted++
		default:
			done++
		}
	}
	verb := "installed"
	if r.Op == OpUninstall {
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

// jsonReport is the --json form of a Report: one object on stdout, for
// scripts and for people who keep a record of what an install did (no
// other installer we compared prints one).
type jsonReport struct {
	OK        bool         `json:"ok"`
	Operation string       `json:"operation"` // install or uninstall
	Kind      string       `json:"kind,omitempty"`
	Summary   string       `json:"summary"`
	Error     string       `json:"error,omitempty"` // a failure of the run as a whole
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

// WriteJSON writes the report as one indented JSON object (see README,
// "--json").
func (r Report) WriteJSON(w io.Writer) error {
	rep := jsonReport{OK: !r.Failed(), Operation: string(r.Op), Kind: string(r.Kind), Summary: r.Summary(), Targets: []jsonTarget{}}
	if r.Err != nil {
		rep.Error = r.Err.Error()
	}
	for _, res := range r.Results {
		t := jsonTarget{ID: res.Target, Scope: string(res.Scope), Path: res.Path, Result: res.Word(), Where: res.Where, Snippet: res.Paste}
		if res.Err != nil {
			t.Error = res.Err.Error()
			if errors.Is(res.Err, context.Canceled) {
				t.Error = "interrupted"
			}
		}
		if res.Server != nil && res.Server.Command != "" {
			t.Command = append([]string{res.Server.Command}, res.Server.Args...)
		}
		rep.Targets = append(rep.Targets, t)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}
