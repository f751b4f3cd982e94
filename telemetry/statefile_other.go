//go:build !unix || telemetry_portable

package telemetry

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/safefile"
)

// handle is one open queue, claim or temporary file, for systems without
// flock (Windows). The queue is locked by an exclusively created lock file
// (lockPath); a claim is not locked at all, so a dead sender is recognised
// by its age only. Windows renames neither a file that is open nor over
// one, so a handle closes its file before a rename (beforeRename) and opens
// it again, at the path it has then, when next used.
//
// The build tag telemetry_portable selects this file on Unix too, so that
// its tests run where the CI runs (go test -tags telemetry_portable).
type handle struct {
	path string
	ref  *openFile
}

// openFile is what the copies of a handle share.
type openFile struct {
	f        *os.File
	flag     int
	lockPath string
	locked   bool
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
	reopen := flag &^ (os.O_CREATE | os.O_EXCL | os.O_TRUNC)
	return handle{path: path, ref: &openFile{f: f, flag: reopen, lockPath: lockPath}}, nil
}

// file is the open file, opened again after a rename.
func (h handle) file() (*os.File, error) {
	if h.ref.f == nil {
		f, err := safefile.Open(h.path, h.ref.flag, 0o600)
		if err != nil {
			return nil, err
		}
		h.ref.f = f
	}
	return h.ref.f, nil
}

func (h handle) state() (fileState, error) {
	f, err := h.file()
	if err != nil {
		return fileState{}, err
	}
	fi, err := f.Stat()
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
	if h.ref.lockPath == "" || h.ref.locked {
		return true, nil
	}
	const staleLock = 10 * time.Second
	f, err := os.OpenFile(h.ref.lockPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err == nil {
		f.Close()
		h.ref.locked = true
		return true, nil
	}
	if fi, serr := os.Lstat(h.ref.lockPath); serr == nil && time.Since(fi.ModTime()) > staleLock {
		os.Remove(h.ref.lockPath)
	}
	return false, nil
}

// namedHere reports whether the path still names the file that was stat'ed.
func (h handle) namedHere(st fileState) bool {
	fi, err := os.Lstat(h.path)
	return err == nil && st.fi != nil && os.SameFile(fi, st.fi)
}

func (h handle) readAt(p []byte, off int64) (int, error) {
	f, err := h.file()
	if err != nil {
		return 0, err
	}
	n, err := f.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, pathError("read", h.path, err)
	}
	return n, err
}

func (h handle) write(p []byte) (int, error) {
	f, err := h.file()
	if err != nil {
		return 0, err
	}
	n, err := f.Write(p)
	if err != nil {
		return n, pathError("write", h.path, err)
	}
	return n, nil
}

func (h handle) writeAt(p []byte, off int64) error {
	f, err := h.file()
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(p, off); err != nil {
		return pathError("write", h.path, err)
	}
	return nil
}

// beforeRename closes the file (it is opened again when next used),
// keeping the lock file: Windows renames neither an open file nor over one.
func (h handle) beforeRename() {
	if h.ref != nil && h.ref.f != nil {
		h.ref.f.Close()
		h.ref.f = nil
	}
}

// takeLock moves the queue's lock from the handle of the file that was the
// queue to the one of the file that now is.
func (h handle) takeLock(from handle) {
	h.ref.lockPath, h.ref.locked = from.ref.lockPath, from.ref.locked
	from.ref.locked = false
}

// releaseLock lets the queue's name go once the file was renamed away to
// a claim: other processes may append to a new queue meanwhile.
func (h handle) releaseLock() {
	if h.ref.locked {
		os.Remove(h.ref.lockPath)
		h.ref.locked = false
	}
}

func (h handle) close() {
	if h.ref == nil {
		return
	}
	h.beforeRename()
	h.releaseLock()
}

func (h handle) setRetired(bool) error { return nil }

// unlock is not used here: the queue is not kept open between appends.
func (h handle) unlock() error { return errors.ErrUnsupported }

// keepQueueOpen: an open file stops a rename on Windows.
const keepQueueOpen = false

// hardLinksRefused: the link count is not looked at here.
const hardLinksRefused = false

// lockIsAFile: the queue is locked by a file of its own (lockPath).
const lockIsAFile = true

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
