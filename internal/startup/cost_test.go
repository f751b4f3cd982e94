package startup

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// pro is the codegraph-pro build (telemetry compiled out), built once when
// a benchmark first needs it.
var pro struct {
	once sync.Once
	bins harness.Binaries
	err  error
}

func proBinaries(b *testing.B) harness.Binaries {
	b.Helper()
	pro.once.Do(func() {
		dir, err := os.MkdirTemp("", "codegraph-pro-")
		if err != nil {
			pro.err = err
			return
		}
		pro.bins, pro.err = harness.Build(context.Background(), dir, "pro")
	})
	if pro.err != nil {
		b.Fatal(pro.err)
	}
	return pro.bins
}

// BenchmarkTelemetryCost is what telemetry costs a user, whole process:
// this build with telemetry on (a stored yes, past the notice) and a
// loopback endpoint that answers 204 at once, against the codegraph-pro
// build of the same tree, which has no telemetry at all. Runs are paired
// and interleaved (which goes first alternates) so the load of a shared
// machine falls on both alike; it reports the median wall time of each
// command for each build (name-ms), the ratio of the medians (name-x),
// and the ratio of the median CPU times (name-cpu-x), which the load of a
// shared machine moves less. The commands: `telemetry status`, spawn of `serve --mcp` to
// the answer of initialize, and `init` of a one-file project, whose send
// of the index event is included (init waits for it, at most 1.5 s). A
// last row, init-off, is `init` again with DO_NOT_TRACK=1 in both builds:
// what linking the client costs a process that never records or sends,
// which tells that part of init's ratio from the send's.
//
//	go test -run '^$' -bench TelemetryCost -benchtime 40x ./internal/startup/
func BenchmarkTelemetryCost(b *testing.B) {
	proBins := proBinaries(b)
	ep, err := harness.NewEndpoint()
	if err != nil {
		b.Fatal(err)
	}
	defer ep.Close()
	root := b.TempDir()
	home := filepath.Join(root, "home")
	project := filepath.Join(root, "project")
	for _, d := range []string{filepath.Join(home, ".codegraph"), project} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			b.Fatal(err)
		}
	}
	// A stored yes, so every run records and sends (no notice, no grace run).
	consent := `{"enabled":true,"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77","consent_source":"cli","first_run_notice_shown":true,"updated_at":"2026-11-01T00:00:00Z","consent_version":1}` + "\n"
	if err := os.WriteFile(filepath.Join(home, ".codegraph", "telemetry.json"), []byte(consent), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "main.go"), []byte("package main\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	env := harness.Environ(home, "CODEGRAPH_TELEMETRY_ENDPOINT="+ep.URL())
	offEnv := append(slices.Clone(env), "DO_NOT_TRACK=1")
	timed := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	// CPU time (user + system) of the process, which a busy machine
	// inflates less than wall time; serve's is not known here.
	cpu := map[string][]time.Duration{}
	commands := []struct {
		name string
		run  func(bin, key string) time.Duration
	}{
		{"status", func(bin, key string) time.Duration {
			return timed(func() { cpu[key] = append(cpu[key], runProcess(b, env, "", bin, "telemetry", "status")) })
		}},
		{"serve", func(bin, _ string) time.Duration { return serveInitialize(b, env, bin, func() {}) }},
		{"init", func(bin, key string) time.Duration {
			return timed(func() { cpu[key] = append(cpu[key], runProcess(b, env, "", bin, "init", project)) })
		}},
		{"init-off", func(bin, key string) time.Duration {
			return timed(func() { cpu[key] = append(cpu[key], runProcess(b, offEnv, "", bin, "init", project)) })
		}},
	}
	builds := []struct{ name, path string }{{"pro", proBins.Codegraph}, {"telemetry", bins.Codegraph}}
	samples := map[string][]time.Duration{}
	for round := 0; b.Loop(); round++ {
		for _, c := range commands {
			for i := range builds {
				bld := builds[(i+round)%len(builds)]
				key := c.name + "-" + bld.name
				samples[key] = append(samples[key], c.run(bld.path, key))
			}
		}
	}
	median := func(d []time.Duration) time.Duration {
		d = slices.Clone(d)
		slices.Sort(d)
		return d[len(d)/2]
	}
	for _, c := range commands {
		p, t := median(samples[c.name+"-pro"]), median(samples[c.name+"-telemetry"])
		b.ReportMetric(float64(p)/1e6, c.name+"-pro-ms")
		b.ReportMetric(float64(t)/1e6, c.name+"-telemetry-ms")
		b.ReportMetric(float64(t)/float64(p), c.name+"-x")
		if len(cpu[c.name+"-pro"]) > 0 {
			pc, tc := median(cpu[c.name+"-pro"]), median(cpu[c.name+"-telemetry"])
			b.ReportMetric(float64(tc)/float64(pc), c.name+"-cpu-x")
		}
	}
	if ep.Accepted() == 0 {
		b.Fatal("the endpoint was never reached: telemetry was not on")
	}
	b.Logf("endpoint: %d connections, %s requests", ep.Accepted(), strconv.Itoa(len(ep.Bodies())))
}
