package installer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/getcodegraph/codegraph-install/internal/atomicfile"
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
// stop the others), then the manifest. It re-reads every file right before
// writing and, if someone (Claude Code rewrites ~/.claude.json all the
// time) changed it since the plan, re-applies our edit to the fresh content.
func Apply(ctx context.Context, env Env, p *Plan) ([]Result, error) {
	results := make([]Result, 0, len(p.Changes))
	done := map[string]TargetRecord{}
	for _, fc := range p.Changes {
		if err := ctx.Err(); err != nil {
			results = append(results, Result{Target: fc.Target, Path: fc.Path, Action: fc.Action, Op: p.Op, Err: err})
			continue
		}
		var rec TargetRecord
		var err error
		if p.Op == OpInstall {
			rec, err = applyInstall(env, fc, fc.Server, p.Scope)
		} else {
			err = applyUninstall(env, fc)
		}
		results = append(results, Result{Target: fc.Target, Path: fc.Path, Action: fc.Action, Op: p.Op,
			Restored: p.Op == OpUninstall && fc.record.entryExisted(), Err: err})
		if err == nil {
			done[fc.Target] = rec
		}
	}
	return results, updateManifest(env, p, done)
}

func applyInstall(env Env, fc FileChange, server Server, scope Scope) (TargetRecord, error) {
	if fc.Action == ActionError {
		return TargetRecord{}, fc.Err
	}
	rec := fc.record
	if fc.Action == ActionUnchanged {
		return rec, nil
	}
	t, _ := TargetByID(fc.Target)
	real := resolve(fc.Path)
	current, exists, mode, err := readConfig(real)
	if err != nil {
		return rec, err
	}
	after := fc.After
	if !bytes.Equal(current, fc.Before) || exists != (fc.Action != ActionCreate) {
		// Changed since the plan: redo our edit on what is there now.
		out, fresh, changed, err := editInstall(t, fc.Path, current, server)
		if err != nil {
			return rec, err
		}
		if !changed {
			return rec, nil
		}
		after = out
		rec.CreatedFile = !exists || fc.record.CreatedFile && fc.Action != ActionCreate
		if !rec.entryExisted() {
			rec.JSON, rec.TOML, rec.YAML, rec.PreviousEntry = fresh.JSON, fresh.TOML, fresh.YAML, fresh.PreviousEntry
		}
	}
	if !exists {
		dirMode := fs.FileMode(0o700)
		created, err := mkdirs(filepath.Dir(real), dirMode)
		if err != nil {
			return rec, err
		}
		if len(rec.CreatedDirs) == 0 {
			rec.CreatedDirs = created
		}
		rec.CreatedFile = true
		// Project files are usually committed and read by teammates' tools:
		// 0644. Files in the home directory may later hold secrets: 0600.
		mode = 0o600
		if scope == ScopeLocal {
			mode = 0o644
		}
	} else if err := writeBackup(env, real, current); err != nil {
		return rec, fmt.Errorf("keeping a backup of %s: %w", fc.Path, err)
	}
	return rec, atomicfile.Write(real, after, mode, atomicfile.Durable)
}

func applyUninstall(env Env, fc FileChange) error {
	switch fc.Action {
	case ActionError:
		return fc.Err
	case ActionUnchanged:
		return nil
	}
	real := resolve(fc.Path)
	current, exists, mode, err := readConfig(real)
	if err != nil {
		return err
	}
	if !exists {
		return nil
	}
	after, empty, action := fc.After, fc.Action == ActionDelete, fc.Action
	if !bytes.Equal(current, fc.Before) {
		after, empty, err = editUninstall(fc.record, current)
		if err != nil {
			return err
		}
		action = ActionModify
		if fc.record.CreatedFile && empty {
			action = ActionDelete
		}
	}
	if action == ActionDelete {
		if err := os.Remove(real); err != nil {
			return fmt.Errorf("removing %s: %w", fc.Path, err)
		}
		_ = os.Remove(BackupPath(env, real))
		removeEmptyDirs(fc.record.CreatedDirs)
		return nil
	}
	if bytes.Equal(after, current) {
		return nil
	}
	if err := writeBackup(env, real, current); err != nil {
		return fmt.Errorf("keeping a backup of %s: %w", fc.Path, err)
	}
	return atomicfile.Write(real, after, mode, atomicfile.Durable)
}

func updateManifest(env Env, p *Plan, done map[string]TargetRecord) error {
	path := ManifestPath(env, p.Scope)
	if p.Op == OpInstall {
		if len(done) == 0 && p.old == nil {
			return nil
		}
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
			return fmt.Errorf("writing install manifest %s: %w", path, err)
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
		return writeManifest(env, p.Scope, &m)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing install manifest %s: %w", path, err)
	}
	_ = os.Remove(filepath.Dir(path)) // only succeeds when .codegraph/ is now empty
	return nil
}
