// Package atomicfile is the one way codegraph replaces a file's content:
// readers see the old content or the new, never a torn write, and a crash
// leaves the old file in place. The installer (agent configs, manifests,
// backups), consent (telemetry.json) and the census (census.json) all write
// through it.
package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Sync says whether a write must reach the disk before the rename.
type Sync bool

const (
	// Durable data is the user's (their agent configs, their consent
	// choice, the manifest that undoes an install): fsync before the
	// rename, so a power cut never leaves an empty file in its place.
	Durable Sync = true
	// Derived data can be made again by rerunning a command (the census):
	// skipping the fsync saves milliseconds and risks nothing.
	Derived Sync = false
)

// Option changes how Write replaces a file.
type Option func(*options)

type options struct {
	beforeRename func() error
}

// BeforeRename runs check after the new content is on disk (written, and
// synced when the write is Durable) and immediately before the rename that
// makes it visible. When check returns an error nothing is replaced, the
// temporary file is removed and Write returns that error (wrapped, so
// errors.Is finds it).
//
// It is how a caller that edits a file another program also rewrites (an
// agent rewriting its own config) checks that the file still holds what
// the edit was computed from: everything slow happens before the check, so
// the window in which a concurrent write can still be lost is the check
// itself plus one rename, microseconds.
func BeforeRename(check func() error) Option {
	return func(o *options) { o.beforeRename = check }
}

// Write stores data at path through a temporary file in the same directory
// (so the rename stays on one file system), with mode perm set before any
// byte is written and before the rename, so the new file is never visible,
// even for an instant, with wider permissions than asked for.
func Write(path string, data []byte, perm fs.FileMode, sync Sync, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".codegraph-tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if sync {
		if err := tmp.Sync(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if o.beforeRename != nil {
		if err := o.beforeRename(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	renamed = true
	return nil
}
