// Package doctor checks that every installed codegraph entry actually
// starts (`codegraph doctor`): for each agent's config that holds our entry
// or that the install manifest lists, globally and for one project, it
// reads the file as the agent does, resolves the command on the PATH that
// agent gets (GUI apps do not get the shell's), starts it with that
// agent's environment, completes an MCP initialize and tools/list within a
// deadline, and says what to do about whatever fails.
//
// It prints nothing and sends nothing: the probe runs the server with
// CODEGRAPH_TELEMETRY=0, so checking an entry neither counts nor sends
// anything; the CLI renders the checks.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getcodegraph/codegraph-install/installer"
)

// DefaultTimeout is how long one entry has to answer initialize and
// tools/list.
const DefaultTimeout = 5 * time.Second

// Options are the machine to check and how.
type Options struct {
	// Env gives the home and project directories (ProjectDir "" checks the
	// global scope only), GOOS and the environment lookup.
	Env installer.Env
	// Environ is the environment an agent started from a shell passes on
	// (KEY=VALUE), before the entry's own variables.
	Environ []string
	// Timeout for initialize + tools/list; 0 means DefaultTimeout.
	Timeout time.Duration
	// Version is sent as the client version in initialize.
	Version string
}

// Check is the verdict on one entry.
type Check struct {
	Target  string          `json:"target"`
	Agent   string          `json:"agent"`
	Scope   installer.Scope `json:"scope"`
	Config  string          `json:"config"`
	Command []string        `json:"command,omitempty"` // as the agent would start it (resolved path first)
	OK      bool            `json:"ok"`
	Tools   int             `json:"tools,omitempty"` // tools listed by the server
	Problem string          `json:"problem,omitempty"`
	Next    string          `json:"next,omitempty"` // what to do about it
	// NotStarted: the entry is not codegraph as codegraph-install wrote
	// it, so it was shown, not run (see ours).
	NotStarted bool  `json:"not_started,omitempty"`
	Millis     int64 `json:"ms"` // time to answer (or to fail)
}

// Run checks every installed entry, global first, in registry order.
func Run(ctx context.Context, opts Options) ([]Check, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	scopes := []installer.Scope{installer.ScopeGlobal}
	if opts.Env.ProjectDir != "" && !installer.ProjectIsHome(opts.Env) {
		scopes = append(scopes, installer.ScopeLocal)
	}
	type job struct {
		t        installer.Target
		scope    installer.Scope
		path     string
		recorded *installer.TargetRecord // the install record's, when it names this file
	}
	var jobs []job
	for _, scope := range scopes {
		env := opts.Env
		if scope == installer.ScopeGlobal {
			env.ProjectDir = "" // local paths are not looked at
		}
		m, err := installer.ReadManifest(opts.Env, scope)
		if err != nil {
			return nil, err
		}
		recorded := map[string]*installer.TargetRecord{} // target → what the install record says of it
		if m != nil {
			for i, r := range m.Targets {
				recorded[r.ID] = &m.Targets[i]
			}
		}
		for _, t := range installer.Targets() {
			paths := []string{}
			if p, err := t.ConfigPath(env, scope); err == nil {
				paths = append(paths, p)
			}
			rec := recorded[t.ID]
			if rec != nil && (len(paths) == 0 || paths[0] != rec.Path) {
				paths = append(paths, rec.Path) // the file the install wrote, if the agent's moved since
			}
			for _, path := range paths {
				j := job{t: t, scope: scope, path: path}
				if rec != nil && rec.Path == path {
					j.recorded = rec
				}
				jobs = append(jobs, j)
			}
		}
	}
	// A few entries at a time, so that servers that never answer do not
	// add their timeouts up; the order of the report is the registry's.
	results := make([]Check, len(jobs))
	found := make([]bool, len(jobs))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i], found[i] = check(ctx, opts, j.t, j.scope, j.path, j.recorded)
		}()
	}
	wg.Wait()
	var checks []Check
	for i, c := range results {
		if found[i] {
			checks = append(checks, c)
		}
	}
	return checks, nil
}

