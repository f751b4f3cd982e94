//go:build !unix

package telemetry

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/safefile"
)

// handle is one open queue, claim or temporary file. Without flock, the
// queue is locked by an exclusively created lock file (lockPath), and a
// claim is not locked at all: a dead sender is recognised by its age only.
type handle struct {
	f        *os.File
	path     string
	lockPath string
	locked   *bool
}

type fileState struct {
	size    int64
	mtime   time.Time
	linked  bool
	retired bool // never: compaction writes aside here
	fi      os.FileInfo
}

func openHandle(path string, flag int, lockPath string) (handle, error) {
	f, err := safefile.Open(path, flag, 0o600)
	if err != nil {
		return handle{}, err
	}
	return handle{f: f, path: path, lockPath: lockPath, locked: new(bool)}, nil
}

func (h handle) state() (fileState, error) {
	fi, err := h.f.Stat()
	if err != nil {
		return fileState{}, pathError("stat", h.path, err)
	}
	if !fi.Mode().IsRegular() {
		return fileState{}, &fs.PathError{Op: "open", Path: h.path, Err: safefile.ErrNotRegular}
	}
	return fileState{size: fi.Size(), mtime: fi.ModTime(), linked: true, fi: fi}, nil
}

// tryLock creates the lock file exclusively. One older than staleLock
// belongs to a process that died inside a critical section of
// milliseconds, and is removed.
func (h handle) tryLock() (bool, error) {
	if h.lockPath == "" {
		return true, nil
	}
	const staleLock = 10 * time.Second
	f, err := os.OpenFile(h.lockPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err == nil {
		f.Close()
		*h.locked = true
		return true, nil
	}
	if fi, serr := os.Lstat(h.lockPath); serr == nil && time.Since(fi.ModTime()) > staleLock {
		os.Remove(h.lockPath)
	}
	return false, nil
}

func (h handle) namedHere(st fileState) bool {
	fi, err := os.Lstat(h.path)
	return err == nil && st.fi != nil && os.SameFile(fi, st.fi)
}

func (h handle) readAt(p []byte, off int64) (int, error) {
	n, err := h.f.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, pathError("read", h.path, err)
	}
	return n, err
}

func (h handle) write(p []byte) (int, error) {
	n, err := h.f.Write(p)
	if err != nil {
		return n, pathError("write", h.path, err)
	}
	return n, nil
}

func (h handle) writeAt(p []byte, off int64) error {
	if _, err := h.f.WriteAt(p, off); err != nil {
		return pathError("write", h.path, err)
	}
	return nil
}

func (h handle) close() {
	if h.f != nil {
		h.f.Close() // a second Close after beforeRename only returns an error
	}
	if h.locked != nil && *h.locked {
		os.Remove(h.lockPath)
		*h.locked = false
	}
}

// beforeRename closes the file, keeping the lock file: Windows does not
// rename over a file that is open.
func (h handle) beforeRename() {
	if h.f != nil {
		h.f.Close()
	}
}

// linksCounted: state cannot tell whether the file still has a name, so
// the name is looked at again after every lock.
const linksCounted = false

const createExclusive = os.O_RDWR | os.O_CREATE | os.O_EXCL

// pathError names path once: the error of an *os.File already names it.
func pathError(op, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
}

func (h handle) setRetired(bool) error { return nil }
