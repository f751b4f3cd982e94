//go:build unix

package telemetry

import (
	"io/fs"
	"syscall"
)

// appendFile appends data to path as whole lines with O_APPEND, creating it
// 0600, and returns the file's size afterwards. If the file ends in a torn
// line (a crash mid-write), a newline goes first so the torn line cannot
// swallow ours. Raw descriptors, because an *os.File registers with the
// runtime's poller, which costs four syscalls that a regular file never
// needs: this runs at every persist.
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
	if st.Size > 0 {
		var last [1]byte
		if n, err := syscall.Pread(fd, last[:], st.Size-1); err == nil && n == 1 && last[0] != '\n' {
			data = append([]byte{'\n'}, data...)
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
	return st.Size + int64(len(data)), nil
}
