package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

func TestWriteReplacesAndSetsMode(t *testing.T) {
	t.Parallel()
	// An owner-only file in a home directory, as consent writes its config.
	dir := testkit.Home(t)
	path := filepath.Join(dir, "telemetry.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), 0o600, Durable); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(got) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v", got, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestWriteIntoMissingDirFails(t *testing.T) {
	t.Parallel()
	if err := Write(filepath.Join(t.TempDir(), "no", "f"), nil, 0o600, Durable); err == nil {
		t.Error("want an error for a missing directory")
	}
}

// TestWriteModeBeforeContent checks that a file written with a narrower
// mode than the umask default never exists with the wider one: the temp
// file is chmod-ed before any byte goes in, so the final file has perm
// whether or not the data is synced.
func TestWriteModeBeforeContent(t *testing.T) {
	t.Parallel()
	for _, sync := range []Sync{Durable, Derived} {
		path := filepath.Join(t.TempDir(), "census.json")
		if err := Write(path, []byte("{}\n"), 0o640, sync); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o640 {
			t.Errorf("sync=%v: mode %v, want 0640", sync, fi.Mode().Perm())
		}
	}
}

func TestWriteNewNeverReplaces(t *testing.T) {
	t.Parallel()
	dir := testkit.Home(t)
	path := filepath.Join(dir, "telemetry.json")
	if err := WriteNew(path, []byte("first"), 0o600, Durable); err != nil {
		t.Fatal(err)
	}
	err := WriteNew(path, []byte("second"), 0o600, Durable)
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("WriteNew over an existing file = %v, want fs.ErrExist", err)
	}
	if n := strings.Count(err.Error(), path); n != 1 {
		t.Errorf("%q names the path %d times", err, n)
	}
	// A dangling symlink counts as something there; its target is not created.
	link := filepath.Join(dir, "link.json")
	target := filepath.Join(dir, "nowhere.json")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symlink: %v", err)
	}
	if err := WriteNew(link, []byte("x"), 0o600, Durable); !errors.Is(err, fs.ErrExist) {
		t.Errorf("WriteNew over a dangling symlink = %v", err)
	}
	if exists(target) {
		t.Error("WriteNew followed a symlink")
	}
	got, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(got) != "first" || fi.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v", got, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestErrorsNameThePathOnce: the temporary file's name never shows.
func TestErrorsNameThePathOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing", "telemetry.json")
	write := func(path string, data []byte, perm fs.FileMode, sync Sync) error {
		return Write(path, data, perm, sync)
	}
	for _, write := range []func(string, []byte, fs.FileMode, Sync) error{write, WriteNew} {
		err := write(path, nil, 0o600, Durable)
		if err == nil || strings.Count(err.Error(), "telemetry.json") != 1 || strings.Contains(err.Error(), "codegraph-tmp") {
			t.Errorf("error %q should name %s once and no temporary file", err, path)
		}
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// TestBeforeRename: the check runs once the temporary file is complete and
// before the rename; an error leaves the old content and no temporary file.
func TestBeforeRename(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	changed := errors.New("changed under us")
	var sawTemp bool
	err := Write(path, []byte("new"), 0o600, Durable, BeforeRename(func() error {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".codegraph-tmp-") {
				b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				sawTemp = string(b) == "new"
			}
		}
		return changed
	}))
	if !errors.Is(err, changed) {
		t.Fatalf("err = %v, want the check's error", err)
	}
	if !sawTemp {
		t.Error("the check ran before the new content was complete in the temporary file")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("content %q replaced despite the failed check", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
	if err := Write(path, []byte("new"), 0o600, Derived, BeforeRename(func() error { return nil })); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("content %q after a passing check", b)
	}
}

// TestTempPatternMatchesTheTemporaryFile: what a process killed between
// the write and the rename leaves is found by TempPattern, and nothing
// else in the directory is.
func TestTempPatternMatchesTheTemporaryFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "queue.jsonl")
	os.WriteFile(path, []byte("old"), 0o600)
	os.WriteFile(filepath.Join(dir, "other.jsonl"), []byte("x"), 0o600)
	var during []string
	err := Write(path, []byte("new"), 0o600, Derived, BeforeRename(func() error {
		during, _ = filepath.Glob(TempPattern(path))
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(during) != 1 || filepath.Dir(during[0]) != dir {
		t.Errorf("before the rename TempPattern matched %v, want the one temporary file", during)
	}
	if after, _ := filepath.Glob(TempPattern(path)); len(after) != 0 {
		t.Errorf("after the rename TempPattern matched %v", after)
	}
}
