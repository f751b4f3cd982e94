//go:build !windows

package installcli_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// TestFormInARealTerminal runs the real codegraph-install binary in a
// pseudo-terminal of a given size, types keys as a person would, and
// checks the exit code and what was written: the form reads the
// terminal's size itself, draws in it, and a cancel leaves no file.
func TestFormInARealTerminal(t *testing.T) {
	t.Parallel()
	toConfirm := enterToSummary()
	for _, tc := range []struct {
		name       string
		rows, cols uint16
		env        []string
		keys       string
		code       int
		wrote      bool
		say        []string
	}{
		{"enter through the defaults, 80x12, NO_COLOR", 12, 80, []string{"TERM=xterm-256color", "NO_COLOR=1"}, toConfirm + "\r", 0, true,
			[]string{"Install", "Each agent starts", "✓ Agents   Claude Code", "Restart Claude Code to load codegraph", "codegraph doctor"}},
		{"ctrl+c on the summary, 60x20", 20, 60, []string{"TERM=xterm-256color"}, toConfirm + "\x03", 130, false,
			[]string{"Install", "Each agent starts", "Cancelled: nothing was changed."}},
		{"esc on the first screen, 100x30", 30, 100, []string{"TERM=xterm-256color"}, "\x1b", 130, false,
			[]string{"Which agents should use codegraph?", "Cancelled: nothing was changed."}},
		{"TERM=dumb gets plain prompts; ctrl+d cancels", 24, 80, []string{"TERM=dumb"}, "\x04", 130, false,
			[]string{"0 or Enter when done", "Cancelled: nothing was changed."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			if err := os.MkdirAll(filepath.Join(home, ".claude"), 0o755); err != nil { // Claude Code is detected
				t.Fatal(err)
			}
			cmd := exec.Command(filepath.Join(binDir, "codegraph-install"))
			cmd.Dir = home
			cmd.Env = harness.Environ(home, append(tc.env,
				// codegraph is on the PATH the agents get, as after `make install`.
				"PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
				"CODEGRAPH_TELEMETRY=0")...)
			tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: tc.rows, Cols: tc.cols})
			if err != nil {
				t.Skipf("no pseudo-terminal here: %v", err)
			}
			defer tty.Close()
			var screen harness.SyncBuffer
			copied := make(chan struct{})
			go func() {
				_, _ = io.Copy(&screen, tty) // ends with an error once the child is gone
				close(copied)
			}()
			waitFor(t, "the form never appeared", func() bool { return strings.Contains(ansi.Strip(screen.String()), "Which agents") }, screen.String)
			// One key at a time, each once the screen the last one led to
			// is drawn, as a person types (and so Esc is never read as
			// Alt+next key).
			for i, k := range tc.keys {
				drawn := len(screen.String())
				if _, err := tty.Write([]byte(string(k))); err != nil {
					t.Fatal(err)
				}
				if i < len(tc.keys)-1 {
					waitFor(t, fmt.Sprintf("nothing was drawn after key %d (%q)", i+1, k), func() bool { return len(screen.String()) > drawn }, screen.String)
				}
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("still running 15 s after the keys:\n%s", ansi.Strip(screen.String()))
			}
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			select {
			case <-copied:
			case <-time.After(2 * time.Second):
			}
			said := ansi.Strip(screen.String())
			// 256-colour foregrounds are drawn in colour, and never under
			// NO_COLOR (the markers carry the focus there).
			noColor := strings.Contains(strings.Join(tc.env, " "), "NO_COLOR=1")
			plain := strings.Contains(strings.Join(tc.env, " "), "TERM=dumb") // plain prompts, no form
			if colored := strings.Contains(screen.String(), "\x1b[38;5;"); !plain && colored == noColor {
				t.Errorf("colours drawn = %v with %v", colored, tc.env)
			}
			if code != tc.code {
				t.Errorf("exit %d, want %d:\n%s", code, tc.code, said)
			}
			for _, s := range tc.say {
				if !strings.Contains(said, s) {
					t.Errorf("%q never on screen:\n%s", s, said)
				}
			}
			if wrote := exists(filepath.Join(home, ".claude.json")); wrote != tc.wrote {
				t.Errorf("~/.claude.json written = %v, want %v", wrote, tc.wrote)
			}
			if !tc.wrote && exists(filepath.Join(home, ".codegraph")) {
				t.Error("a cancel created ~/.codegraph")
			}
		})
	}
}

// waitFor polls cond for up to 10 s, and fails saying what did not
// happen, with the screen.
func waitFor(t *testing.T, what string, cond func() bool, show func() string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s:\n%q", what, show())
}
