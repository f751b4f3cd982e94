//go:build !pro

package installcli_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// TestNoticeRunSendsNothing: the process that prints the first-run notice
// opens no connection to the endpoint (the grace run); the next process
// sends, under the machine ID minted with the notice, without a second
// notice. The real binary runs against a loopback endpoint that counts the
// connections it accepts; CODEGRAPH_TEST_NOW makes yesterday's count due.
func TestNoticeRunSendsNothing(t *testing.T) {
	t.Parallel()
	home, ep := loopbackHome(t, "")
	run := func(now string, args ...string) harness.Result {
		t.Helper()
		return runCodegraph(t, home, harness.Environ(home, "CODEGRAPH_TELEMETRY_ENDPOINT="+ep.URL(), "CODEGRAPH_TEST_NOW="+now), args...)
	}
	const notice = "codegraph collects anonymous usage stats"

	// The 24th: a command is counted; nothing is due, nothing is shown.
	if r := run("2026-11-24T10:00:00Z", "telemetry", "status"); strings.Contains(r.Stderr, notice) {
		t.Fatalf("notice with nothing to send:\n%s", r)
	}
	// The 25th: the 24th's count is due. This process prints the notice
	// and sends nothing.
	r := run("2026-11-25T10:00:00Z", "telemetry", "flush")
	if !strings.Contains(r.Stderr, notice) {
		t.Fatalf("no notice:\n%s", r)
	}
	if n := ep.Accepted(); n != 0 {
		t.Fatalf("the run that printed the notice made %d connections", n)
	}
	var st struct {
		State     string  `json:"state"`
		MachineID *string `json:"machine_id"`
	}
	if err := json.Unmarshal([]byte(run("2026-11-25T10:01:00Z", "telemetry", "status", "--json").Stdout), &st); err != nil {
		t.Fatal(err)
	}
	if st.State != "default-notice-shown" || st.MachineID == nil {
		t.Fatalf("after the notice: state %q, machine ID %v", st.State, st.MachineID)
	}
	if ep.Accepted() != 0 {
		t.Fatal("status made a connection")
	}

	// The next process sends, without a second notice.
	r = run("2026-11-25T10:02:00Z", "telemetry", "flush")
	if strings.Contains(r.Stderr, notice) {
		t.Errorf("notice printed twice:\n%s", r)
	}
	bodies := ep.Bodies()
	if ep.Accepted() == 0 || len(bodies) == 0 {
		t.Fatal("the run after the notice sent nothing")
	}
	if !bytes.Contains(bodies[0], []byte(`"machine_id":"`+*st.MachineID+`"`)) || !bytes.Contains(bodies[0], []byte(`"name":"telemetry:status"`)) {
		t.Errorf("first request:\n%s", bodies[0])
	}
}

// TestAccessibleCtrlC: Ctrl+C at an accessible prompt (SIGINT, as a
// terminal in line mode sends it) ends the installer at once with exit 130
// and "Cancelled: nothing was changed.", and creates no file, whatever was
// answered before. Stdin is a pipe left open, so the prompt really waits.
func TestAccessibleCtrlC(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".claude"), 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(binDir, "codegraph-install"))
	cmd.Env = harness.Environ(home, "ACCESSIBLE=1", "CODEGRAPH_TEST_TTY=1", "CODEGRAPH_TELEMETRY_ENDPOINT=http://127.0.0.1:9/v1/events")
	cmd.Dir = home
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out := &harness.SyncBuffer{}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Keep the agents, answer No to usage data, then wait at the summary.
	io.WriteString(stdin, "0\n\nn\n")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "Install?") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no summary prompt:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(2 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still waiting for input 2 s after SIGINT:\n%s", out.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitcode.Interrupted {
		t.Errorf("exit %v, want %d", err, exitcode.Interrupted)
	}
	if !strings.Contains(stderr.String(), "Cancelled: nothing was changed.") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	for _, p := range []string{".codegraph", ".claude.json"} {
		if _, err := os.Lstat(filepath.Join(home, p)); err == nil {
			t.Errorf("%s created by a cancelled install", p)
		}
	}
	t.Logf("exited %v after SIGINT", time.Since(sent))
}
