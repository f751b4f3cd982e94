package installer

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Action is what a plan does to one file.
type Action string

// Actions of a FileChange.
const (
	ActionCreate    Action = "create"    // the file does not exist; we write it
	ActionModify    Action = "modify"    // we splice our entry in or out
	ActionDelete    Action = "delete"    // uninstall: the file was ours and is now empty
	ActionUnchanged Action = "unchanged" // already as wanted
	ActionError     Action = "error"     // refused; Message says why, nothing is written
	ActionPaste     Action = "paste"     // a paste target: After is the snippet, Message where it goes; nothing is written
)

// Operation is install or uninstall.
type Operation string

// Operations.
const (
	OpInstall   Operation = "install"
	OpUninstall Operation = "uninstall"
)

// FileChange is the plan for one target's file.
type FileChange struct {
	Target  string // target id
	Path    string // config file as the agent names it (may be a symlink)
	Format  Format
	Action  Action
	Before  []byte // nil when the file does not exist
	After   []byte // nil for delete and error
	Message string // for ActionError: what is wrong, naming the path
	Err     error  // for ActionError: the underlying error (errors.Is/As)
	Server  Server // install: the command written for this agent (see Resolve)

	record TargetRecord  // manifest record after this change
	prev   *TargetRecord // the record of an earlier install, if any
}

// Plan is computed without side effects and executed by Apply.
type Plan struct {
	Op           Operation
	Kind         Kind // install only
	Scope        Scope
	Version      string
	Server       Server
	ManifestPath string
	Changes      []FileChange
	// Unrecorded (uninstall, local scope): the project's
	// .codegraph/install.json, when this user has no record of installing
	// there; nothing is then restored or deleted (see ReadManifest).
	Unrecorded string

	old  *Manifest
	home string // for the paths Diff shows
}

// InstallOptions are the answers of the form or the flags.
type InstallOptions struct {
	Targets []string // target ids; empty means none
	Scope   Scope
	// Server is written as given (--server-command); its zero value means
	// DefaultServer() with the command each agent can start (Resolve).
	Server Server
}

// UninstallOptions select what to remove; empty Targets means everything
// the manifest lists.
type UninstallOptions struct {
	Targets []string
	Scope   Scope
}

// PlanInstall computes what installing into opts.Targets would change. It
// reads files but writes nothing. Problems with one target are recorded as
// an ActionError change; the error return is for unusable options.
func PlanInstall(env Env, opts InstallOptions) (*Plan, error) {
	if opts.Scope != ScopeLocal && opts.Scope != ScopeGlobal {
		return nil, fmt.Errorf("unknown scope %q (want local or global)", opts.Scope)
	}
	if opts.Scope == ScopeLocal && ProjectIsHome(env) {
		return nil, &LocalInHomeError{Home: env.Home}
	}
	server, explicit := opts.Server, opts.Server.Command != ""
	if !explicit {
		server = DefaultServer()
	}
	old, err := ReadManifest(env, opts.Scope)
	if err != nil {
		return nil, localize(env, OpInstall, err)
	}
	p := &Plan{Op: OpInstall, Kind: KindFor(old, env.Version), Scope: opts.Scope, Version: env.Version,
		Server: server, ManifestPath: ManifestPath(env, opts.Scope), old: old, home: env.Home}
	var bin string
	var binErr error
	located := false
	installed := func() (string, error) {
		if !located {
			bin, binErr = InstalledBinary(env)
			located = true
		}
		return bin, binErr
	}
	ids, err := canonicalIDs(opts.Targets)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		t, _ := TargetByID(id)
		if spec, ok := pasteSpecs[id]; ok && spec.bareCommand {
			p.Changes = append(p.Changes, planPaste(t, spec, server, explicit))
			continue
		}
		srv, err := Resolve(env, t, server, explicit, installed)
		if err != nil {
			return nil, localize(env, OpInstall, err)
		}
		if spec, ok := pasteSpecs[id]; ok {
			p.Changes = append(p.Changes, planPaste(t, spec, srv, explicit))
			continue
		}
		p.Changes = append(p.Changes, planInstallTarget(env, t, opts.Scope, srv, old.record(id)))
	}
	return p, nil
}

func planInstallTarget(env Env, t Target, scope Scope, server Server, prev *TargetRecord) FileChange {
	path, err := t.ConfigPath(env, scope)
	fc := FileChange{Target: t.ID, Path: path, Server: server}
	fail := func(err error) FileChange { return failed(fc, localize(env, OpInstall, err)) }
	if errors.Is(err, ErrScopeUnsupported) {
		other := ScopeGlobal
		if scope == ScopeGlobal {
			other = ScopeLocal
		}
		return fail(&messageError{err: err, msg: fmt.Sprintf("%s has no %s-scope MCP config file; nothing was changed for it. Run %s --yes --targets %s --scope %s to install it for %s.",
			t.Name, scope, Program, t.ID, other, map[Scope]string{ScopeGlobal: "your user", ScopeLocal: "a project"}[other])})
	}
	if err != nil {
		return fail(err)
	}
	if scope == ScopeLocal {
		if err := insideProject(env, path); err != nil {
			return fail(err)
		}
	}
	fc.Format = t.Format(path)
	before, exists, mode, err := readConfig(path)
	if err == nil {
		err = refuseOverCap(path, before)
	}
	if err != nil {
		return fail(err)
	}
	if exists && mode&0o200 == 0 {
		return fail(readOnly(path))
	}
	fc.Before = before
	after, fresh, changed, err := editInstall(t, path, before, server)
	if err != nil {
		return fail(err)
	}
	fc.prev = prev
	rec := installRecord(fresh, exists, server, prev)
	fc.record = rec
	switch {
	case !exists:
		fc.Action = ActionCreate
		fc.After = after
	case changed:
		fc.Action = ActionModify
		fc.After = after
	default:
		fc.Action = ActionUnchanged
		fc.After = before
	}
	return fc
}