// check looks at one config file; found is false when it has no entry of
// ours and the manifest does not list it (nothing to report).
func check(ctx context.Context, opts Options, t installer.Target, scope installer.Scope, path string, rec *installer.TargetRecord) (Check, bool) {
	c := Check{Target: t.ID, Agent: t.Name, Scope: scope, Config: path}
	recorded := rec != nil
	e, err := t.ReadEntry(path)
	switch {
	case err != nil && recorded:
		return c.fail(err.Error(), "fix the file so that it parses, then run codegraph-install again"), true
	case err != nil:
		return c, false // not ours to judge
	case e == nil && recorded:
		return c.fail("no codegraph entry in "+path+" any more (removed by hand, or by "+t.Name+")",
			"run codegraph-install again"), true
	case e == nil:
		return c, false
	case e.Disabled:
		return c.fail("the codegraph entry is disabled in "+path, "enable it in "+t.Name+", then run codegraph doctor again"), true
	case e.Command == "":
		return c.fail("the codegraph entry in "+path+" has no command", "run codegraph-install again"), true
	}
	dir := opts.Env.Home
	if scope == installer.ScopeLocal {
		dir = opts.Env.ProjectDir
	}
	agentPATH := t.AgentPATH(opts.Env)
	bin, rerr := resolve(opts.Env.GOOS, e.Command, agentPATH, dir)
	if rerr != nil {
		c.Command = append([]string{e.Command}, e.Args...)
		return c.fail(rerr.problem(t), rerr.next(t)), true
	}
	c.Command = append([]string{bin}, e.Args...)
	if !ours(opts.Env, scope, dir, e, bin, rec) {
		c.NotStarted = true
		return c.fail("not started: not written by codegraph-install", "run it yourself if you trust it"), true
	}
	start := time.Now()
	tools, p := probe(ctx, bin, e.Args, childEnv(opts, t, agentPATH, e.Env), dir, opts.Timeout, opts.Version)
	c.Millis = time.Since(start).Milliseconds()
	if p != nil {
		return c.fail(p.problem, p.next(installer.Server{Command: e.Command, Args: e.Args}.String())), true
	}
	c.OK, c.Tools = true, tools
	return c, true
}

// ours reports whether doctor may start an entry: only codegraph as
// codegraph-install wrote it. A project's config files come with the
// project (a clone), and an entry under our key there can name any
// program, arguments and variables; the agents ask before they start a
// project's servers, and doctor, which people run because we tell them
// to, must not start one unasked. So an entry runs when its command and
// arguments are exactly what an install record under ~/.codegraph wrote
// into this file, or when it is `codegraph serve --mcp` with the command
// naming a codegraph binary of this user's (bare on the PATH, the copy in
// ~/.codegraph/bin, or this program itself). A project's entry with
// variables of its own (LD_PRELOAD, NODE_OPTIONS, …) is never started; nor
// is a binary that resolves to a file inside the project.
func ours(env installer.Env, scope installer.Scope, dir string, e *installer.Entry, bin string, rec *installer.TargetRecord) bool {
	if scope == installer.ScopeLocal {
		if len(e.Env) > 0 || !filepath.IsAbs(bin) || inside(dir, bin) {
			return false
		}
	}
	if rec != nil && rec.Server != nil && rec.Server.Command == e.Command && slices.Equal(rec.Server.Args, e.Args) {
		return true
	}
	def := installer.DefaultServer()
	if !slices.Equal(e.Args, def.Args) {
		return false
	}
	if e.Command == def.Command {
		return true
	}
	real := realPath(bin)
	for _, p := range ourBinaries(env) {
		if p != "" && realPath(p) == real {
			return true
		}
	}
	return false
}

