//go:build !pro

package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeMCPStdoutIsProtocolOnly runs the real binary as an MCP server,
// with a first-run notice and the debug echo both due (a queued event from
// yesterday, no stored choice, CODEGRAPH_TELEMETRY_DEBUG=1), speaks
// JSON-RPC over its pipes, closes stdin, and checks that every stdout line
// is a JSON-RPC 2.0 message while the notice and echo went to stderr.
func TestServeMCPStdoutIsProtocolOnly(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var received [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		received = append(received, b)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	home, project := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(project, "main.go"), []byte("package main\n"), 0o644)
	env := append(os.Environ(), "HOME="+home, "CODEGRAPH_TELEMETRY_ENDPOINT="+srv.URL+"/v1/events", "DO_NOT_TRACK=", "CI=")
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

	cmd := exec.Command(bin, "serve", "--mcp")
	cmd.Dir = project
	cmd.Env = append(env, "CODEGRAPH_TELEMETRY=", "CODEGRAPH_TELEMETRY_DEBUG=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var all []string
	send := func(msg string) {
		if _, err := io.WriteString(stdin, msg+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	await := func(id int) map[string]any {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("stdout closed waiting for id %d; stderr:\n%s", id, stderr.String())
				}
				all = append(all, l)
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("stdout line is not JSON: %q", l)
				}
				if m["id"] == float64(id) {
					return m
				}
			case <-timeout:
				t.Fatalf("no response %d", id)
			}
		}
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e-client","version":"1.0"}}}`)
	if r := await(1); r["result"] == nil {
		t.Fatalf("initialize: %v", r)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	if r := await(2); !strings.Contains(toJSON(r), "codegraph_status") {
		t.Fatalf("tools/list: %v", r)
	}
	send(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"codegraph_status","arguments":{}}}`)
	if r := await(3); !strings.Contains(toJSON(r), `go`) {
		t.Fatalf("tools/call: %v", r)
	}
	closed := time.Now()
	stdin.Close()
	for l := range lines {
		all = append(all, l)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v; stderr:\n%s", err, stderr.String())
	}
	if took := time.Since(closed); took > 2*time.Second {
		t.Errorf("exited %v after stdin closed, want ≤ 2s", took)
	}
	for _, l := range all {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil || m["jsonrpc"] != "2.0" {
			t.Errorf("stdout line is not a JSON-RPC 2.0 message: %q", l)
		}
	}
	errText := stderr.String()
	if !strings.Contains(errText, "codegraph collects anonymous usage stats") {
		t.Errorf("first-run notice not on stderr:\n%s", errText)
	}
	if !strings.Contains(errText, "codegraph telemetry: POST") || !strings.Contains(errText, `"targets":["cursor"]`) {
		t.Errorf("debug echo not on stderr:\n%s", errText)
	}
	mu.Lock()
	if len(received) != 1 {
		t.Errorf("%d requests reached the endpoint, want 1", len(received))
	}
	mu.Unlock()
	queue, _ := os.ReadFile(filepath.Join(home, ".codegraph", "telemetry-queue.jsonl"))
	if !strings.Contains(string(queue), `"client_name":"e2e-client"`) || !strings.Contains(string(queue), `"name":"codegraph_status"`) {
		t.Errorf("tool call not counted after EOF; queue:\n%s", queue)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
