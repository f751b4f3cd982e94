package installer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/getcodegraph/codegraph-install/installer/jsonc"
	"github.com/getcodegraph/codegraph-install/installer/tomlcfg"
	"github.com/getcodegraph/codegraph-install/installer/yamlcfg"
	"github.com/getcodegraph/codegraph-install/internal/atomicfile"
	"github.com/getcodegraph/codegraph-install/internal/safefile"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Kind tells a fresh install from a repeat: no manifest is fresh, a
// manifest of another version an upgrade, of the same version a reinstall.
type Kind = schema.InstallKind

// Kinds, as sent in the install event (defined once in telemetry/schema).
const (
	KindFresh     = schema.InstallFresh
	KindUpgrade   = schema.InstallUpgrade
	KindReinstall = schema.InstallReinstall
)

// Manifest is an install record: what we added, so uninstall removes
// exactly that. The global scope's is ~/.codegraph/install.json; a local
// install's is kept under ~/.codegraph too (statedir.Dir.LocalInstall), and
// the project gets a copy without undo data (projectManifest). Nothing that
// uninstall writes back or deletes is ever read from a project directory:
// a repository can ship a .codegraph/install.json of its own.
type Manifest struct {
	Version     string         `json:"version"`
	Scope       Scope          `json:"scope"`
	Server      Server         `json:"server"`
	InstalledAt time.Time      `json:"installed_at"`
	Targets     []TargetRecord `json:"targets"`
	// Project is the real path of the project a local-scope record is
	// for; a record found under another project's name is not used.
	Project string `json:"project,omitempty"`
}

// TargetRecord is one agent file we edited.
type TargetRecord struct {
	ID          string   `json:"id"`
	Path        string   `json:"path"`
	Format      Format   `json:"format"`
	CreatedFile bool     `json:"created_file"`
	CreatedDirs []string `json:"created_dirs,omitempty"` // deepest last
	// Server is the command written for this agent (the absolute path of
	// the binary for a GUI app, see Resolve).
	Server *Server `json:"server,omitempty"`
	// PreviousEntry is the raw text of a codegraph entry that was there
	// before our first install (JSON targets), for display and restore.
	PreviousEntry *string       `json:"previous_entry,omitempty"`
	JSON          *jsonc.Undo   `json:"json_undo,omitempty"`
	TOML          *tomlcfg.Undo `json:"toml_undo,omitempty"`
	YAML          *yamlcfg.Undo `json:"yaml_undo,omitempty"`
}

// projectManifest is <project>/.codegraph/install.json: which of the
// project's agent files a local install changed, for the people who look
// at the project. It holds no undo data and is never read back for one.
type projectManifest struct {
	Note        string          `json:"note"`
	Version     string          `json:"version"`
	InstalledAt time.Time       `json:"installed_at"`
	Targets     []projectTarget `json:"targets"`
}

type projectTarget struct {
	ID   string `json:"id"`
	Path string `json:"path"` // relative to the project, with slashes
}

// maxManifestSize bounds the read of an install record: one holds a few
// kilobytes per agent (the undo data of each file).
const maxManifestSize = 4 << 20

// ManifestPath is the install record of a scope: ~/.codegraph/install.json
// for the global scope; for the local scope the record of env's project
// under ~/.codegraph/projects/.
func ManifestPath(env Env, scope Scope) string {
	d := statedir.ForHome(env.Home)
	if scope == ScopeLocal {
		return d.LocalInstall(realProject(env))
	}
	return d.InstallManifest()
}

// ProjectManifestPath is the project's copy, <project>/.codegraph/install.json.
func ProjectManifestPath(env Env) string {
	return statedir.ForProject(env.ProjectDir).InstallManifest()
}

// realProject is the project directory's absolute path with its links
// followed: one project reached by two names has one record.
func realProject(env Env) string {
	dir, err := filepath.Abs(env.ProjectDir)
	if err != nil {
		dir = filepath.Clean(env.ProjectDir)
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		return real
	}
	return dir
}

// ReadManifest loads the install record of a scope; (nil, nil) when there
// is none (for the local scope: none written by this user for env's
// project, whatever the project's own .codegraph/install.json says).
func ReadManifest(env Env, scope Scope) (*Manifest, error) {
	path := ManifestPath(env, scope)
	b, err := safefile.ReadFile(path, maxManifestSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &FileError{Path: path, Err: err, What: "(the install manifest, codegraph's record of what it installed) could not be read (" + osReason(err) + ")",
			Fix: "move it aside (uninstall then no longer knows the earlier install: remove its codegraph entries by hand)"}
	}
	m, err := decodeManifest(b)
	if err != nil {
		return nil, &FileError{Path: path, Err: err,
			What: "(the install manifest, codegraph's record of what it installed) is not valid JSON (" + syntaxReason(err) + ")",
			Fix:  "move it aside (uninstall then no longer knows the earlier install: remove its codegraph entries by hand)"}
	}
	if scope == ScopeLocal && m.Project != realProject(env) {
		return nil, nil // another project's record under a colliding name
	}
	return m, nil
}

// decodeManifest parses an install record.
func decodeManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// UnrecordedProjectManifest returns the project's .codegraph/install.json
// when it exists but this user has no record of a local install there: it
// came with the project (a clone), or from another machine. Uninstall then
// restores and deletes nothing, and says so. "" otherwise.
func UnrecordedProjectManifest(env Env) string {
	if env.ProjectDir == "" {
		return ""
	}
	if m, err := ReadManifest(env, ScopeLocal); m != nil || err != nil {
		return ""
	}
	path := ProjectManifestPath(env)
	if _, err := os.Lstat(path); err != nil {
		return ""
	}
	return path
}

