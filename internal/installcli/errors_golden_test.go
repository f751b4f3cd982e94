//go:build unix

package installcli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/installcli"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// TestErrorMessages runs each way an install, an uninstall or a codegraph
// command can fail on a user's machine, against real files, and lists what
// the user reads in golden/cli/error-messages.txt: reviewers read every
// message in one place. Each must name the file (under ~ as "~/..."), say
// what happened and what to do next, and never name a library. The
// installer's messages that need a failing disk or a permission the test
// cannot take away (it may run as root) are listed by the installer's own
// TestFileErrorMessages in golden/installer/error-messages.txt.
func TestErrorMessages(t *testing.T) {
	t.Parallel()
	if proBuild {
		t.Skip("the messages are the same in the pro build; consent's differ and have their own tests")
	}
	home := func(w *world, rel string) string { return filepath.Join(w.home, filepath.FromSlash(rel)) }
	put := func(t *testing.T, w *world, rel, content string) { writeFile(t, home(w, rel), content) }
	cases := []struct {
		name  string
		setup func(t *testing.T, w *world)
		args  []string
		// noHome runs the command without a home directory.
		noHome bool
	}{
		{name: "JSON that does not parse (Cursor)", setup: func(t *testing.T, w *world) {
			put(t, w, ".cursor/mcp.json", "{\n  \"mcpServers\": {\n    \"x\": {},\n  }\n,,\n")
		}, args: []string{"--yes", "--targets", "cursor"}},
		{name: "JSONC that does not parse (opencode)", setup: func(t *testing.T, w *world) {
			put(t, w, ".config/opencode/opencode.jsonc", "{\n  // mine\n  \"mcp\": {\n    \"a\": { \"type\": \"local\" }\n    \"b\": {}\n  }\n}\n")
		}, args: []string{"--yes", "--targets", "opencode"}},
		{name: "TOML that does not parse (Codex)", setup: func(t *testing.T, w *world) {
			put(t, w, ".codex/config.toml", "model = \"gpt-5\"\n[mcp_servers.docs\ncommand = \"docs\"\n")
		}, args: []string{"--yes", "--targets", "codex"}},
		{name: "YAML that does not parse (goose)", setup: func(t *testing.T, w *world) {
			put(t, w, ".config/goose/config.yaml", "extensions:\n  developer:\n    enabled: true\n   bad: [\n")
		}, args: []string{"--yes", "--targets", "goose"}},
		{name: "a config nested too deep (Claude Code)", setup: func(t *testing.T, w *world) {
			put(t, w, ".claude.json", "{\"a\": "+strings.Repeat("[", 1001)+strings.Repeat("]", 1001)+"}\n")
		}, args: []string{"--yes", "--targets", "claude"}},
		{name: "a config over 64 MiB (Cursor)", setup: func(t *testing.T, w *world) {
			put(t, w, ".cursor/mcp.json", "{}")
			if err := os.Truncate(home(w, ".cursor/mcp.json"), 65<<20); err != nil {
				t.Fatal(err)
			}
		}, args: []string{"--yes", "--targets", "cursor"}},
		{name: "a read-only config (Codex)", setup: func(t *testing.T, w *world) {
			put(t, w, ".codex/config.toml", "model = \"gpt-5\"\n")
			if err := os.Chmod(home(w, ".codex/config.toml"), 0o444); err != nil {
				t.Fatal(err)
			}
		}, args: []string{"--yes", "--targets", "codex"}},
		{name: "a directory where the config belongs (Cursor)", setup: func(t *testing.T, w *world) {
			if err := os.MkdirAll(home(w, ".cursor/mcp.json"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, args: []string{"--yes", "--targets", "cursor"}},
		{name: "a named pipe where the config belongs (Cursor)", setup: func(t *testing.T, w *world) {
			os.MkdirAll(home(w, ".cursor"), 0o755)
			if err := syscall.Mkfifo(home(w, ".cursor/mcp.json"), 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		}, args: []string{"--yes", "--targets", "cursor"}},
		{name: "a TOML shape we do not edit (Codex)", setup: func(t *testing.T, w *world) {
			put(t, w, ".codex/config.toml", "mcp_servers = { docs = { command = \"docs\" } }\n")
		}, args: []string{"--yes", "--targets", "codex"}},
		{name: "a config the agent writes itself, not there yet (Continue)",
			args: []string{"--yes", "--targets", "continue"}},
		{name: "an agent without a project config (Windsurf, local scope)",
			args: []string{"--yes", "--targets", "windsurf", "--scope", "local"}},
		{name: "an install manifest that does not parse", setup: func(t *testing.T, w *world) {
			put(t, w, ".codegraph/install.json", "{\"version\": ")
		}, args: []string{"--yes", "--targets", "cursor"}},
		{name: "uninstall of a config broken since the install (Cursor)", setup: func(t *testing.T, w *world) {
			if r := w.run(t, "", false, "--yes", "--targets", "cursor", "--telemetry", "off"); r.code != 0 {
				t.Fatalf("install: %s", r)
			}
			put(t, w, ".cursor/mcp.json", "{\"mcpServers\": {\"codegraph\": {\"command\": \"codegraph\"},}}}\n")
		}, args: []string{"uninstall", "--yes", "--scope", "global"}},
		{name: "the installer cannot tell where its own binary is", setup: func(t *testing.T, w *world) {
			w.env["PATH"] = t.TempDir() // no codegraph on it
			w.exe = ""
		}, args: []string{"--yes", "--targets", "cursor"}},
		{name: "a project directory that does not exist",
			args: []string{"--yes", "--targets", "cursor", "--project", "$ROOT/nowhere"}},
		{name: "init of a file", setup: func(t *testing.T, w *world) {
			writeFile(t, filepath.Join(w.project, "main.go"), "package main\n")
		}, args: []string{"init", "$ROOT/project/main.go"}},
		{name: "a mistyped target",
			args: []string{"--yes", "--targets", "claud"}},
		{name: "a mistyped command",
			args: []string{"telemtry"}},
		{name: "no terminal for the interactive installer",
			args: []string{}},
		{name: "telemetry on over a symlinked consent file", setup: func(t *testing.T, w *world) {
			os.MkdirAll(home(w, ".codegraph"), 0o700)
			put(t, w, "elsewhere.json", "{}")
			if err := os.Symlink(home(w, "elsewhere.json"), home(w, ".codegraph/telemetry.json")); err != nil {
				t.Skipf("symlink: %v", err)
			}
		}, args: []string{"telemetry", "on"}},
		{name: "no home directory", noHome: true,
			args: []string{"telemetry", "status"}},
	}
	var transcript bytes.Buffer
	for _, tc := range cases {
		w := newWorld(t)
		root := filepath.Dir(w.home)
		if tc.setup != nil {
			tc.setup(t, w)
		}
		args := make([]string, len(tc.args))
		for i, a := range tc.args {
			args[i] = strings.ReplaceAll(a, "$ROOT", root)
		}
		var r run
		if tc.noHome {
			var out, errb bytes.Buffer
			code := installcli.Run(context.Background(), installcli.Env{
				Program: "codegraph", Args: args, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
				Getenv: func(k string) string { return w.env[k] }, Cwd: w.project, Now: time.Now,
			})
			r = run{code, out.String(), errb.String()}
		} else {
			r = w.run(t, "", false, args...)
		}
		text := strings.ReplaceAll(r.stdout+r.stderr, root, "$ROOT")
		fmt.Fprintf(&transcript, "# %s: codegraph-install %s → exit %d\n%s\n", tc.name, strings.Join(tc.args, " "), r.code, text)
		if r.code == 0 {
			t.Errorf("%s: exit 0, want a failure:\n%s", tc.name, text)
		}
		for _, leak := range []string{"hujson", "toml:", "yaml:", "json:", "open /", "stat /", "read /"} {
			if strings.Contains(text, leak) {
				t.Errorf("%s: the message shows %q:\n%s", tc.name, leak, text)
			}
		}
		if strings.Contains(text, w.home+"/") {
			t.Errorf("%s: a path under the home directory is not shown as ~/...:\n%s", tc.name, text)
		}
	}
	testkit.Golden(t, "cli/error-messages.txt", transcript.Bytes())
}
