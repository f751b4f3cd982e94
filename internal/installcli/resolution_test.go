package installcli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstallFromGoRun: `go run ./cmd/codegraph-install --yes …` (make
// run on a fresh clone) with codegraph nowhere on the PATH used to refuse
// after every question. Now the temporary build is copied to
// ~/.codegraph/bin/codegraph, as from npm, and every agent gets that path.
func TestInstallFromGoRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.env["PATH"] = t.TempDir() // no codegraph here
	w.exe = filepath.Join(t.TempDir(), "go-build1f", "b001", "exe", "codegraph-install")
	writeFile(t, w.exe, "#!/bin/sh\n# the build\n")
	r := w.run(t, "", false, "--yes", "--telemetry", "off", "--targets", "claude,claude-desktop", "--scope", "global")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	stable := filepath.Join(w.home, ".codegraph", "bin", "codegraph")
	if b, err := os.ReadFile(stable); err != nil || string(b) != "#!/bin/sh\n# the build\n" {
		t.Fatalf("no copy of the build at %s (%v)", stable, err)
	}
	for _, f := range []string{".claude.json", filepath.Join(".config", "Claude", "claude_desktop_config.json")} {
		b, err := os.ReadFile(filepath.Join(w.home, f))
		if err != nil || !strings.Contains(string(b), `"command": "`+stable+`"`) {
			t.Errorf("%s does not run %s:\n%s", f, stable, b)
		}
	}
	if !strings.Contains(r.stderr, "Copied codegraph to ~/.codegraph/bin/codegraph") {
		t.Errorf("the copy is not announced:\n%s", r)
	}
}

// TestRefusedInstallKeepsNo: an install refused before any file changes
// (here: the installer cannot name its own binary) still stores the No
// of --telemetry off, deletes the queue, and records nothing.
func TestRefusedInstallKeepsNo(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.env["PATH"] = t.TempDir()
	w.exe = ""
	r := w.run(t, "", false, "--yes", "--telemetry", "off", "--targets", "cursor", "--scope", "global")
	if r.code != 1 || !strings.Contains(r.stderr, "codegraph is not installed") {
		t.Fatalf("want exit 1 with how to install first\n%s", r)
	}
	cfg := telemetryConfig(t, w.home)
	if cfg.Enabled || cfg.ConsentSource != "installer" {
		t.Errorf("stored %+v, want the installer's No", cfg)
	}
	if exists(filepath.Join(w.home, ".codegraph", "telemetry-queue.jsonl")) {
		t.Error("a refused install queued something")
	}
	for _, f := range []string{".claude.json", ".cursor", ".codegraph/install.json"} {
		if exists(filepath.Join(w.home, f)) {
			t.Errorf("%s written", f)
		}
	}
}

// TestInstallFromDownloads: a binary in ~/Downloads, codegraph not on the
// PATH: every agent, started from a shell or not, gets that binary's
// absolute path (it answers `serve --mcp` under any name).
func TestInstallFromDownloads(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.env["PATH"] = t.TempDir()
	w.env["TMPDIR"] = t.TempDir()
	w.exe = filepath.Join(w.home, "Downloads", "codegraph-install")
	writeFile(t, w.exe, "#!/bin/sh\n")
	r := w.run(t, "", false, "--yes", "--telemetry", "off", "--targets", "claude,cursor", "--scope", "global")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	for _, f := range []string{".claude.json", filepath.Join(".cursor", "mcp.json")} {
		b, err := os.ReadFile(filepath.Join(w.home, f))
		if err != nil || !strings.Contains(string(b), `"command": "`+w.exe+`"`) {
			t.Errorf("%s does not run %s:\n%s", f, w.exe, b)
		}
	}
}

// TestGUIAppsGetAbsolutePath: with codegraph on the PATH, Claude Code (a
// shell's child) gets "codegraph" and Claude Desktop (started from the dock,
// without the shell's PATH) the absolute path.
func TestGUIAppsGetAbsolutePath(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run(t, "", false, "--yes", "--telemetry", "off", "--targets", "claude,claude-desktop", "--scope", "global")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	bin := filepath.Join(filepath.Dir(w.home), "bin", "codegraph")
	if b := readFile(t, filepath.Join(w.home, ".claude.json")); !strings.Contains(b, `"command": "codegraph"`) {
		t.Errorf("Claude Code entry:\n%s", b)
	}
	if b := readFile(t, filepath.Join(w.home, ".config", "Claude", "claude_desktop_config.json")); !strings.Contains(b, `"command": "`+bin+`"`) {
		t.Errorf("Claude Desktop entry:\n%s", b)
	}
}
