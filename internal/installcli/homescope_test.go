package installcli_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/internal/installcli"
)

// lineReader hands out one line per Read, as a terminal does, so that two
// prompts in a row each get their own answer even when the first one reads
// through a buffer.
type lineReader struct{ rest string }

func (l *lineReader) Read(p []byte) (int, error) {
	if l.rest == "" {
		return 0, io.EOF
	}
	line := l.rest
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i+1]
	}
	n := copy(p, line)
	l.rest = l.rest[n:]
	return n, nil
}

// runLines is run with a terminal on stdin answering line by line.
func (w *world) runLines(t testing.TB, stdin string) run {
	t.Helper()
	var out, errb bytes.Buffer
	code := installcli.Run(context.Background(), installcli.Env{
		Program: "codegraph-install", Args: []string{},
		Stdin: &lineReader{rest: stdin}, Stdout: &out, Stderr: &errb, StdinTTY: true,
		Getenv: func(k string) string { return w.env[k] },
		Home:   w.home, Cwd: w.project, Now: time.Now, Executable: w.exe,
	})
	return run{code, out.String(), errb.String()}
}

// TestLocalScopeInHomeHeadless: run from $HOME, --scope local used to write
// the global files (~/.cursor/mcp.json is Cursor's global file) and the
// global manifest. Headless it is refused with the way out (exit 2).
func TestLocalScopeInHomeHeadless(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.project = w.home
	for _, args := range [][]string{
		{"--yes", "--telemetry", "off", "--targets", "cursor", "--scope", "local"},
		{"--yes", "--telemetry", "off", "--targets", "cursor", "--project", w.home},
		{"uninstall", "--yes", "--scope", "local"},
	} {
		r := w.run(t, "", false, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "home directory") || !strings.Contains(r.stderr, "--scope global") {
			t.Errorf("%v: want exit 2 with a hint\n%s", args, r)
		}
	}
	if exists(filepath.Join(w.home, ".cursor")) || exists(filepath.Join(w.home, ".codegraph", "install.json")) {
		t.Error("files written")
	}
}

// TestLocalScopeInHomeAsks: in the form, choosing "local — this project only
// (/home/you)" in $HOME warns and asks whether to install globally instead.
func TestLocalScopeInHomeAsks(t *testing.T) {
	t.Parallel()
	for _, answer := range []string{"y", "n"} {
		w := newWorld(t)
		w.project = w.home
		w.env["ACCESSIBLE"] = "1"
		if err := os.MkdirAll(filepath.Join(w.home, ".cursor"), 0o755); err != nil {
			t.Fatal(err)
		}
		// Keep the detected agent, pick "local", (no usage data), confirm,
		// then answer the question.
		in := "0\n2\n"
		if consent.Compiled {
			in += "n\n"
		}
		in += "\n" + answer + "\n"
		r := w.runLines(t, in)
		// No is a cancel, as everywhere in the installer: exit 130.
		wantCode := map[string]int{"y": 0, "n": 130}[answer]
		if r.code != wantCode || !strings.Contains(r.stderr, "Warning: the project directory is your home directory") ||
			!strings.Contains(r.stdout, "Install for your user (global scope) instead?") {
			t.Fatalf("answer %s: exit %d\n%s", answer, r.code, r)
		}
		m := filepath.Join(w.home, ".codegraph", "install.json")
		if answer == "n" {
			if !strings.Contains(r.stderr, "Cancelled: nothing was changed.") {
				t.Errorf("no: %s", r)
			}
			if exists(filepath.Join(w.home, ".cursor", "mcp.json")) || exists(m) {
				t.Errorf("files written after no\n%s", r)
			}
			continue
		}
		if !strings.Contains(readFile(t, m), `"scope": "global"`) {
			t.Errorf("manifest not global:\n%s", readFile(t, m))
		}
	}
}

// TestUninstallSaysRemovedAndRestored: uninstall used to say "updated"
// where it removed our entry; now "removed", and "restored" where it put
// back the entry that was there before.
func TestUninstallSaysRemovedAndRestored(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	writeFile(t, filepath.Join(w.home, ".claude.json"), "{\n  \"numStartups\": 3\n}\n")
	writeFile(t, filepath.Join(w.home, ".cursor", "mcp.json"), "{\"mcpServers\": {\"codegraph\": {\"command\": \"my-own-codegraph\"}}}\n")
	if r := w.run(t, "", false, "--yes", "--telemetry", "off", "--targets", "claude,cursor,codex", "--scope", "global"); r.code != 0 {
		t.Fatalf("install: %s", r)
	}
	r := w.run(t, "", false, "uninstall", "--yes")
	if r.code != 0 {
		t.Fatalf("uninstall: %s", r)
	}
	for _, want := range []string{"Claude Code  removed    ~/.claude.json", "Cursor       restored   ~/.cursor/mcp.json", "Codex CLI    removed    ~/.codex/config.toml"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("missing %q in\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "updated") {
		t.Errorf("uninstall says updated:\n%s", r.stdout)
	}
}
