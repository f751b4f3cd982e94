package startup

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// runProcess execs bin once and fails the benchmark if it fails.
func runProcess(b *testing.B, env []string, dir string, bin string, args ...string) {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Dir = env, dir
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v\n%s", bin, args, err, out)
	}
}

// reportPeak runs the command once more under /usr/bin/time and reports
// its peak resident memory. The rusage of a child started by this process
// would count this process's own memory from before the exec, so the
// measuring parent must be small; GNU time is, and prints %M in KiB.
func reportPeak(b *testing.B, env []string, dir string, bin string, args ...string) {
	b.Helper()
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return // no GNU time here: no memory figure, the timing stands
	}
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M", bin}, args...)...)
	cmd.Env, cmd.Dir = env, dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("time %s %v: %v\n%s", bin, args, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	kib, err := strconv.ParseFloat(lines[len(lines)-1], 64)
	if err != nil {
		b.Fatalf("time printed %q", stderr.String())
	}
	b.ReportMetric(kib/1024, "peak-MiB")
}

// benchProcess times whole runs of one command line, then reports its peak
// memory.
func benchProcess(b *testing.B, bin string, args ...string) {
	env := harness.Environ(b.TempDir(), "CODEGRAPH_TELEMETRY_ENDPOINT=http://127.0.0.1:9/v1/events")
	for b.Loop() {
		runProcess(b, env, "", bin, args...)
	}
	reportPeak(b, env, "", bin, args...)
}

// BenchmarkHelloWorld is the yardstick: a Go process that prints one line.
func BenchmarkHelloWorld(b *testing.B) { benchProcess(b, hello) }

// BenchmarkVersion is `codegraph version` from exec to exit.
func BenchmarkVersion(b *testing.B) { benchProcess(b, bins.Codegraph, "version") }

// BenchmarkTelemetryStatus is `codegraph telemetry status` from exec to
// exit, with its peak memory.
func BenchmarkTelemetryStatus(b *testing.B) { benchProcess(b, bins.Codegraph, "telemetry", "status") }

// BenchmarkInstallFourTargets is a headless install into four agents' files
// of a fresh home, fsyncs included, as a whole process.
func BenchmarkInstallFourTargets(b *testing.B) {
	root := b.TempDir()
	args := []string{"--yes", "--scope", "global", "--targets", "claude,cursor,codex,opencode",
		"--server-command", "/usr/local/bin/codegraph serve --mcp"}
	freshHome := func(i int) (string, []string) {
		home := filepath.Join(root, strconv.Itoa(i))
		if err := os.MkdirAll(home, 0o700); err != nil {
			b.Fatal(err)
		}
		return home, harness.Environ(home, "CODEGRAPH_TELEMETRY=0")
	}
	i := 0
	for b.Loop() {
		b.StopTimer()
		home, env := freshHome(i)
		i++
		b.StartTimer()
		runProcess(b, env, home, bins.Install, args...)
	}
	home, env := freshHome(i)
	reportPeak(b, env, home, bins.Install, args...)
}

// BenchmarkServeInitialize is what an agent waits for when it starts a
// session: spawn `codegraph serve --mcp`, send initialize, read the answer.
// Closing stdin afterwards ends the server; that wait is not timed.
func BenchmarkServeInitialize(b *testing.B) {
	env := harness.Environ(b.TempDir(), "CODEGRAPH_TELEMETRY=0")
	const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}` + "\n"
	for b.Loop() {
		cmd := exec.Command(bins.Codegraph, "serve", "--mcp")
		cmd.Env = env
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		if _, err := io.WriteString(in, initialize); err != nil {
			b.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || !strings.Contains(line, `"id":1`) {
			b.Fatalf("initialize: %q, %v", line, err)
		}
		b.StopTimer()
		in.Close()
		if err := cmd.Wait(); err != nil {
			b.Fatalf("serve --mcp after EOF: %v", err)
		}
		b.StartTimer()
	}
}
