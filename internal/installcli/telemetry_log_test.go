//go:build !pro

package installcli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// TestTelemetryLogIsWhatTheEndpointReceived: the real binary flushes to a
// loopback endpoint, and says on stderr what it sent and the status;
// `telemetry log --json` then holds each request's body
// exactly as the endpoint received it (byte for byte), with status 204 and
// the endpoint, and the text form prints each body as it was sent, on a
// line of its own. `telemetry off` and `telemetry reset` delete the log.
func TestTelemetryLogIsWhatTheEndpointReceived(t *testing.T) {
	t.Parallel()
	const notice = `{"enabled":true,"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77","consent_source":"default-notice","first_run_notice_shown":true,"updated_at":"2026-11-01T00:00:00Z"}`
	var queue strings.Builder
	for i := 0; i < 130; i++ { // two requests
		queue.WriteString(`{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{"targets":["claude"]}}` + "\n")
	}
	queue.WriteString(`{"event":"index","ts":"2026-11-24T10:00:00Z","props":{"duration_bucket":"<10s","languages":["go"]}}` + "\n")
	home, ep := loopbackHome(t, notice)
	if err := os.WriteFile(filepath.Join(home, ".codegraph", "telemetry-queue.jsonl"), []byte(queue.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	env := harness.Environ(home, "CODEGRAPH_TELEMETRY_ENDPOINT="+ep.URL(), "CODEGRAPH_TEST_NOW=2026-11-25T10:00:00Z")
	run := func(args ...string) harness.Result {
		t.Helper()
		return runCodegraph(t, home, env, args...)
	}
	if r := run("telemetry", "log"); r.Stdout != "" || !strings.Contains(r.Stderr, "Nothing was sent") {
		t.Errorf("log before any send:\n%s", r)
	}
	// An explicit flush says what it did.
	if r := run("telemetry", "flush"); !strings.HasPrefix(r.Stderr, "sent 131 events to "+ep.URL()+" (204)") {
		t.Errorf("flush says:\n%s", r)
	}
	received := ep.Bodies()
	if len(received) != 2 {
		t.Fatalf("the endpoint received %d requests, want 2", len(received))
	}
	var logged []struct {
		Time     string `json:"time"`
		Status   *int   `json:"status"`
		Endpoint string `json:"endpoint"`
		Body     string `json:"body"`
	}
	if err := json.Unmarshal([]byte(run("telemetry", "log", "--json").Stdout), &logged); err != nil {
		t.Fatal(err)
	}
	if len(logged) != len(received) {
		t.Fatalf("log --json holds %d requests, the endpoint received %d", len(logged), len(received))
	}
	text := run("telemetry", "log").Stdout
	for i, l := range logged {
		if l.Body != string(received[i]) {
			t.Errorf("request %d: logged body is not what the endpoint received:\nlog      %q\nreceived %q", i, l.Body, received[i])
		}
		if l.Status == nil || *l.Status != 204 || l.Endpoint != ep.URL() || !strings.HasPrefix(l.Time, "2026-11-25T10:00:") {
			t.Errorf("request %d: status %v, endpoint %q, time %q", i, l.Status, l.Endpoint, l.Time)
		}
		if !strings.Contains(text, "\n"+string(received[i])+"\n") {
			t.Errorf("the text form does not print request %d as sent:\n%s", i, text)
		}
	}
	if n := strings.Count(text, "  204  POST "+ep.URL()+"\n"); n != 2 {
		t.Errorf("the text form has %d lines of time, status and endpoint:\n%s", n, text)
	}

	log := filepath.Join(home, ".codegraph", "telemetry-sent.jsonl")
	for _, cmd := range [][]string{{"telemetry", "off"}, {"telemetry", "reset"}} {
		os.WriteFile(log, []byte(`{"time":"2026-11-25T10:00:00Z","status":204,"endpoint":"e","body":"b"}`+"\n"), 0o600)
		r := run(cmd...)
		if _, err := os.Lstat(log); !os.IsNotExist(err) {
			t.Errorf("%v left the log (%v)", cmd, err)
		}
		if !strings.Contains(r.Stderr, "the log of what was sent") {
			t.Errorf("%v does not say the log was deleted:\n%s", cmd, r)
		}
	}
}
