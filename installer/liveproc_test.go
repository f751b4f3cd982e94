package installer

import (
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestCmdlineRuns(t *testing.T) {
	t.Parallel()
	claude := []string{"claude"}
	for _, tc := range []struct {
		cmdline string
		want    bool
	}{
		{"claude\x00--resume\x00", true},
		{"/home/me/.local/share/claude/versions/2.1.3\x00", true},
		{"/home/me/.local/bin/claude\x00", true},
		{"node\x00/usr/local/bin/claude\x00", true},
		{"node\x00/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js\x00-p\x00", true},
		{`C:\Users\me\AppData\Roaming\npm\Claude.exe` + "\x00", true},
		{"claude --continue", true}, // a title set over argv
		{"bash\x00-c\x00claude\x00", false},
		{"codegraph-install\x00--targets\x00claude\x00", false},
		{"node\x00/srv/app/server.js\x00", false},
		{"/usr/bin/claudette\x00", false},
		{"", false},
	} {
		if got := cmdlineRuns([]byte(tc.cmdline), claude); got != tc.want {
			t.Errorf("cmdlineRuns(%q) = %v, want %v", tc.cmdline, got, tc.want)
		}
	}
}

// TestAgentMayRunSeesAProcess: on Linux the check reads /proc, so it is
// false while nothing named claude runs and true once one does. Elsewhere
// it is always true (the file is always watched).
func TestAgentMayRunSeesAProcess(t *testing.T) {
	claude, _ := TargetByID("claude")
	if runtime.GOOS != "linux" {
		if !agentMayRun(claude) {
			t.Fatal("without /proc the agent must be assumed running")
		}
		return
	}
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip("no sleep binary")
	}
	probe := Target{ID: "probe", binaries: []string{"codegraph-probe-" + strings.ReplaceAll(t.Name(), "/", "-")}}
	if agentMayRun(probe) {
		t.Fatal("a process named like the probe runs before it was started")
	}
	cmd := exec.Command("sleep", "30")
	cmd.Args[0] = probe.binaries[0]
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for !agentMayRun(probe) {
		if time.Now().After(deadline) {
			t.Fatal("a running process named like the agent was not seen")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkAgentMayRun is what a global install of Claude Code pays, after
// its rename, instead of a 40 ms watch when no Claude Code runs: one read
// of /proc/PID/cmdline per process on Linux.
func BenchmarkAgentMayRun(b *testing.B) {
	claude, _ := TargetByID("claude")
	for b.Loop() {
		agentMayRun(claude)
	}
}
