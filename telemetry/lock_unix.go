//go:build unix

package telemetry

import (
	"io/fs"
	"syscall"
)

// lockFile takes an exclusive advisory lock on path, creating it. The kernel
// releases it if the process dies, so a crash never leaves the queue locked.
// It uses the raw descriptor: an *os.File would register with the runtime's
// poller and switch modes, three extra syscalls on every persist.
func lockFile(path string) (unlock func(), err error) {
	fd, err := syscall.Open(path, syscall.O_CREAT|syscall.O_RDWR|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
		syscall.Close(fd)
		return nil, &fs.PathError{Op: "flock", Path: path, Err: err}
	}
	return func() {
		// Closing the descriptor releases the lock.
		syscall.Close(fd)
	}, nil
}
