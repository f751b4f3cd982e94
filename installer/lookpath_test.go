package installer

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestPathLookup(t *testing.T) {
	t.Parallel()
	dir1, dir2 := t.TempDir(), t.TempDir()
	write := func(path string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir1, "plain"), 0o644) // not executable: skipped on unix
	write(filepath.Join(dir2, "plain"), 0o755)
	write(filepath.Join(dir2, "tool.cmd"), 0o644) // PATHEXT is matched lower-cased
	if err := os.Mkdir(filepath.Join(dir1, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PATH": dir1 + string(os.PathListSeparator) + string(os.PathListSeparator) + dir2}
	getenv := func(k string) string { return env[k] }

	look := PathLookup(getenv, "linux")
	if got, err := look("plain"); err != nil || got != filepath.Join(dir2, "plain") {
		t.Errorf("linux plain = %q, %v; want the executable one in %s", got, err, dir2)
	}
	for _, name := range []string{"adir", "missing"} {
		if _, err := look(name); !errors.Is(err, exec.ErrNotFound) {
			t.Errorf("linux %s: err %v, want exec.ErrNotFound", name, err)
		}
	}
	// Windows: any regular file with a PATHEXT extension counts.
	env["PATHEXT"] = ".EXE;.CMD"
	if got, err := PathLookup(getenv, "windows")("tool"); err != nil || got != filepath.Join(dir2, "tool.cmd") {
		t.Errorf("windows tool = %q, %v", got, err)
	}
}
