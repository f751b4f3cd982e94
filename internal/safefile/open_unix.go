//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// open opens without following a final symlink (O_NOFOLLOW) and without
// blocking (O_NONBLOCK: opening a FIFO for reading would otherwise wait
// for a writer forever). Once the caller has checked that the descriptor
// is a regular file, non-blocking mode changes nothing for it; it is
// cleared all the same so the file behaves as any other.
func open(path string, flag int, perm fs.FileMode) (*os.File, error) {
	fd, err := syscall.Open(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return nil, openError(path, err)
	}
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// openError names path once and says what stands there when the open was
// refused because of it.
func openError(path string, err error) error {
	if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) {
		return &fs.PathError{Op: "open", Path: path, Err: ErrSymlink}
	}
	if errors.Is(err, syscall.EISDIR) {
		return notRegular(path, fs.ModeDir)
	}
	if errors.Is(err, syscall.ENXIO) {
		// O_WRONLY|O_NONBLOCK on a FIFO without a reader, or a socket.
		return &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	return &fs.PathError{Op: "open", Path: path, Err: err}
}
