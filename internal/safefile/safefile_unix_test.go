//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// TestHostileFiles puts each kind of thing that is not a regular file
// where a state file belongs: every open returns at once with an error that
// names the path once and says what is there, and a symlink's target is
// neither read nor written.
func TestHostileFiles(t *testing.T) {
	t.Parallel()
	dir, target, link, fifo, sock := hostileDir(t)
	for _, tc := range []struct {
		path, what string
		want       error
	}{
		{link, "symbolic link", ErrSymlink},
		{fifo, "FIFO", ErrNotRegular},
		{sock, "socket", ErrNotRegular},
		{dir, "directory", ErrNotRegular},
		{"/dev/null", "device", ErrNotRegular},
	} {
		for _, flag := range []int{os.O_RDONLY, os.O_WRONLY | os.O_APPEND | os.O_CREATE, os.O_RDWR} {
			// A FIFO must not block the open: a hang would end the test at
			// its timeout (how long an open takes is not asserted).
			f, err := Open(tc.path, flag, 0o600)
			if err == nil {
				f.Close()
				t.Errorf("%s (flag %#x): opened", tc.what, flag)
				continue
			}
			if !errors.Is(err, tc.want) && !errors.Is(err, syscall.EISDIR) && !errors.Is(err, syscall.ENXIO) && !errors.Is(err, syscall.EOPNOTSUPP) {
				t.Errorf("%s (flag %#x): %v, want %v", tc.what, flag, err, tc.want)
			}
			if n := strings.Count(err.Error(), tc.path); n != 1 {
				t.Errorf("%s: %q names the path %d times", tc.what, err, n)
			}
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "precious" {
		t.Errorf("the symlink's target changed: %q", b)
	}
}

// TestOpenFD holds the raw-descriptor variant to the same rules: each
// hostile thing is refused at once, by the open or by StatFD, with the path
// named once; a regular file opens and reports its size.
func TestOpenFD(t *testing.T) {
	t.Parallel()
	dir, target, link, fifo, sock := hostileDir(t)
	for _, path := range []string{link, fifo, sock, dir, "/dev/null"} {
		for _, flag := range []int{os.O_RDONLY, os.O_RDWR | os.O_APPEND | os.O_CREATE} {
			fd, err := OpenFD(path, flag, 0o600)
			if err == nil {
				_, err = StatFD(fd, path)
				syscall.Close(fd)
			}
			if err == nil {
				t.Errorf("%s (flag %#x): accepted", path, flag)
				continue
			}
			if !errors.Is(err, ErrSymlink) && !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s (flag %#x): %v, want ErrSymlink or ErrNotRegular", path, flag, err)
			}
			if n := strings.Count(err.Error(), path); n != 1 {
				t.Errorf("%q names the path %d times", err, n)
			}
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "precious" {
		t.Errorf("the symlink's target changed: %q", b)
	}
	file := filepath.Join(dir, "queue")
	fd, err := OpenFD(file, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if _, err := syscall.Write(fd, []byte("line\n")); err != nil {
		t.Fatal(err)
	}
	if st, err := StatFD(fd, file); err != nil || st.Size != 5 || st.Mode&0o777 != 0o600 {
		t.Errorf("StatFD = %+v, %v", st, err)
	}
}

// hostileDir makes a home directory holding a symlink to someone else's
// file (target, content "precious"), a FIFO and a socket.
func hostileDir(t *testing.T) (dir, target, link, fifo, sock string) {
	t.Helper()
	dir = testkit.Home(t)
	target = filepath.Join(t.TempDir(), "someone-elses-file")
	if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	link, fifo, sock = filepath.Join(dir, "link"), filepath.Join(dir, "fifo"), filepath.Join(dir, "sock")
	testkit.PlaceHostile(t, "symlink", link, target)
	testkit.PlaceHostile(t, "fifo", fifo, "")
	testkit.PlaceHostile(t, "socket", sock, "")
	return dir, target, link, fifo, sock
}
