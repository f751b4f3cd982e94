package installcli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// TestInterruptEndsAnInstall: Ctrl+C (main cancels the command's
// context) that arrives before the agents' files are written ends the
// install with exit 130 and the golden message, and no file is edited; not
// with "context canceled" shown as the agent's failure and exit 1.
// (installer.TestInterruptDuringAWrite interrupts one mid-write.)
func TestInterruptEndsAnInstall(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg := filepath.Join(w.home, ".cursor", "mcp.json")
	theirs := `{"mcpServers": {"theirs": {"command": "x"}}}`
	writeFile(t, cfg, theirs)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := w.runCtx(t, ctx, "", false, "--yes", "--targets", "cursor", "--scope", "global", "--telemetry", "off")
	if r.code != 130 {
		t.Errorf("exit %d, want 130\n%s", r.code, r)
	}
	if strings.Contains(r.stdout+r.stderr, "context canceled") || strings.Contains(r.stdout, "✗") {
		t.Errorf("the interrupt is shown as a failure:\n%s", r)
	}
	if got := readFile(t, cfg); got != theirs {
		t.Errorf("the file was edited after the interrupt:\n%s", got)
	}
	testkit.Golden(t, "cli/interrupted-install.txt", []byte("stdout:\n"+r.stdout+"stderr:\n"+r.stderr))
}
