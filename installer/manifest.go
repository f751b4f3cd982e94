package installer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/getcodegraph/codegraph-install/installer/jsonc"
	"github.com/getcodegraph/codegraph-install/installer/tomlcfg"
	"github.com/getcodegraph/codegraph-install/installer/yamlcfg"
	"github.com/getcodegraph/codegraph-install/internal/atomicfile"
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

// Manifest is install.json: what we added, so uninstall removes exactly that.
type Manifest struct {
	Version     string         `json:"version"`
	Scope       Scope          `json:"scope"`
	Server      Server         `json:"server"`
	InstalledAt time.Time      `json:"installed_at"`
	Targets     []TargetRecord `json:"targets"`
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

// ManifestPath is install.json for a scope.
func ManifestPath(env Env, scope Scope) string {
	if scope == ScopeLocal {
		return statedir.ForProject(env.ProjectDir).InstallManifest()
	}
	return statedir.ForHome(env.Home).InstallManifest()
}

// ReadManifest loads the manifest of a scope; (nil, nil) when there is none.
func ReadManifest(env Env, scope Scope) (*Manifest, error) {
	path := ManifestPath(env, scope)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, ioError(path, "read", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, &FileError{Path: path, Err: err,
			What: "(the install manifest, codegraph's record of what it installed) is not valid JSON (" + syntaxReason(err) + ")",
			Fix:  "move it aside (uninstall then no longer knows the earlier install: remove its codegraph entries by hand)"}
	}
	return &m, nil
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

func writeManifest(env Env, scope Scope, m *Manifest) error {
	path := ManifestPath(env, scope)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding install manifest: %w", err)
	}
	return atomicfile.Write(path, append(b, '\n'), 0o600, atomicfile.Durable)
}