// checkRecord refuses a record whose file is not the one the target reads
// for that scope (and project), or whose undo data is of another syntax:
// an install record is only ever trusted for the files the registry names.
func checkRecord(env Env, scope Scope, rec TargetRecord) error {
	t, ok := TargetByID(rec.ID)
	if !ok {
		return &FileError{Path: ManifestPath(env, scope), NoRerun: true,
			What: fmt.Sprintf("lists an agent codegraph-install does not know (%q), so it was left alone", rec.ID),
			Fix:  "remove its entry by hand if you made one"}
	}
	want, err := t.ConfigPath(env, scope)
	if err != nil || !samePathOrSibling(want, rec.Path) {
		return &FileError{Path: rec.Path, NoRerun: true,
			What: fmt.Sprintf("is recorded as %s's config file, which for the %s scope is %s, so it was left alone", t.Name, scope, want),
			Fix:  "remove its codegraph entry by hand if there is one"}
	}
	format := t.Format(rec.Path)
	undoOK := syntaxOf(format).hasUndo(rec)
	if rec.Format != format || !undoOK {
		return &FileError{Path: rec.Path, NoRerun: true,
			What: "is listed in the install record without what is needed to undo our edit",
			Fix:  "remove its codegraph entry by hand"}
	}
	return nil
}

// samePathOrSibling: got is want, or want's .json/.jsonc twin in the same
// folder (opencode reads opencode.jsonc when it exists, else
// opencode.json, so the file an install chose may have a twin since).
func samePathOrSibling(want, got string) bool {
	if want == got {
		return true
	}
	if filepath.Dir(want) != filepath.Dir(got) {
		return false
	}
	stem := func(p string) string {
		b := filepath.Base(p)
		if s, ok := strings.CutSuffix(b, ".jsonc"); ok {
			return s
		}
		if s, ok := strings.CutSuffix(b, ".json"); ok {
			return s
		}
		return ""
	}
	return stem(want) != "" && stem(want) == stem(got)
}

// KindFor derives the install kind from the existing manifest.
func KindFor(m *Manifest, version string) Kind {
	switch {
	case m == nil:
		return KindFresh
	case m.Version != version:
		return KindUpgrade
	}
	return KindReinstall
}

func (m *Manifest) record(id string) *TargetRecord {
	if m == nil {
		return nil
	}
	for i := range m.Targets {
		if m.Targets[i].ID == id {
			return &m.Targets[i]
		}
	}
	return nil
}

// writeManifest writes the install record of a scope; for the local scope
// also the project's copy, after the record (the record is what uninstall
// needs).
func writeManifest(env Env, scope Scope, m *Manifest) error {
	path := ManifestPath(env, scope)
	d := statedir.ForHome(env.Home)
	ensure := d.Ensure
	if scope == ScopeLocal {
		m.Project = realProject(env)
		ensure = d.EnsureLocalInstalls
	}
	if err := ensure(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding install manifest: %w", err)
	}
	if err := atomicfile.Write(path, append(b, '\n'), 0o600, atomicfile.Durable); err != nil {
		return err
	}
	if scope == ScopeLocal {
		return writeProjectManifest(env, m)
	}
	return nil
}

// writeProjectManifest writes the project's copy of a local record.
func writeProjectManifest(env Env, m *Manifest) error {
	path := ProjectManifestPath(env)
	if err := insideProject(env, path); err != nil {
		return err
	}
	pm := projectManifest{
		Note:        "What codegraph-install changed in this project's agent files. The undo data is kept in the home directory of the user who installed.",
		Version:     m.Version,
		InstalledAt: m.InstalledAt,
	}
	for _, r := range m.Targets {
		rel, err := filepath.Rel(env.ProjectDir, r.Path)
		if err != nil {
			rel = r.Path
		}
		pm.Targets = append(pm.Targets, projectTarget{ID: r.ID, Path: filepath.ToSlash(rel)})
	}
	b, err := json.MarshalIndent(pm, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding install manifest: %w", err)
	}
	if err := statedir.ForProject(env.ProjectDir).Ensure(); err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'), 0o644, atomicfile.Durable)
}

// removeManifest deletes the install record of a scope (and, for the
// local scope, the project's copy and its .codegraph folder once empty).
func removeManifest(env Env, scope Scope) error {
	path := ManifestPath(env, scope)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &FileError{Path: path, Err: err, Written: true,
			What: "(the install manifest) could not be removed (" + osReason(err) + "); the agents' files were restored",
			Fix:  "delete it by hand"}
	}
	if scope != ScopeLocal {
		return nil
	}
	_ = os.Remove(filepath.Dir(path)) // only succeeds when no other project's record is left
	copyPath := ProjectManifestPath(env)
	if insideProject(env, copyPath) != nil {
		return nil // never deleted through a link out of the project
	}
	if err := os.Remove(copyPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &FileError{Path: copyPath, Err: err, Written: true,
			What: "could not be removed (" + osReason(err) + "); the agents' files were restored",
			Fix:  "delete it by hand"}
	}
	_, _ = statedir.ForProject(env.ProjectDir).RemoveIfEmpty() // only when nothing else is left in .codegraph/
	return nil
}
