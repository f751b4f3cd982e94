//go:build !unix

package telemetry

import (
	"errors"
	"os"
	"time"
)

// lockFile on systems without flock: an exclusively created file, waited for
// a bounded time. A lock older than staleLock belongs to a process that died
// inside a critical section of microseconds, and is removed.
func lockFile(path string) (unlock func(), err error) {
	const staleLock = 10 * time.Second
	for i := 0; i < 200; i++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if fi, serr := os.Stat(path); serr == nil && time.Since(fi.ModTime()) > staleLock {
			os.Remove(path)
			continue
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil, errors.New("telemetry queue is locked")
}