// ourBinaries are the codegraph binaries an install may name: the copy in
// ~/.codegraph/bin, codegraph on the shell's PATH, this program and a
// codegraph beside it.
func ourBinaries(env installer.Env) []string {
	out := []string{installer.StableBinary(env), env.Executable}
	if env.LookPath != nil {
		if p, err := env.LookPath("codegraph"); err == nil {
			out = append(out, p)
		}
	}
	if env.Executable != "" {
		out = append(out, filepath.Join(filepath.Dir(env.Executable), "codegraph"))
	}
	return out
}

func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// inside reports whether path (a resolved binary) lies in dir.
func inside(dir, path string) bool {
	rel, err := filepath.Rel(realPath(dir), realPath(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func (c Check) fail(problem, next string) Check {
	c.OK, c.Problem, c.Next = false, problem, next
	return c
}

// resolveError is why a command cannot be started as the agent would.
type resolveError struct {
	command  string
	notFound bool // a bare name not on the agent's PATH
	missing  bool // a path that does not exist
	notExec  bool
}

func (r *resolveError) problem(t installer.Target) string {
	switch {
	case r.notFound && t.GUI:
		return fmt.Sprintf("%s not found on the PATH %s uses", r.command, t.Name)
	case r.notFound:
		return fmt.Sprintf("%s not found on your PATH, which %s inherits", r.command, t.Name)
	case r.missing:
		return fmt.Sprintf("%s does not exist", r.command)
	}
	return fmt.Sprintf("%s is not executable", r.command)
}

func (r *resolveError) next(t installer.Target) string {
	switch {
	case r.notFound && t.GUI:
		return "run codegraph-install again to write the full path"
	case r.notFound:
		return "install codegraph on your PATH (from npm: npx codegraph-install; from a checkout: make install), or run codegraph-install again to write the full path"
	case r.missing:
		return "install codegraph again (npx codegraph-install, install.sh, or make install in a checkout, as you installed it), then run codegraph-install again to write its path"
	}
	return "make it executable (chmod +x), or run codegraph-install again"
}

// resolve finds the program the agent would start for command: a bare name
// on agentPATH, a path as it is (relative to dir, the agent's working
// directory for the server).
func resolve(goos, command, agentPATH, dir string) (string, *resolveError) {
	if !strings.ContainsAny(command, `/\`) {
		look := installer.PathLookup(func(k string) string {
			if k == "PATH" {
				return agentPATH
			}
			return ""
		}, goos)
		p, err := look(command)
		if err != nil {
			return "", &resolveError{command: command, notFound: true}
		}
		return p, nil
	}
	p := command
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", &resolveError{command: command, missing: true}
	case err != nil:
		return "", &resolveError{command: command, notExec: true}
	case fi.IsDir(), goos != "windows" && fi.Mode()&0o111 == 0:
		return "", &resolveError{command: command, notExec: true}
	}
	return p, nil
}

// guiKeep are the variables a desktop session gives every app.
var guiKeep = []string{"HOME", "USER", "LOGNAME", "LANG", "TMPDIR", "DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR"}

// childEnv is the environment the agent starts the server with: a shell's
// for a CLI agent; for a GUI app only what a desktop session provides (on
// Windows, where GUI apps get the user environment, the same as a shell's),
// with the GUI PATH; then the entry's own variables; then
// CODEGRAPH_TELEMETRY=0, so the check itself counts and sends nothing.
func childEnv(opts Options, t installer.Target, agentPATH string, entry map[string]string) []string {
	vars := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vars[k]; !ok {
			order = append(order, k)
		}
		vars[k] = v
	}
	gui := t.GUI && opts.Env.GOOS != "windows"
	for _, kv := range opts.Environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if gui && !contains(guiKeep, k) {
			continue
		}
		set(k, v)
	}
	set("PATH", agentPATH)
	for k, v := range entry {
		set(k, v)
	}
	set("CODEGRAPH_TELEMETRY", "0")
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, k+"="+vars[k])
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
