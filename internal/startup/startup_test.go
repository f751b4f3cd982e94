package startup

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// bins are release builds (no test tags) of both binaries, the
// hello-world and the linked-dependencies bound (testdata/linked), made once
// for the package's tests and benchmarks.
var (
	bins          harness.Binaries
	hello, linked string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "codegraph-startup-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if bins, err = harness.Build(context.Background(), dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		// Built as the binaries are, so that the ratios compare like with like.
		for _, yardstick := range []struct {
			path *string
			name string
		}{{&hello, "hello"}, {&linked, "linked"}} {
			*yardstick.path = filepath.Join(dir, yardstick.name)
			build := exec.Command("go", append(append([]string{"build", "-o", *yardstick.path}, harness.BuildFlags...), "./internal/startup/testdata/"+yardstick.name)...)
			build.Dir = testkit.RepoRoot()
			build.Env = append(os.Environ(), harness.BuildEnv...)
			if out, err := build.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "go build %s: %v\n%s", yardstick.name, err, out)
				return 1
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

// Budgets for package initialisation in any command of either binary.
// Allocation is deterministic, so its bound is tight and is the real guard.
// Time is the sum of every package's init clock, the least of five runs (a
// loaded machine only ever adds to it); its bound leaves room for a busy CI
// machine (a quiet one measures 1–3 ms) and still catches the 110 ms that a
// single eagerly built table once cost every command.
const (
	maxInitBytes = 1 << 20
	maxInitMS    = 20.0
	initRuns     = 5
)

// initCost runs one command with GODEBUG=inittrace=1 and sums what the
// runtime reports for every package: "init P @T ms, C ms clock, B bytes, A allocs".
func initCost(t *testing.T, bin string, args ...string) (ms float64, bytes int64, heaviest string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = harness.Environ(testkit.Home(t), "GODEBUG=inittrace=1", "CODEGRAPH_TELEMETRY=0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Stdin = strings.NewReader("")
	_ = cmd.Run() // exit codes vary by command; only the trace matters
	var most int64
	sc := bufio.NewScanner(strings.NewReader(stderr.String()))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[0] != "init" {
			continue
		}
		clock, err1 := strconv.ParseFloat(f[4], 64)
		b, err2 := strconv.ParseInt(f[7], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("cannot read inittrace line %q", sc.Text())
		}
		ms += clock
		bytes += b
		if b > most {
			most, heaviest = b, fmt.Sprintf("%s (%d bytes, %.2f ms)", f[1], b, clock)
		}
	}
	if heaviest == "" {
		t.Fatalf("%s %v printed no inittrace lines; stderr:\n%s", bin, args, stderr.String())
	}
	return ms, bytes, heaviest
}

// TestInitCost holds package initialisation of every command to the
// budget: nothing heavy may run before main, because every command pays
// for it (an agent spawns `serve --mcp` for each session).
func TestInitCost(t *testing.T) {
	for _, tc := range []struct {
		bin  string
		args []string
	}{
		{bins.Codegraph, []string{"version"}},
		{bins.Codegraph, []string{"telemetry", "status"}},
		{bins.Codegraph, []string{"serve", "--mcp"}},
		{bins.Codegraph, []string{"init", "--help"}},
		{bins.Install, []string{"--help"}},
		{bins.Ingest, []string{"--help"}},
	} {
		name := filepath.Base(tc.bin) + " " + strings.Join(tc.args, " ")
		best := -1.0
		var alloc int64
		var heaviest string
		// The time is the best of initRuns runs; on a machine busy with
		// other tests it takes up to four times as many for one quiet run,
		// so the time bound fails only when initialisation is slow in
		// every run, while the allocation bound (deterministic) holds in each.
		for i := 0; i < initRuns || (best > maxInitMS && i < 4*initRuns); i++ {
			ms, b, h := initCost(t, tc.bin, tc.args...)
			if best < 0 || ms < best {
				best = ms
			}
			alloc, heaviest = b, h
		}
		t.Logf("%s: init %.2f ms, %d bytes; heaviest %s", name, best, alloc, heaviest)
		if alloc > maxInitBytes {
			t.Errorf("%s: package initialisation allocates %d bytes (budget %d); heaviest: %s", name, alloc, maxInitBytes, heaviest)
		}
		if best > maxInitMS {
			t.Errorf("%s: package initialisation takes %.2f ms (budget %.0f ms); heaviest: %s", name, best, maxInitMS, heaviest)
		}
	}
}

// TestHelloIsAYardstick checks the hello-world the benchmarks compare with
// runs, so a ratio against it means something.
func TestHelloIsAYardstick(t *testing.T) {
	out, err := exec.Command(hello).Output()
	if err != nil || !bytes.Equal(out, []byte("hello\n")) {
		t.Fatalf("hello: %q, %v", out, err)
	}
}

// TestLinkedListIsCurrent keeps testdata/linked importing exactly what the
// packages of ./cmd/codegraph-install import from outside this module, so
// that BenchmarkLinkedDependencies stays the bound under today's binary.
func TestLinkedListIsCurrent(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}|{{join .Imports \",\"}}", "./cmd/codegraph-install")
	cmd.Dir = testkit.RepoRoot()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/getcodegraph/codegraph-install"
	want := map[string]bool{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, "|")
		if !strings.HasPrefix(pkg, module) || imports == "" {
			continue
		}
		for imp := range strings.SplitSeq(imports, ",") {
			if !strings.HasPrefix(imp, module) {
				want[imp] = true
			}
		}
	}
	src := filepath.Join(testkit.RepoRoot(), "internal", "startup", "testdata", "linked", "main.go")
	f, err := parser.ParseFile(token.NewFileSet(), src, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		got[p] = true
	}
	for p := range want {
		if !got[p] {
			t.Errorf("testdata/linked does not import %q, which codegraph's code does", p)
		}
	}
	for p := range got {
		if !want[p] {
			t.Errorf("testdata/linked imports %q, which codegraph's code no longer does", p)
		}
	}
}
