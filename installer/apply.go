package installer

import (
	"bytes"
	"context"
	"os"
)

// Result is the outcome of one FileChange.
type Result struct {
	Target string
	Path   string
	Action Action
	Op     Operation
	// Restored: an uninstall put back a codegraph entry that was there
	// before our first install (an older one, or the user's own).
	Restored bool
	Err      error // nil when ok
	Scope    Scope
	// Server is the command the entry runs: the one written (install), or
	// the one removed (uninstall, when the record knows it).
	Server *Server
	// Paste (a paste target, Action ActionPaste): the snippet to paste,
	// and Where to paste it; nothing was written.
	Paste, Where string
}

// Word is the result in the --json vocabulary: created, updated,
// unchanged, removed, restored, pasted or failed.
func (r Result) Word() string {
	switch o := r.Outcome(); o {
	case "up to date", "already gone":
		return "unchanged"
	default:
		return o
	}
}

// OK reports success.
func (r Result) OK() bool { return r.Err == nil }

// Outcome says in a word or two what happened to the file: "created",
// "updated", "removed" (our entry, or a file we had created), "restored"
// (the entry that was there before us), "up to date", "already gone",
// "failed".
func (r Result) Outcome() string {
	switch {
	case r.Err != nil:
		return "failed"
	case r.Action == ActionPaste:
		return "pasted"
	case r.Action == ActionCreate:
		return "created"
	case r.Action == ActionDelete:
		return "removed"
	case r.Action == ActionModify && r.Op == OpUninstall && r.Restored:
		return "restored"
	case r.Action == ActionModify && r.Op == OpUninstall:
		return "removed"
	case r.Action == ActionModify:
		return "updated"
	case r.Op == OpUninstall:
		return "already gone"
	}
	return "up to date"
}

// Apply executes the plan: each file independently (one failure does not
// stop the others), then the manifest. Every file is written the way
// writeVerified describes, so an agent rewriting its own config at the same
// time (Claude Code rewrites ~/.claude.json all the time) neither loses its
// update nor ours, and a result is OK only when our entry was seen in
// place (or, for uninstall, gone) after the write.
//
// Before any agent file is touched, the install record is written as it
// will be once every planned edit has succeeded: a disk that is full, or a
// state folder that cannot be written, then stops the install with nothing
// edited, rather than leaving an entry that uninstall does not know of.
func Apply(ctx context.Context, env Env, p *Plan) ([]Result, error) {
	results := make([]Result, 0, len(p.Changes))
	done := map[string]TargetRecord{}
	wroteFirst := false
	if p.Op == OpInstall {
		planned := map[string]TargetRecord{}
		for _, fc := range p.Changes {
			if fc.Action != ActionError && fc.Action != ActionPaste {
				planned[fc.Target] = fc.record
			}
		}
		if len(planned) > 0 {
			wroteFirst = true
			if err := updateManifest(env, p, planned); err != nil {
				err = localize(env, p.Op, recordFirstError(ManifestPath(env, p.Scope), err))
				for _, fc := range p.Changes {
					results = append(results, Result{Target: fc.Target, Path: fc.Path, Action: ActionError, Op: p.Op, Scope: p.Scope, Err: err})
				}
				return results, nil
			}
		}
	}
	for _, fc := range p.Changes {
		if err := ctx.Err(); err != nil {
			results = append(results, Result{Target: fc.Target, Path: fc.Path, Action: fc.Action, Op: p.Op, Scope: p.Scope, Err: err})
			continue
		}
		if fc.Action == ActionPaste {
			// Nothing to write, nothing to record: the user pastes it.
			srv := fc.Server
			results = append(results, Result{Target: fc.Target, Action: ActionPaste, Op: p.Op, Scope: p.Scope, Server: &srv,
				Paste: string(fc.After), Where: fc.Message})
			continue
		}
		var rec TargetRecord
		var act Action
		var err error
		if p.Op == OpInstall {
			rec, act, err = applyInstall(ctx, env, fc, p.Scope)
		} else {
			act, err = applyUninstall(ctx, env, fc, p.Scope)
		}
		srv := fc.record.Server
		if p.Op == OpInstall {
			srv = &fc.Server
		}
		results = append(results, Result{Target: fc.Target, Path: fc.Path, Action: act, Op: p.Op, Scope: p.Scope, Server: srv,
			Restored: p.Op == OpUninstall && fc.record.entryExisted(), Err: localize(env, p.Op, err)})
		if err == nil {
			done[fc.Target] = rec
		}
	}
	if ctx.Err() != nil && wroteFirst {
		// Interrupted: a file may hold our entry unverified, so the
		// record written first, which lists every planned file, stays.
		return results, nil
	}
	if p.Op == OpInstall && len(done) == 0 && p.old == nil {
		if wroteFirst {
			// Every edit failed: the record written first lists nothing.
			return results, localize(env, p.Op, removeManifest(env, p.Scope))
		}
		return results, nil
	}
	return results, localize(env, p.Op, updateManifest(env, p, done))
}

