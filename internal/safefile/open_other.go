//go:build !unix

package safefile

import (
	"io/fs"
	"os"
)

// open checks what stands at path with Lstat before opening it: Windows has
// no O_NOFOLLOW, and no FIFO that would block an open. The check and the
// open are two steps, so a file swapped in between is caught by the
// caller's Stat of the opened file, which must be regular.
func open(path string, flag int, perm fs.FileMode) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, notRegular(path, fi.Mode())
	}
	return os.OpenFile(path, flag, perm)
}
