//go:build !pro

package installcli_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// TestServeMCPStdoutIsProtocolOnly runs the real binary as an MCP server
// twice, with an event from yesterday queued, no stored choice and
// CODEGRAPH_TELEMETRY_DEBUG=1: the first server prints the first-run notice
// and, being the grace run, sends nothing; the second sends and echoes the
// payload. Each speaks JSON-RPC over its pipes until stdin closes, and every
// stdout line is a JSON-RPC 2.0 message while the notice and the echo go to
// stderr.
func TestServeMCPStdoutIsProtocolOnly(t *testing.T) {
	t.Parallel()
	ep, err := harness.NewEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()

	home, project := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(project, "main.go"), []byte("package main\n"), 0o644)
	env := append(os.Environ(), "HOME="+home, "CODEGRAPH_TELEMETRY_ENDPOINT="+ep.URL(), "DO_NOT_TRACK=", "CI=")
	bin := filepath.Join(binDir, "codegraph")

	// The census, taken with telemetry off so that no notice is used up.
	initCmd := exec.Command(bin, "init", project)
	initCmd.Env = append(env, "CODEGRAPH_TELEMETRY=0")
	if out, err := initCmd.CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	// An event queued by an earlier process: due now.
	os.MkdirAll(filepath.Join(home, ".codegraph"), 0o700)
	os.WriteFile(filepath.Join(home, ".codegraph", "telemetry-queue.jsonl"),
		[]byte(`{"event":"uninstall","ts":"`+time.Now().UTC().Add(-24*time.Hour).Format(time.RFC3339)+`","props":{"targets":["cursor"]}}`+"\n"), 0o600)

	env = append(env, "CODEGRAPH_TELEMETRY=", "CODEGRAPH_TELEMETRY_DEBUG=1")
	session := func() string {
		t.Helper()
		lines, stderr, exitAfter, err := harness.MCPSession(context.Background(), bin, env, project, "e2e-client", "1.0", 1)
		if err != nil {
			t.Fatalf("MCP session: %v\n%s", err, stderr)
		}
		if exitAfter > 2*time.Second {
			t.Errorf("exited %v after stdin closed, want ≤ 2s", exitAfter)
		}
		if bad := harness.NotJSONRPC(lines); len(bad) > 0 {
			t.Errorf("stdout lines that are not JSON-RPC 2.0 messages: %q", bad)
		}
		all := strings.Join(lines, "\n")
		if !strings.Contains(all, "codegraph_status") || !strings.Contains(all, `"languages":{"Go":1}`) {
			t.Errorf("tools/list or the census missing from the responses:\n%s", all)
		}
		return stderr
	}

	errText := session()
	if !strings.Contains(errText, "codegraph collects anonymous usage stats") {
		t.Errorf("first-run notice not on stderr:\n%s", errText)
	}
	if strings.Contains(errText, "codegraph telemetry: POST") || ep.Accepted() != 0 {
		t.Errorf("the server that printed the notice sent (%d connections):\n%s", ep.Accepted(), errText)
	}

	errText = session()
	if strings.Contains(errText, "codegraph collects anonymous usage stats") {
		t.Errorf("notice printed twice:\n%s", errText)
	}
	if !strings.Contains(errText, "codegraph telemetry: POST") || !strings.Contains(errText, `"targets":["cursor"]`) {
		t.Errorf("debug echo not on stderr:\n%s", errText)
	}
	if n := len(ep.Bodies()); n != 1 {
		t.Errorf("%d requests reached the endpoint, want 1", n)
	}
	queue, _ := os.ReadFile(filepath.Join(home, ".codegraph", "telemetry-queue.jsonl"))
	if !strings.Contains(string(queue), `"client_name":"e2e-client"`) || !strings.Contains(string(queue), `"name":"codegraph_status"`) {
		t.Errorf("tool call not counted after EOF; queue:\n%s", queue)
	}
}
