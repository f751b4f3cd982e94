//go:build unix

package telemetry

import (
	"io/fs"
	"os"
	"syscall"
)

// The queue's lock is an flock on the state directory itself: the one
// thing that is never renamed, replaced or removed while codegraph runs,
// and where no stray file can stand in the way (a lock file could be a
// FIFO, a directory or a link that someone left). The kernel drops an
// flock when its process dies, so a crash never leaves anything locked.
type dirLock struct{ fd int }

func (q queue) openLock() (dirLock, error) {
	// O_NONBLOCK: were the directory replaced by a FIFO, the open would
	// otherwise wait for a writer forever.
	fd, err := syscall.Open(q.dir.Root(), syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return dirLock{}, &fs.PathError{Op: "lock", Path: q.dir.Root(), Err: err}
	}
	return dirLock{fd}, nil
}

func (l dirLock) try() (bool, error) { return flock(l.fd) }

func (l dirLock) close() { syscall.Close(l.fd) }

// flock takes an exclusive flock without waiting.
func flock(fd int) (bool, error) {
	for {
		switch err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err {
		case nil:
			return true, nil
		case syscall.EWOULDBLOCK:
			return false, nil
		case syscall.EINTR:
		default:
			return false, err
		}
	}
}

// lockFile opens a claim and takes its flock without waiting: errBusy
// while its sender holds it.
func lockFile(path string, flag int) (*os.File, error) {
	f, _, err := openFile(path, flag)
	if err != nil {
		return nil, err
	}
	ok, err := flock(int(f.Fd()))
	if !ok || err != nil {
		f.Close()
		if err == nil {
			err = errBusy
		}
		return nil, &fs.PathError{Op: "lock", Path: path, Err: err}
	}
	return f, nil
}

// hardLinked reports a file with more than one name.
func hardLinked(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Nlink > 1
}
