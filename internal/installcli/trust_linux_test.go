package installcli_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// smallDisk mounts a tmpfs of size bytes at dir (root only, as in CI),
// skipping the test where mounting is not allowed.
func smallDisk(t *testing.T, dir string, size string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0700"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v): run as root to test a full disk", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
}

// fill writes to dir until its file system is full.
func fill(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for i := 0; i < 1<<16; i++ {
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
	t.Fatal("the small disk never filled")
}

// TestFullDiskEditsNothing: when ~/.codegraph (the install record and the
// backups) cannot be written because the disk is full, no agent file is
// edited, the message says the disk is full, and uninstall afterwards
// agrees that nothing is installed: no entry is ever left that uninstall
// does not know of.
func TestFullDiskEditsNothing(t *testing.T) {
	t.Parallel()
	big := `{"mcpServers": {"theirs": {"command": "x"}}, "pad": "` + strings.Repeat("x", 256<<10) + `"}`
	cases := []struct {
		name, size, config string
		full               bool
	}{
		// Nothing fits: the record, written before any agent file, fails.
		{"record", "16k", `{"mcpServers": {}}`, true},
		// The record fits, the backup of a 256 KiB config does not.
		{"backup", "64k", big, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.env["CODEGRAPH_TELEMETRY"] = "0"
			cfg := filepath.Join(w.home, ".cursor", "mcp.json")
			writeFile(t, cfg, tc.config)
			state := filepath.Join(w.home, ".codegraph")
			smallDisk(t, state, tc.size)
			if tc.full {
				fill(t, state)
			}
			r := w.run(t, "", false, "--yes", "--targets", "cursor", "--scope", "global")
			if r.code != 1 {
				t.Errorf("exit %d, want 1\n%s", r.code, r)
			}
			if got := readFile(t, cfg); got != tc.config {
				t.Errorf("the agent file was edited on a full disk:\n%.200s", got)
			}
			if !strings.Contains(r.stdout, "the disk is full") || !strings.Contains(r.stdout, "Free some disk space") ||
				strings.Contains(r.stdout, "permissions") {
				t.Errorf("the message does not say the disk is full:\n%s", r)
			}
			u := w.run(t, "", false, "uninstall", "--yes", "--scope", "global")
			if u.code != 0 || !strings.Contains(u.stderr, "Nothing to uninstall") {
				t.Errorf("uninstall after the refused install: exit %d\n%s", u.code, u)
			}
		})
	}
}
