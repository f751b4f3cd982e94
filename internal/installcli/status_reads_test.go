//go:build linux && !pro

package installcli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// TestStatusReadsEachFileOnce traces `codegraph telemetry status` (the real
// binary) with strace: the consent file is opened once (by the client at
// start-up; status reports that decision) and stat'ed twice in all, the
// second time by the persist of the command's own count at exit, which
// re-resolves consent as every persist must (CONTRACT §7); the queue is
// opened once for reading, and once more only for that append.
func TestStatusReadsEachFileOnce(t *testing.T) {
	t.Parallel()
	if !harness.HaveStrace() {
		t.Skip("strace is not installed")
	}
	home := t.TempDir()
	state := filepath.Join(home, ".codegraph")
	os.MkdirAll(state, 0o700)
	os.WriteFile(filepath.Join(state, "telemetry.json"), []byte(`{"enabled":true,"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77","consent_source":"cli","first_run_notice_shown":false}`), 0o600)
	os.WriteFile(filepath.Join(state, "telemetry-queue.jsonl"), []byte(pendingQueue), 0o600)
	trace := filepath.Join(t.TempDir(), "trace")
	cmd := exec.Command("strace", "-f", "-qq", "-e", "trace=open,openat,stat,lstat,newfstatat,fstatat64,statx", "-o", trace, filepath.Join(binDir, "codegraph"), "telemetry", "status")
	cmd.Env = harness.Environ(home, "CODEGRAPH_TELEMETRY_ENDPOINT=http://127.0.0.1:9/v1/events")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("strace: %v\n%s", err, out) // no ptrace here (a container)
	}
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	count := func(re string) int {
		return len(regexp.MustCompile(re).FindAllString(string(data), -1))
	}
	config := regexp.QuoteMeta(filepath.Join(state, "telemetry.json"))
	queue := regexp.QuoteMeta(filepath.Join(state, "telemetry-queue.jsonl"))
	for _, c := range []struct {
		what string
		re   string
		want int
	}{
		{"opens of the consent file", `open(at)?\([^\n]*"` + config + `"`, 1},
		{"stats of the consent file", `(stat|lstat|newfstatat|fstatat64|statx)\([^\n]*"` + config + `"`, 2},
		{"reads of the queue", `open(at)?\([^\n]*"` + queue + `", O_RDONLY`, 1},
		{"appends to the queue", `open(at)?\([^\n]*"` + queue + `", O_RDWR\|O_CREAT\|O_APPEND`, 1},
	} {
		if n := count(c.re); n != c.want {
			t.Errorf("%d %s, want %d:\n%s", n, c.what, c.want, strings.Join(regexp.MustCompile(`[^\n]*\.codegraph[^\n]*`).FindAllString(string(data), -1), "\n"))
		}
	}
}
