// Package atomicfile is the one way codegraph replaces a file's content:
// readers see the old content or the new, never a torn write, and a crash
// leaves the old file in place. The installer (agent configs, manifests,
// backups), consent (telemetry.json) and the census (census.json) all write
// through it.
package atomicfile

import (
	"errors"
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
// even for an instant, with wider permissions than asked for. Whatever
// stood at path (a symlink included) is replaced, never followed. Options
// (BeforeRename) run checks between the fsync and the rename.
func Write(path string, data []byte, perm fs.FileMode, sync Sync, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	name, err := writeTemp(path, data, perm, sync)
	if err != nil {
		return err
	}
	if o.beforeRename != nil {
		if err := o.beforeRename(); err != nil {
			os.Remove(name)
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return failed(path, err)
	}
	return nil
}

// WriteNew stores data at path like Write, but only when nothing stands
// there yet: it never replaces a file another process wrote in the
// meantime. The complete temporary file is hard-linked into place, which
// fails when path exists; the error then wraps fs.ErrExist. On a file
// system without hard links the file is created exclusively instead.
func WriteNew(path string, data []byte, perm fs.FileMode, sync Sync) error {
	name, err := writeTemp(path, data, perm, sync)
	if err != nil {
		return err
	}
	defer os.Remove(name)
	err = os.Link(name, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return failed(path, err)
	}
	// No hard links here (some network and FAT file systems): O_EXCL
	// still refuses to replace anything, at the cost of a torn file if
	// the machine stops mid-write (which then fails to parse, never
	// silently changes a value).
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return failed(path, err)
	}
	_, err = f.Write(data)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return failed(path, err)
}

// TempPattern matches the temporary files that Write and WriteNew make
// beside path (filepath.Glob syntax; a pattern in path's base name carries
// over). Only a process killed mid-write leaves one behind, so a caller
// that serialises its writes can remove whatever matches.
func TempPattern(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".codegraph-tmp-*")
}

// writeTemp writes data to a new temporary file beside path and returns
// its name; on error nothing is left behind.
func writeTemp(path string, data []byte, perm fs.FileMode, sync Sync) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(TempPattern(path)))
	if err != nil {
		return "", failed(path, err)
	}
	name := tmp.Name()
	err = tmp.Chmod(perm)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil && sync {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", failed(path, err)
	}
	return name, nil
}

// failed names path once: the operating system's errors carry a path of
// their own (often the temporary file's), which would make the message
// read "write X: open .X.codegraph-tmp-123: permission denied". Only the
// cause is kept. nil stays nil.
func failed(path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return fmt.Errorf("write %s: %w", path, err)
}
