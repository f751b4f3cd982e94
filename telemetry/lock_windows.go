//go:build windows

package telemetry

import (
	"io/fs"
	"os"
	"syscall"

	"github.com/getcodegraph/codegraph-install/internal/safefile"
)

// Windows has no flock. A file opened with no sharing at all is the lock
// instead: while one process has it open, every other open fails with a
// sharing violation, and the system closes it when the process dies. The
// queue's lock is a lock file of its own; a sender holds its claim the
// same way (so readers skip a claim while it is being sent).
func (q queue) tryLock() (unlock func(), err error) {
	f, err := lockFile(q.dir.QueueLock(), os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}

// errSharingViolation is ERROR_SHARING_VIOLATION, which syscall does not name.
const errSharingViolation = syscall.Errno(32)

// lockFile opens path with no sharing: errBusy while another process has
// it open. A link is opened as itself, and refused as no regular file.
func lockFile(path string, flag int) (*os.File, error) {
	access, disposition := uint32(syscall.GENERIC_READ), uint32(syscall.OPEN_EXISTING)
	if flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		access |= syscall.GENERIC_WRITE
	}
	if flag&os.O_CREATE != 0 {
		disposition = syscall.OPEN_ALWAYS
	}
	name, err := syscall.UTF16PtrFromString(path)
	h := syscall.InvalidHandle
	if err == nil {
		h, err = syscall.CreateFile(name, access, 0, nil, disposition, syscall.FILE_ATTRIBUTE_NORMAL|syscall.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	}
	if err == errSharingViolation {
		err = errBusy
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

// hardLinked: Stat reports no link count here.
func hardLinked(fs.FileInfo) bool { return false }