func applyInstall(ctx context.Context, env Env, fc FileChange, scope Scope) (TargetRecord, Action, error) {
	if fc.Action == ActionError {
		return TargetRecord{}, ActionError, fc.Err
	}
	t, _ := TargetByID(fc.Target)
	rec := fc.record
	w := newWriter(ctx, env, t, fc, scope, OpInstall)
	w.edit = func(current []byte, exists bool) ([]byte, Action, error) {
		if exists == (fc.Action != ActionCreate) && bytes.Equal(current, fc.Before) {
			// As planned: the plan's edit holds (no second parse of what
			// may be a large file).
			rec = fc.record
			if fc.Action == ActionUnchanged {
				return nil, ActionUnchanged, nil
			}
			return fc.After, fc.Action, nil
		}
		out, fresh, changed, err := editInstall(t, fc.Path, current, fc.Server)
		if err != nil {
			return nil, ActionError, err
		}
		// The record is what the plan would have made of this content.
		rec = installRecord(fresh, exists, fc.Server, fc.prev)
		switch {
		case !exists:
			return out, ActionCreate, nil
		case changed:
			return out, ActionModify, nil
		}
		return nil, ActionUnchanged, nil
	}
	w.holds = func(content []byte, exists bool) bool {
		e, err := t.entryIn(fc.Path, content)
		return exists && err == nil && e.runs(fc.Server)
	}
	// Directories made for a new file, on whichever attempt made them.
	var made []string
	w.created = func(dirs []string) { made = append(made, dirs...) }
	// Project files are usually committed and read by teammates' tools:
	// 0644. Files in the home directory may later hold secrets: 0600.
	w.newMode = 0o600
	if scope == ScopeLocal {
		w.newMode = 0o644
	}
	act, err := w.write()
	if len(rec.CreatedDirs) == 0 {
		rec.CreatedDirs = made
	}
	return rec, act, err
}

func applyUninstall(ctx context.Context, env Env, fc FileChange, scope Scope) (Action, error) {
	if fc.Action == ActionError {
		return ActionError, fc.Err
	}
	rec := fc.record
	t, _ := TargetByID(fc.Target)
	w := newWriter(ctx, env, t, fc, scope, OpUninstall)
	w.edit = func(current []byte, exists bool) ([]byte, Action, error) {
		if !exists {
			return nil, ActionUnchanged, nil
		}
		if bytes.Equal(current, fc.Before) {
			return fc.After, fc.Action, nil // as planned
		}
		out, empty, err := editUninstall(rec, current)
		switch {
		case err != nil:
			return nil, ActionError, err
		case rec.CreatedFile && empty:
			return nil, ActionDelete, nil
		case bytes.Equal(out, current):
			return nil, ActionUnchanged, nil
		}
		return out, ActionModify, nil
	}
	// Our edit is undone when undoing it again changes nothing (an entry
	// that was there before us stays, restored).
	w.holds = func(content []byte, exists bool) bool {
		if !exists {
			return true
		}
		out, _, err := editUninstall(rec, content)
		return err == nil && bytes.Equal(out, content)
	}
	w.removed = func() {
		_ = os.Remove(BackupPath(env, resolve(fc.Path)))
		removeEmptyDirs(rec.CreatedDirs)
	}
	return w.write()
}

// newWriter is the writer of one planned change; a project's file is
// checked again before each attempt for a link out of the project.
func newWriter(ctx context.Context, env Env, t Target, fc FileChange, scope Scope, op Operation) writer {
	w := writer{ctx: ctx, env: env, path: fc.Path, agent: t.Name, op: op, before: fc.Before,
		watch: t.LiveWriter && scope == ScopeGlobal, mayRun: func() bool { return agentMayRun(t) }}
	if scope == ScopeLocal {
		w.project = env.ProjectDir
	}
	return w
}

// recordFirstError: the install record, written before any agent file,
// could not be written, so nothing was edited.
func recordFirstError(path string, err error) error {
	if fe, ok := err.(*FileError); ok {
		return fe
	}
	return &FileError{Path: path, Err: err,
		What: "(codegraph's record of what it installs, written before any agent file) could not be written (" + osReason(err) + "); no agent file was changed",
		Fix:  fixFor(err, path)}
}

// manifestWriteError: the agents' files changed, but the record of what
// was changed (what uninstall undoes) could not be written.
func manifestWriteError(path string, err error) error {
	return &FileError{Path: path, Err: err, Written: true,
		What: "(the install manifest) could not be written (" + osReason(err) + "); the agents' files were changed, and it may still list an agent whose file was not (uninstall leaves such a file as it is)",
		Fix:  fixFor(err, path)}
}

func updateManifest(env Env, p *Plan, done map[string]TargetRecord) error {
	path := ManifestPath(env, p.Scope)
	if p.Op == OpInstall {
		m := &Manifest{Version: p.Version, Scope: p.Scope, Server: p.Server, InstalledAt: env.now()}
		seen := map[string]bool{}
		if p.old != nil {
			for _, r := range p.old.Targets {
				if nr, ok := done[r.ID]; ok {
					m.Targets = append(m.Targets, nr)
				} else {
					m.Targets = append(m.Targets, r)
				}
				seen[r.ID] = true
			}
		}
		for _, fc := range p.Changes {
			if r, ok := done[fc.Target]; ok && !seen[fc.Target] {
				m.Targets = append(m.Targets, r)
				seen[fc.Target] = true
			}
		}
		if err := writeManifest(env, p.Scope, m); err != nil {
			return manifestWriteError(path, err)
		}
		return nil
	}
	if p.old == nil {
		return nil
	}
	m := *p.old
	m.Targets = nil
	for _, r := range p.old.Targets {
		if _, ok := done[r.ID]; !ok {
			m.Targets = append(m.Targets, r)
		}
	}
	if len(m.Targets) > 0 {
		if err := writeManifest(env, p.Scope, &m); err != nil {
			return manifestWriteError(path, err)
		}
		return nil
	}
	return removeManifest(env, p.Scope)
}
