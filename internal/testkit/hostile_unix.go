//go:build unix

package testkit

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// PlaceHostile puts, at path, a kind of thing that is not a small regular
// file, where a state file belongs: "symlink" (to precious), "hardlink" (to
// precious), "fifo", "socket", "dir", "nonempty-dir", "empty", "sparse"
// (20 GiB, no blocks) or "read-only". A kind the system cannot make skips
// the test. The hostile-file tests of safefile, consent and telemetry all
// build their cases with it.
func PlaceHostile(t testing.TB, kind, path, precious string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	switch kind {
	case "symlink":
		if err := os.Symlink(precious, path); err != nil {
			t.Fatal(err)
		}
	case "hardlink":
		// Another name of someone else's file (same file system).
		if err := os.Link(precious, path); err != nil {
			t.Skipf("hard link: %v", err)
		}
	case "fifo":
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	case "socket":
		ln, err := net.Listen("unix", path)
		if err != nil {
			t.Skipf("unix socket: %v", err)
		}
		t.Cleanup(func() { ln.Close() })
	case "dir":
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
	case "nonempty-dir":
		if err := os.MkdirAll(filepath.Join(path, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
	case "empty":
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	case "sparse":
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(20 << 30); err != nil {
			f.Close()
			t.Skipf("sparse file: %v", err)
		}
		f.Close()
	case "read-only":
		// As root, permissions do not stop a write: a read-only mount does
		// (telemetry's TestReadOnlyStateDir).
		if err := os.WriteFile(path, nil, 0o400); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("PlaceHostile: unknown kind %q", kind)
	}
}
