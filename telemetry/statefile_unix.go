//go:build unix && !telemetry_portable

package telemetry

import (
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/safefile"
)

// handle is one open queue, claim or temporary file, on a raw descriptor:
// an *os.File would register with the runtime's poller, syscalls that a
// regular file never needs and that a persist would pay every time.
type handle struct {
	fd   int
	path string
}

// fileState is what the queue code needs from a stat: size, time, and
// whether the file still has a name (see namedHere).
type fileState struct {
	size  int64
	mtime time.Time
	// linked is false once the file was renamed over or removed: whoever
	// held its lock replaced it, and the name now means another file.
	linked   bool
	dev, ino uint64
	// retired: a compaction swapped this file out of the queue's name
	// (spare_linux.go), or died between marking it and the swap.
	retired bool
}

// openHandle opens path without following a symlink or blocking on a FIFO
// (safefile.OpenFD). lockPath is unused here: the file itself is locked.
func openHandle(path string, flag int, _ string) (handle, error) {
	fd, err := safefile.OpenFD(path, flag, 0o600)
	if err != nil {
		return handle{fd: -1}, err
	}
	return handle{fd: fd, path: path}, nil
}

// state refuses anything but a regular file and reports its size, time and
// whether it still has a name.
func (h handle) state() (fileState, error) {
	st, err := safefile.StatFD(h.fd, h.path)
	if err != nil {
		return fileState{}, err
	}
	if st.Nlink > 1 {
		// Another name for it may be outside the state directory: writing
		// would change that file too.
		return fileState{}, &fs.PathError{Op: "open", Path: h.path, Err: errHardLinked}
	}
	return fileState{
		size:    st.Size,
		mtime:   modTime(&st),
		linked:  st.Nlink > 0,
		dev:     uint64(st.Dev), // int32 on some systems
		ino:     uint64(st.Ino),
		retired: st.Mode&retiredBit != 0,
	}, nil
}

// hardLinksRefused: state refuses a file with more than one link.
const hardLinksRefused = true

// lockIsAFile: the queue file itself is locked; no lock file is used.
const lockIsAFile = false

// retiredBit marks a queue file that is no longer the queue: the owner's
// execute bit, which no queue file is created with.
const retiredBit = 0o100

// setRetired sets or clears the mark.
func (h handle) setRetired(retired bool) error {
	mode := uint32(0o600)
	if retired {
		mode |= retiredBit
	}
	if err := syscall.Fchmod(h.fd, mode); err != nil {
		return &fs.PathError{Op: "chmod", Path: h.path, Err: err}
	}
	return nil
}

// truncate sets the file's size.
func (h handle) truncate(size int64) error {
	if err := syscall.Ftruncate(h.fd, size); err != nil {
		return &fs.PathError{Op: "truncate", Path: h.path, Err: err}
	}
	return nil
}

// tryLock takes an exclusive flock without waiting. The kernel drops it
// when the process dies, so a crash never leaves a file locked.
func (h handle) tryLock() (bool, error) {
	for {
		err := syscall.Flock(h.fd, syscall.LOCK_EX|syscall.LOCK_NB)
		switch err {
		case nil:
			return true, nil
		case syscall.EINTR:
			continue
		case syscall.EWOULDBLOCK:
			return false, nil
		}
		return false, &fs.PathError{Op: "lock", Path: h.path, Err: err}
	}
}

// namedHere reports whether path still names the file open in h: a waiter
// that finds it renamed away (claimed, compacted, put back) opens the name
// again instead of waiting for a lock on a file that is no longer the queue.
func (h handle) namedHere(st fileState) bool {
	var ps syscall.Stat_t
	if err := syscall.Stat(h.path, &ps); err != nil {
		return false
	}
	return uint64(ps.Dev) == st.dev && uint64(ps.Ino) == st.ino
}

// readAt fills p from off; it returns fewer bytes only at the end of the file.
func (h handle) readAt(p []byte, off int64) (int, error) {
	read := 0
	for read < len(p) {
		n, err := syscall.Pread(h.fd, p[read:], off+int64(read))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return read, &fs.PathError{Op: "read", Path: h.path, Err: err}
		}
		if n == 0 {
			return read, io.EOF
		}
		read += n
	}
	return read, nil
}

// write appends p (the descriptor is O_APPEND, or new and written in order)
// and returns how much of it reached the file.
func (h handle) write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := syscall.Write(h.fd, p[written:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return written, &fs.PathError{Op: "write", Path: h.path, Err: err}
		}
		if n == 0 {
			return written, &fs.PathError{Op: "write", Path: h.path, Err: io.ErrShortWrite}
		}
		written += n
	}
	return written, nil
}

// writeAt overwrites bytes in place (descriptors opened without O_APPEND).
func (h handle) writeAt(p []byte, off int64) error {
	for {
		n, err := syscall.Pwrite(h.fd, p, off)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "write", Path: h.path, Err: err}
		}
		if n != len(p) {
			return &fs.PathError{Op: "write", Path: h.path, Err: io.ErrShortWrite}
		}
		return nil
	}
}

// close releases the descriptor and with it the lock.
func (h handle) close() {
	if h.fd >= 0 {
		syscall.Close(h.fd)
	}
}

// beforeRename is called on the open file at a name before another file
// is renamed over that name. Nothing to do: the descriptor and its lock
// stay valid on the unlinked file until closed, so no other process can
// take the lock and write to it before the rename.
func (h handle) beforeRename() {}

// unlock lets the lock go and keeps the file open.
func (h handle) unlock() error {
	if err := syscall.Flock(h.fd, syscall.LOCK_UN); err != nil {
		return &fs.PathError{Op: "unlock", Path: h.path, Err: err}
	}
	return nil
}

// keepQueueOpen: a long-lived process keeps the queue open between its
// appends (queue.appendEntries).
const keepQueueOpen = true

// takeLock and releaseLock have nothing to do: the lock belongs to the
// file (see statefile_other.go for systems where it belongs to the name).
func (h handle) takeLock(handle) {}
func (h handle) releaseLock()    {}

// linksCounted: state reports whether the file still has a name, so a
// lock taken without waiting needs no second look at the name.
const linksCounted = true

// createExclusive makes a new file that must not exist yet (a temporary
// name of our own), owner-only, open for reading and writing.
const createExclusive = os.O_RDWR | os.O_CREATE | os.O_EXCL
