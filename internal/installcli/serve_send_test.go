//go:build !pro

package installcli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// TestServeSendsWhatIsDueAfterInitialize: an agent's `serve --mcp` sends
// what earlier processes left due (here an install event), in the
// background once it has answered initialize (so the send never delays
// the session), and the send is done before the process exits.
func TestServeSendsWhatIsDueAfterInitialize(t *testing.T) {
	t.Parallel()
	yes := `{"enabled":true,"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77","consent_source":"cli","first_run_notice_shown":true,"updated_at":"2026-11-01T00:00:00Z","consent_version":1}` + "\n"
	home, ep := loopbackHome(t, yes)
	env := harness.Environ(home, "CODEGRAPH_TELEMETRY_ENDPOINT="+ep.URL())
	// An install leaves its event queued when its own send cannot reach
	// the endpoint (a closed port).
	runCodegraph(t, home, harness.Environ(home, "CODEGRAPH_TELEMETRY_ENDPOINT=http://127.0.0.1:9/v1/events"),
		"--yes", "--targets", "cursor", "--scope", "global", "--server-command", "codegraph serve --mcp")
	if ep.Accepted() != 0 {
		t.Fatal("the endpoint was reached before serve")
	}
	out, stderr, _, err := harness.MCPSession(context.Background(), filepath.Join(binDir, "codegraph"), env, home, "claude-code", "2.1.0", 1)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if len(out) < 3 {
		t.Errorf("answers: %q", out)
	}
	bodies := ep.Bodies()
	if len(bodies) != 1 || !strings.Contains(string(bodies[0]), `"event":"install"`) {
		t.Fatalf("the endpoint received %d bodies, want the install event: %q", len(bodies), bodies)
	}
}
