//go:build unix

package census

import (
	"path/filepath"
	"syscall"
	"testing"
)

func TestTakeSpecialFileSkipped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"main.go": "package main\n"})
	// Opening a FIFO would block forever; the census must not try.
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.h"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	r := take(t, dir)
	checkCounts(t, "Languages", r.Languages, map[string]int{"Go": 1})
	if r.Skipped != 1 {
		t.Errorf("Skipped = %d, want 1", r.Skipped)
	}
}
