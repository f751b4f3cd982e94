package startup

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// runProcess execs bin once and fails the benchmark if it fails. It
// returns the CPU time (user + system) the process used.
func runProcess(b *testing.B, env []string, dir string, bin string, args ...string) time.Duration {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Dir = env, dir
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v\n%s", bin, args, err, out)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
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

// BenchmarkLinkedDependencies is a lower bound under every command: a
// process that links and initialises every package codegraph's code imports
// (testdata/linked) and runs none of codegraph's own code.
func BenchmarkLinkedDependencies(b *testing.B) { benchProcess(b, linked) }

// BenchmarkVersion is `codegraph version` from exec to exit.
func BenchmarkVersion(b *testing.B) { benchProcess(b, bins.Codegraph, "version") }

// BenchmarkTelemetryStatus is `codegraph telemetry status` from exec to
// exit, with its peak memory.
func BenchmarkTelemetryStatus(b *testing.B) { benchProcess(b, bins.Codegraph, "telemetry", "status") }

// BenchmarkTelemetryStatusFullQueue is `telemetry status` over a queue of
// 2,000 lines, near its 256 KiB cap: every counted command appends a line
// until the day's rollups are sent, so a busy user's queue looks like this,
// and status reads all of it to say what is pending. The lines are copies
// of the one a real `codegraph telemetry status` appended.
func BenchmarkTelemetryStatusFullQueue(b *testing.B) {
	home := b.TempDir()
	env := harness.Environ(home, "CODEGRAPH_TELEMETRY=1", "CODEGRAPH_TELEMETRY_ENDPOINT=http://127.0.0.1:9/v1/events")
	runProcess(b, env, "", bins.Codegraph, "telemetry", "status")
	queue := filepath.Join(home, ".codegraph", "telemetry-queue.jsonl")
	line, err := os.ReadFile(queue)
	if err != nil || strings.Count(string(line), "\n") != 1 {
		b.Fatalf("codegraph telemetry status queued %q, %v; want one line", line, err)
	}
	if err := os.WriteFile(queue, []byte(strings.Repeat(string(line), 2000)), 0o600); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		runProcess(b, env, "", bins.Codegraph, "telemetry", "status")
	}
	reportPeak(b, env, "", bins.Codegraph, "telemetry", "status")
}

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
	for b.Loop() {
		serveInitialize(b, env, bins.Codegraph, b.StopTimer)
		b.StartTimer()
	}
}

// BenchmarkAgainstBaseline compares this tree's codegraph with another
// build of it (CODEGRAPH_STARTUP_BASELINE=/path/to/codegraph, e.g. the
// previous commit built the same way), the hello-world and the
// linked-dependencies bound (BenchmarkLinkedDependencies), interleaved: each
// iteration runs every command once with each binary, in turn (which goes
// first alternates), so that the load of a shared machine falls on both
// alike. It reports the median wall
// time of each command for each binary (name-ms) and, but for serve, the
// median CPU time, user + system, of the process (name-cpu-ms), which a
// busy machine inflates less. ns/op (a whole round) means nothing here.
// Without the variable it is skipped.
//
//	CODEGRAPH_STARTUP_BASELINE=/tmp/old/codegraph go test -run '^$' -bench AgainstBaseline -benchtime 25x ./internal/startup/
func BenchmarkAgainstBaseline(b *testing.B) {
	baseline := os.Getenv("CODEGRAPH_STARTUP_BASELINE")
	if baseline == "" {
		b.Skip("set CODEGRAPH_STARTUP_BASELINE to a codegraph binary to compare with")
	}
	root := b.TempDir()
	home := filepath.Join(root, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		b.Fatal(err)
	}
	env := harness.Environ(home, "CODEGRAPH_TELEMETRY_ENDPOINT=http://127.0.0.1:9/v1/events")
	quiet := harness.Environ(home, "CODEGRAPH_TELEMETRY=0")
	installArgs := []string{"--yes", "--scope", "global", "--targets", "claude,cursor,codex,opencode",
		"--server-command", "/usr/local/bin/codegraph serve --mcp"}
	fresh := 0
	// Each command returns its wall time and, when known, its CPU time.
	timed := func(f func() time.Duration) (wall, cpu time.Duration) {
		start := time.Now()
		cpu = f()
		return time.Since(start), cpu
	}
	commands := []struct {
		name string
		run  func(bin string) (wall, cpu time.Duration)
	}{
		{"version", func(bin string) (time.Duration, time.Duration) {
			return timed(func() time.Duration { return runProcess(b, env, "", bin, "version") })
		}},
		{"status", func(bin string) (time.Duration, time.Duration) {
			return timed(func() time.Duration { return runProcess(b, env, "", bin, "telemetry", "status") })
		}},
		{"install", func(bin string) (time.Duration, time.Duration) {
			fresh++
			h := filepath.Join(root, strconv.Itoa(fresh))
			if err := os.MkdirAll(h, 0o700); err != nil {
				b.Fatal(err)
			}
			return timed(func() time.Duration {
				return runProcess(b, harness.Environ(h, "CODEGRAPH_TELEMETRY=0"), h, bin, installArgs...)
			})
		}},
		{"serve", func(bin string) (time.Duration, time.Duration) {
			return serveInitialize(b, quiet, bin, func() {}), 0
		}},
	}
	bins := []struct{ name, path string }{{"base", baseline}, {"new", bins.Codegraph}}
	samples := map[string][]time.Duration{}
	add := func(k string, wall, cpu time.Duration) {
		samples[k+"-ms"] = append(samples[k+"-ms"], wall)
		if cpu > 0 {
			samples[k+"-cpu-ms"] = append(samples[k+"-cpu-ms"], cpu)
		}
	}
	for round := 0; b.Loop(); round++ {
		wall, cpu := timed(func() time.Duration { return runProcess(b, env, "", hello) })
		add("hello", wall, cpu)
		wall, cpu = timed(func() time.Duration { return runProcess(b, env, "", linked) })
		add("linked", wall, cpu)
		for _, c := range commands {
			// Which binary goes first alternates, so that neither gains
			// from following the other.
			for i := range bins {
				bin := bins[(i+round)%len(bins)]
				wall, cpu := c.run(bin.path)
				add(c.name+"-"+bin.name, wall, cpu)
			}
		}
	}
	for k, d := range samples {
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2])/float64(time.Millisecond), k)
	}
}

// serveInitialize starts `serve --mcp`, sends initialize and returns the
// time until its answer; then it calls answered (e.g. b.StopTimer), closes
// stdin and waits for the server to exit.
func serveInitialize(b *testing.B, env []string, bin string, answered func()) time.Duration {
	const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}` + "\n"
	cmd := exec.Command(bin, "serve", "--mcp")
	cmd.Env = env
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	if _, err := io.WriteString(in, initialize); err != nil {
		b.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	d := time.Since(start)
	answered()
	if err != nil || !strings.Contains(line, `"id":1`) {
		b.Fatalf("initialize: %q, %v", line, err)
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		b.Fatalf("serve --mcp after EOF: %v", err)
	}
	return d
}
