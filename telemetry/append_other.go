//go:build !unix

package telemetry

import (
	"errors"
	"os"
)

// appendFile appends data to path as whole lines with O_APPEND, creating it
// 0600, keeping the file within QueueCap, and returns the file's size
// afterwards; a torn last line gets a newline first (see append_unix.go).
func appendFile(path string, data []byte) (int64, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	size := fi.Size()
	if size > 0 {
		var last [1]byte
		if _, err := f.ReadAt(last[:], size-1); err == nil && last[0] != '\n' {
			data = append([]byte{'\n'}, data...)
		}
	}
	if size+int64(len(data)) > QueueCap {
		all, err := os.ReadFile(path)
		if err != nil {
			f.Close()
			return 0, err
		}
		tail := keepNewest(all, compactTo)
		if err := f.Truncate(0); err != nil {
			f.Close()
			return 0, err
		}
		if _, err := f.Write(tail); err != nil {
			f.Close()
			return 0, err
		}
		size = int64(len(tail))
	}
	_, werr := f.Write(data)
	return size + int64(len(data)), errors.Join(werr, f.Close())
}
