//go:build unix && !pro

package consent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// TestHostileFiles puts, where telemetry.json belongs, each thing that is
// not a small regular file. Every call returns within 2 s; consent is off,
// with a reason that names the path once and says what to do; no choice is
// written over it; the installer does not ask; nothing is sent; and reset
// removes it (a symlink itself, never its target) or, for a directory,
// refuses with a clear message.
func TestHostileFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		make    func(t *testing.T, path string)
		problem string
		// resetRefused: reset leaves it and says why.
		resetRefused string
	}{
		{"symlink to a valid file", func(t *testing.T, path string) {
			target := filepath.Join(t.TempDir(), "elsewhere.json")
			if err := os.WriteFile(target, []byte(cfgOn), 0o600); err != nil {
				t.Fatal(err)
			}
			testkit.PlaceHostile(t, "symlink", path, target)
		}, "is a symbolic link", ""},
		{"dangling symlink", func(t *testing.T, path string) {
			testkit.PlaceHostile(t, "symlink", path, filepath.Join(t.TempDir(), "nowhere"))
		}, "is a symbolic link", ""},
		{"FIFO", func(t *testing.T, path string) {
			testkit.PlaceHostile(t, "fifo", path, "")
		}, "is not a regular file (a FIFO)", ""},
		{"socket", func(t *testing.T, path string) {
			testkit.PlaceHostile(t, "socket", path, "")
		}, "is not a regular file", ""},
		{"directory", func(t *testing.T, path string) {
			testkit.PlaceHostile(t, "dir", path, "")
		}, "is not a regular file (a directory)", "is a directory"},
		{"0-byte file", func(t *testing.T, path string) {
			testkit.PlaceHostile(t, "empty", path, "")
		}, "is empty", ""},
		{"huge sparse file", func(t *testing.T, path string) {
			testkit.PlaceHostile(t, "sparse", path, "")
		}, "is larger than expected", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t, nil)
			if err := s.Dir.Ensure(); err != nil {
				t.Fatal(err)
			}
			path := s.Dir.TelemetryConfig()
			tc.make(t, path)
			linkTarget, _ := os.Readlink(path)
			within(t, func() {
				d := s.Resolve()
				if d.Enabled || d.State != Unreadable || d.DecidedBy != ByConfig {
					t.Errorf("Resolve() = %+v, want off, unreadable", d)
				}
				if !strings.Contains(d.Reason, tc.problem) || !strings.Contains(d.Reason, "remove it or run `codegraph telemetry reset`") {
					t.Errorf("reason %q should say %q and what to do", d.Reason, tc.problem)
				}
				if n := strings.Count(d.Reason, path); n != 1 {
					t.Errorf("reason %q names the path %d times", d.Reason, n)
				}
				if ask, _ := s.InstallerQuestion(); ask {
					t.Error("the installer would ask over it")
				}
				if _, ok := s.PrepareSend(func(string) { t.Error("notice shown") }); ok {
					t.Error("send allowed")
				}
				if _, err := s.SetChoice(false, SourceCLI); !errors.Is(err, ErrUnusableFile) || strings.Count(err.Error(), path) != 1 {
					t.Errorf("SetChoice over it = %v; want ErrUnusableFile naming the path once", err)
				}
			})
			if linkTarget != "" {
				if b, err := os.ReadFile(linkTarget); err == nil && string(b) != cfgOn {
					t.Errorf("the symlink's target changed: %q", b)
				}
			}
			within(t, func() {
				err := s.Reset()
				if tc.resetRefused != "" {
					if err == nil || !strings.Contains(err.Error(), tc.resetRefused) || strings.Count(err.Error(), path) != 1 {
						t.Errorf("Reset() = %v; want a refusal saying %q, naming the path once", err, tc.resetRefused)
					}
					if _, err := os.Lstat(path); err != nil {
						t.Errorf("reset removed it: %v", err)
					}
					return
				}
				if err != nil {
					t.Errorf("Reset() = %v", err)
					return
				}
				if _, err := os.Lstat(path); !os.IsNotExist(err) {
					t.Errorf("still there after reset: %v", err)
				}
				if linkTarget != "" {
					if _, err := os.Stat(linkTarget); err != nil && !strings.Contains(tc.name, "dangling") {
						t.Errorf("reset removed the symlink's target: %v", err)
					}
				}
				if d := s.Resolve(); d.State != NoChoice || !d.Enabled {
					t.Errorf("after reset: %+v", d)
				}
			})
		})
	}
}

// TestReadOnlyStateDir: in a state directory made read-only, reading
// works, a reset that cannot remove the file says so naming it once, and a
// choice is stored (statedir makes its directory 0700 again) or fails
// naming the file once, never a temporary file.
func TestReadOnlyStateDir(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories")
	}
	s := newStore(t, nil)
	setState(t, s, ChosenOn)
	if err := os.Chmod(s.Dir.Root(), 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(s.Dir.Root(), 0o700) })
	path := s.Dir.TelemetryConfig()
	within(t, func() {
		if d := s.Resolve(); d.State != ChosenOn || !d.Enabled {
			t.Errorf("Resolve() = %+v", d)
		}
		err := s.Reset()
		if err == nil || strings.Count(err.Error(), path) != 1 || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("Reset in a read-only dir = %v; want an error naming the file once", err)
		}
		if _, err := s.SetChoice(false, SourceCLI); err != nil && (strings.Count(err.Error(), path) != 1 || strings.Contains(err.Error(), "codegraph-tmp")) {
			t.Errorf("SetChoice in a read-only dir = %v; want the file named once", err)
		}
	})
}

// within fails the test if f takes more than 2 s (a FIFO opened for
// reading would block forever).
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("took more than 2 s")
	}
}

// TestStateDirThatIsALink: ~/.codegraph a symbolic link to a folder that
// holds an "on" record: the record is not read through it; consent is
// unreadable, off, with the link named, and no choice is written through.
func TestStateDirThatIsALink(t *testing.T) {
	t.Parallel()
	home := testkit.Home(t)
	elsewhere := t.TempDir()
	if err := os.WriteFile(filepath.Join(elsewhere, "telemetry.json"), []byte(cfgOn), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(home, ".codegraph")); err != nil {
		t.Fatal(err)
	}
	s := &Store{Dir: statedir.ForHome(home), Getenv: func(string) string { return "" }, Now: time.Now}
	d := s.Resolve()
	if d.Enabled || d.State != Unreadable || !strings.Contains(d.Reason, filepath.Join(home, ".codegraph")) {
		t.Errorf("Resolve = %+v; want off, unreadable, naming the link", d)
	}
	if _, err := s.Apply(CLIOff); err == nil {
		t.Error("a choice was stored through the link")
	}
	if b, _ := os.ReadFile(filepath.Join(elsewhere, "telemetry.json")); string(b) != cfgOn {
		t.Errorf("the file behind the link changed: %s", b)
	}
}
