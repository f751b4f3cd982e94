//go:build unix

package telemetry

import (
	"io/fs"
	"syscall"
)

// appendFile appends data to path as whole lines with O_APPEND, creating it
// 0600, and keeps the file within QueueCap: when the append would pass it,
// the newest whole lines that fit in compactTo are first moved to the start
// of the file and the rest cut off, on the same descriptor. The caller holds
// the queue lock, so no other process writes meanwhile. A crash between the
// truncation and the rewrite loses the queue; the other order (overwrite,
// then truncate) could leave lines twice and count them twice, and for
// anonymous counts an undercount is the honest failure.
//
// If the file ends in a torn line (a crash mid-write), a newline goes first
// so the torn line cannot swallow ours. Raw descriptors, because an *os.File
// registers with the runtime's poller, which costs four syscalls that a
// regular file never needs: this runs at every persist.
func appendFile(path string, data []byte) (int64, error) {
	fd, err := syscall.Open(path, syscall.O_CREAT|syscall.O_RDWR|syscall.O_APPEND|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return 0, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return 0, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	size := st.Size
	if size > 0 {
		var last [1]byte
		if n, err := syscall.Pread(fd, last[:], size-1); err == nil && n == 1 && last[0] != '\n' {
			data = append([]byte{'\n'}, data...)
		}
	}
	if size+int64(len(data)) > QueueCap {
		if size, err = compactFD(fd, size); err != nil {
			return 0, &fs.PathError{Op: "compact", Path: path, Err: err}
		}
	}
	for written := 0; written < len(data); {
		n, err := syscall.Write(fd, data[written:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, &fs.PathError{Op: "write", Path: path, Err: err}
		}
		written += n
	}
	return size + int64(len(data)), nil
}

// compactFD keeps the newest whole lines of the file that fit in compactTo
// and cuts the rest, returning the new size: it empties the file and writes
// the tail back through the same O_APPEND descriptor (pwrite cannot be used:
// with O_APPEND, Linux ignores its offset).
func compactFD(fd int, size int64) (int64, error) {
	buf := make([]byte, size)
	for read := int64(0); read < size; {
		n, err := syscall.Pread(fd, buf[read:], read)
		if err != nil {
			return 0, err
		}
		if n == 0 {
			buf = buf[:read]
			break
		}
		read += int64(n)
	}
	tail := keepNewest(buf, compactTo)
	if err := syscall.Ftruncate(fd, 0); err != nil {
		return 0, err
	}
	// With O_APPEND every write lands at the end, which is now 0.
	for written := 0; written < len(tail); {
		n, err := syscall.Write(fd, tail[written:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		written += n
	}
	return int64(len(tail)), nil
}
