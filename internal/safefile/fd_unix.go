//go:build unix

package safefile

import (
	"io/fs"
	"syscall"
)

// OpenFD is Open for callers that work on raw descriptors: a hot path such
// as the telemetry queue's append, where an *os.File would cost syscalls of
// its own (registering with the runtime's poller). It opens path without
// following a final symlink and without blocking, and returns the
// descriptor as is: O_NONBLOCK stays set, which changes nothing for a
// regular file. Nothing is checked yet: the caller must pass the
// descriptor to StatFD (which refuses anything but a regular file) before
// it reads or writes, and may first take a lock on it, so that the size
// StatFD reports is the one under the lock.
func OpenFD(path string, flag int, perm fs.FileMode) (int, error) {
	fd, err := syscall.Open(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return -1, openError(path, err)
	}
	return fd, nil
}

// StatFD returns the status of the file open as fd, or an error naming
// path when it is not a regular file.
func StatFD(fd int, path string) (syscall.Stat_t, error) {
	var st syscall.Stat_t
	for {
		err := syscall.Fstat(fd, &st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return st, &fs.PathError{Op: "stat", Path: path, Err: err}
		}
		break
	}
	if mode := uint32(st.Mode); mode&syscall.S_IFMT != syscall.S_IFREG { // uint16 on some systems
		return st, notRegular(path, fileMode(mode))
	}
	return st, nil
}

// fileMode maps the type bits of a raw mode onto fs.FileMode's.
func fileMode(m uint32) fs.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	case syscall.S_IFLNK:
		return fs.ModeSymlink
	}
	return fs.ModeIrregular
}
