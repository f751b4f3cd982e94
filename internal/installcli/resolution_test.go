package installcli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstallFromGoRunRefused: `go run ./cmd/codegraph-install --yes …` with
// codegraph nowhere on the PATH used to write "command": "codegraph", print
// ✓ and exit 0; the agents then failed to start the server. Now it says how
// to install first, exits 1 and writes nothing.
func TestInstallFromGoRunRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.env["PATH"] = t.TempDir() // no codegraph here
	w.exe = "/home/me/.cache/go-build/1f/exe/codegraph-install"
	r := w.run(t, "", false, "--yes", "--telemetry", "off", "--targets", "claude,claude-desktop", "--scope", "global")
	if r.code != 1 || !strings.Contains(r.stderr, "codegraph is not installed") || !strings.Contains(r.stderr, "make install") {
		t.Fatalf("want exit 1 with how to install first\n%s", r)
	}
	if strings.Contains(r.stdout, "✓") {
		t.Errorf("printed a ✓:\n%s", r)
	}
	for _, f := range []string{".claude.json", ".config", ".codegraph/install.json", ".codegraph/telemetry.json"} {
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
