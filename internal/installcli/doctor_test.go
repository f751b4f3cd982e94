package installcli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/consent"
)

// TestDoctorCommand: ✗ names the agent, the cause and the next step; exit 1
// when an entry fails and when nothing is installed; --json for scripts;
// counted like any command, and nothing sent.
func TestDoctorCommand(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	col, url := newCollector(t)
	w.env["CODEGRAPH_TELEMETRY_ENDPOINT"] = url

	r := w.run(t, "", false, "doctor")
	if r.code != 1 || !strings.Contains(r.stdout, "No codegraph entry found") {
		t.Fatalf("nothing installed: want exit 1 and a hint\n%s", r)
	}
	// The codegraph on this PATH is a stand-in that exits at once.
	args := []string{"--yes", "--targets", "claude", "--scope", "global"}
	if consent.Compiled {
		args = append(args, "--telemetry", "on")
	}
	if r := w.run(t, "", false, args...); r.code != 0 {
		t.Fatalf("install: %s", r)
	}
	sent := len(col.events)
	r = w.run(t, "", false, "doctor")
	if r.code != 1 {
		t.Fatalf("want exit 1\n%s", r)
	}
	want := "✗ Claude Code (global): the server exited (status 0) before answering initialize: run `"
	if !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "1 of 1 entries do not start") {
		t.Errorf("stdout lacks %q:\n%s", want, r)
	}
	r = w.run(t, "", false, "doctor", "--json")
	var got struct {
		OK     bool
		Checks []struct {
			Target, Agent, Problem, Next string
			OK                           bool
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 1 || got.OK || len(got.Checks) != 1 || got.Checks[0].Agent != "Claude Code" || got.Checks[0].Next == "" {
		t.Errorf("--json: %v\n%s", err, r)
	}
	if len(col.events) != sent {
		t.Errorf("doctor sent %d events", len(col.events)-sent)
	}
	if consent.Compiled {
		q, _ := os.ReadFile(filepath.Join(w.home, ".codegraph", "telemetry-queue.jsonl"))
		if !strings.Contains(string(q), `"name":"doctor"`) {
			t.Errorf("doctor not counted; queue:\n%s", q)
		}
	}
}