// installRecord is the manifest record of an install edit (fresh) of a
// file that existed or not. On a repeat install (prev, for the same file)
// the entry we see is our own, so the undo data of the first install stays
// authoritative: it knows what was there before codegraph.
func installRecord(fresh TargetRecord, exists bool, server Server, prev *TargetRecord) TargetRecord {
	rec := fresh
	rec.CreatedFile = !exists
	rec.Server = &server
	if prev != nil && prev.Path == fresh.Path {
		if rec.entryExisted() {
			rec.JSON, rec.TOML, rec.YAML, rec.PreviousEntry = prev.JSON, prev.TOML, prev.YAML, prev.PreviousEntry
		}
		rec.CreatedFile = rec.CreatedFile || prev.CreatedFile
		rec.CreatedDirs = prev.CreatedDirs
	}
	return rec
}

func (r TargetRecord) entryExisted() bool { return syntaxOf(r.Format).existed(r) }

// editInstall applies our entry to content (nil when the file is absent).
func editInstall(t Target, path string, content []byte, server Server) ([]byte, TargetRecord, bool, error) {
	format := t.Format(path)
	rec := TargetRecord{ID: t.ID, Path: path, Format: format}
	// Continue writes its YAML config itself; a JSON file of its own is
	// ours to create.
	if content == nil && t.agentCreates && format == FormatYAML {
		return nil, rec, false, &FileError{Path: path, What: "does not exist yet", Fix: "start " + t.Name + " once so that it writes its config"}
	}
	out, changed, err := syntaxOf(format).set(t, content, t.shape.fields(server), &rec)
	if err != nil {
		return nil, rec, false, editError(path, format, err)
	}
	return out, rec, changed, nil
}

// readOnly refuses a file without write permission: the user made it so,
// and may mean it.
func readOnly(path string) error {
	return &FileError{Path: path, What: "is read-only", Fix: "make it writable (chmod u+w " + path + ")"}
}

// messageError is a finished message that keeps its cause for errors.Is.
type messageError struct {
	msg string
	err error
}

func (e *messageError) Error() string { return e.msg }
func (e *messageError) Unwrap() error { return e.err }

func failed(fc FileChange, err error) FileChange {
	fc.Action = ActionError
	fc.Err = err
	fc.Message = err.Error()
	fc.After = nil
	return fc
}

// PlanUninstall computes what removing our entries would change.
func PlanUninstall(env Env, opts UninstallOptions) (*Plan, error) {
	if opts.Scope != ScopeLocal && opts.Scope != ScopeGlobal {
		return nil, fmt.Errorf("unknown scope %q (want local or global)", opts.Scope)
	}
	if opts.Scope == ScopeLocal && ProjectIsHome(env) {
		return nil, &LocalInHomeError{Home: env.Home}
	}
	old, err := ReadManifest(env, opts.Scope)
	if err != nil {
		return nil, localize(env, OpUninstall, err)
	}
	p := &Plan{Op: OpUninstall, Scope: opts.Scope, Version: env.Version, ManifestPath: ManifestPath(env, opts.Scope), old: old, home: env.Home}
	if old == nil {
		if opts.Scope == ScopeLocal {
			p.Unrecorded = UnrecordedProjectManifest(env)
		}
		return p, nil
	}
	p.Server = old.Server
	ids, err := canonicalIDs(opts.Targets)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for _, rec := range old.Targets {
		if len(want) > 0 && !want[rec.ID] {
			continue
		}
		p.Changes = append(p.Changes, planUninstallTarget(env, opts.Scope, rec))
	}
	return p, nil
}

func planUninstallTarget(env Env, scope Scope, rec TargetRecord) FileChange {
	fc := FileChange{Target: rec.ID, Path: rec.Path, Format: rec.Format, record: rec}
	fail := func(err error) FileChange { return failed(fc, localize(env, OpUninstall, err)) }
	if err := checkRecord(env, scope, rec); err != nil {
		return fail(err)
	}
	if scope == ScopeLocal {
		if err := insideProject(env, rec.Path); err != nil {
			return fail(err)
		}
	}
	before, exists, mode, err := readConfig(rec.Path)
	if err != nil {
		return fail(err)
	}
	if !exists {
		fc.Action = ActionUnchanged
		return fc
	}
	if mode&0o200 == 0 {
		return fail(readOnly(rec.Path))
	}
	fc.Before = before
	after, empty, err := editUninstall(rec, before)
	if err != nil {
		return fail(err)
	}
	switch {
	case rec.CreatedFile && empty:
		fc.Action = ActionDelete
	case bytes.Equal(after, before):
		fc.Action = ActionUnchanged
		fc.After = before
	default:
		fc.Action = ActionModify
		fc.After = after
	}
	return fc
}

func editUninstall(rec TargetRecord, content []byte) ([]byte, bool, error) {
	syn := syntaxOf(rec.Format)
	if !syn.hasUndo(rec) {
		return content, false, &FileError{Path: rec.Path, NoRerun: true,
			What: "is listed in the install manifest without what is needed to undo our edit",
			Fix:  "remove its codegraph entry by hand"}
	}
	out, empty, err := syn.revert(rec, content)
	if err != nil {
		return nil, false, editError(rec.Path, rec.Format, err)
	}
	return out, empty, nil
}

// canonicalIDs turns target ids as typed (any case, blanks, repeats) into
// registry ids, each once, in the order given.
func canonicalIDs(in []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if strings.TrimSpace(s) == "" {
			continue
		}
		id, err := ParseTargetID(s)
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}
