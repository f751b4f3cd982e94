// Package safefile opens codegraph's own state files (under ~/.codegraph/
// and a project's .codegraph/) defensively: they sit in directories other
// programs, and people, can write to, so a symlink, a FIFO, a socket, a
// device, a directory or a huge sparse file may stand where a small regular
// file is expected. Opening never follows a symlink (the link is refused and
// its target left alone), never blocks (a FIFO would hang every command,
// Ctrl+C included), accepts regular files only, and reading checks the size
// first so no file is read whole into memory past a caller's bound.
//
// Errors name the path once, say what stands there, and wrap ErrSymlink,
// ErrNotRegular or ErrTooLarge so callers can add what to do about it.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

var (
	// ErrSymlink: a symbolic link stands where our file should be.
	ErrSymlink = errors.New("is a symbolic link, which codegraph does not follow")
	// ErrNotRegular: a directory, FIFO, socket or device stands there.
	ErrNotRegular = errors.New("is not a regular file")
	// ErrTooLarge: the file is larger than the caller's bound.
	ErrTooLarge = errors.New("is larger than expected")
)

// Open opens path with flag (os.O_RDONLY, os.O_RDWR|os.O_CREATE, …) and
// perm for a file it creates, refusing anything but a regular file.
func Open(path string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := open(path, flag, perm)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, notRegular(path, fi.Mode())
	}
	return f, nil
}

// ReadFile returns the content of the regular file at path, refusing one
// larger than max bytes without reading it.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := Open(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if fi.Size() > max {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%d bytes, at most %d)", ErrTooLarge, fi.Size(), max)}
	}
	// The size can grow between Stat and Read: read at most max+1 bytes.
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(data)) > max {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (more than %d bytes)", ErrTooLarge, max)}
	}
	return data, nil
}

// notRegular describes what stands at path instead of a file.
func notRegular(path string, mode fs.FileMode) error {
	what := "something else"
	switch {
	case mode.IsDir():
		what = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		what = "a FIFO"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0, mode&fs.ModeCharDevice != 0:
		what = "a device"
	case mode&fs.ModeSymlink != 0:
		return &fs.PathError{Op: "open", Path: path, Err: ErrSymlink}
	}
	return &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, what)}
}
