//go:build unix

package telemetry

import (
	"io/fs"
	"os"
	"syscall"
)

// tryLock takes the queue's lock without waiting: an flock on the state
// directory itself, which nothing renames, replaces or removes while
// codegraph runs, and where no stray file can stand in the way (a lock
// file could be a FIFO, a directory or a link that someone left). The
// kernel drops an flock when its process dies: a crash locks nothing.
func (q queue) tryLock() (unlock func(), err error) {
	// O_NONBLOCK: a FIFO put in its place would block the open forever.
	fd, err := syscall.Open(q.dir.Root(), syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err == nil {
		if err = flock(fd); err == nil {
			return func() { syscall.Close(fd) }, nil
		}
		syscall.Close(fd)
	}
	return nil, &fs.PathError{Op: "lock", Path: q.dir.Root(), Err: err}
}

// lockFile opens a claim and takes its flock without waiting: errBusy
// while its sender holds it.
func lockFile(path string, flag int) (*os.File, error) {
	f, _, err := openFile(path, flag)
	if err == nil {
		if err = flock(int(f.Fd())); err != nil {
			f.Close()
			return nil, &fs.PathError{Op: "lock", Path: path, Err: err}
		}
	}
	return f, err
}

func flock(fd int) error {
	for {
		switch err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err {
		case syscall.EWOULDBLOCK:
			return errBusy
		case syscall.EINTR:
		default:
			return err
		}
	}
}

func hardLinked(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Nlink > 1
}
