//go:build windows

package telemetry

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"github.com/getcodegraph/codegraph-install/internal/safefile"
)

// Windows has no flock. A file opened with no sharing at all is the lock
// instead: while one process has it open, every other open fails with a
// sharing violation, and the system closes it when the process dies. The
// queue's lock is such a handle on a lock file of its own
// (telemetry-queue.lock), and a sender holds its claim the same way (so a
// reader skips a claim being sent).
type fileLock struct {
	path string
	f    *os.File
}

// errSharingViolation is ERROR_SHARING_VIOLATION, which package syscall
// does not name.
const errSharingViolation = syscall.Errno(32)

func (q queue) openLock() (*fileLock, error) { return &fileLock{path: q.dir.QueueLock()}, nil }

func (l *fileLock) try() (bool, error) {
	f, err := lockFile(l.path, os.O_RDWR|os.O_CREATE)
	if errors.Is(err, errBusy) {
		return false, nil
	}
	l.f = f
	return err == nil, err
}

func (l *fileLock) close() {
	if l.f != nil {
		l.f.Close()
	}
}

// lockFile opens path with no sharing: errBusy while another process has
// it open. A link is opened as itself (FILE_FLAG_OPEN_REPARSE_POINT), and
// anything but a regular file refused.
func lockFile(path string, flag int) (*os.File, error) {
	name, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	access, disposition := uint32(syscall.GENERIC_READ), uint32(syscall.OPEN_EXISTING)
	if flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		access |= syscall.GENERIC_WRITE
	}
	if flag&os.O_CREATE != 0 {
		disposition = syscall.OPEN_ALWAYS
	}
	h, err := syscall.CreateFile(name, access, 0, nil, disposition, syscall.FILE_ATTRIBUTE_NORMAL|syscall.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if err == errSharingViolation {
		return nil, &fs.PathError{Op: "lock", Path: path, Err: errBusy}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(h), path)
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: safefile.ErrNotRegular}
	}
	return f, nil
}

// hardLinked: the link count is not looked at here (Stat does not report it).
func hardLinked(fs.FileInfo) bool { return false }
