//go:build !pro

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

var bins harness.Binaries

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "codegraph-e2e-bin-")
	if err != nil {
		panic(err)
	}
	// testclock: CODEGRAPH_TEST_NOW moves the client's clock, so the run can
	// reach a completed UTC day without waiting for one.
	bins, err = harness.Build(context.Background(), dir, "testclock")
	code := 1
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func writeProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"main.go":           "package main\n",
		"internal/x/x.go":   "package x\n",
		"web/app.ts":        "export const secretName = 1\n",
		"scripts/tool.py":   "print('hi')\n",
		"node_modules/a.js": "module.exports = 1\n",
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type row struct {
	MachineID string          `json:"machine_id"`
	Event     string          `json:"event"`
	TS        string          `json:"ts"`
	Props     json.RawMessage `json:"props"`
}

// canonical re-encodes props with sorted keys so rows compare as strings.
func (r row) String() string {
	var m map[string]any
	json.Unmarshal(r.Props, &m)
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(m)
	return r.Event + " " + strings.TrimSpace(b.String())
}

func TestEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	work := t.TempDir()
	ingest, err := harness.StartIngest(ctx, bins.Ingest, work)
	if err != nil {
		t.Fatal(err)
	}
	defer ingest.Stop()

	home, project := testkit.Home(t), writeProject(t)
	day := time.Now().UTC().Add(-48 * time.Hour).Truncate(24 * time.Hour)
	at := func(d time.Time) []string {
		return bins.Environ(home, "CODEGRAPH_TELEMETRY_ENDPOINT="+ingest.Endpoint(), "CODEGRAPH_TEST_NOW="+d.Add(10*time.Hour).Format(time.RFC3339))
	}
	run := func(env []string, dir string, args ...string) harness.Result {
		t.Helper()
		r, err := harness.Run(ctx, harness.Cmd{Bin: bins.Codegraph, Args: args, Env: env, Dir: dir})
		if err != nil || r.Code != 0 {
			t.Fatalf("%v: %v\n%s", args, err, r)
		}
		return r
	}

	// Day one: a headless install of two targets, init, an MCP session.
	inst := run(at(day), home, "--yes", "--targets", "claude,cursor", "--scope", "global")
	if !strings.Contains(inst.Stderr, "codegraph collects anonymous usage stats") {
		t.Errorf("no first-run notice before the install event was sent:\n%s", inst.Stderr)
	}
	run(at(day), project, "init", project)
	lines, stderr, exitAfter, err := harness.MCPSession(ctx, bins.Codegraph, at(day), project, "e2e-agent", "1.2.3", 3)
	if err != nil {
		t.Fatalf("MCP session: %v\n%s", err, stderr)
	}
	if bad := harness.NotJSONRPC(lines); len(bad) > 0 {
		t.Errorf("non-protocol bytes on stdout: %q", bad)
	}
	if exitAfter > 2*time.Second {
		t.Errorf("serve took %v to exit after stdin closed", exitAfter)
	}

	// Day two: day one is complete, so its rollups are due.
	next := day.Add(24 * time.Hour)
	run(at(next), home, "telemetry", "flush")
	var st struct {
		MachineID string `json:"machine_id"`
	}
	json.Unmarshal([]byte(run(at(next), home, "telemetry", "status", "--json").Stdout), &st)
	if st.MachineID == "" {
		t.Fatal("no machine ID after sending")
	}

	rep, err := harness.Run(ctx, harness.Cmd{Bin: bins.Ingest, Args: []string{"report", "--db", ingest.DB, "--json", "--events"}, Env: harness.Environ(work)})
	if err != nil || rep.Code != 0 {
		t.Fatalf("report: %v\n%s", err, rep)
	}
	var report struct {
		Events   []row `json:"events"`
		Installs []struct {
			Target   string `json:"target"`
			Installs int64  `json:"installs"`
		} `json:"installs"`
		WeeklyActive []struct {
			Machines int64 `json:"machines"`
		} `json:"weekly_active_machines"`
	}
	if err := json.Unmarshal([]byte(rep.Stdout), &report); err != nil {
		t.Fatalf("report --json: %v\n%s", err, rep.Stdout)
	}
	var got []string
	for _, r := range report.Events {
		if r.MachineID != st.MachineID {
			t.Errorf("row under another machine ID %q: %s", r.MachineID, r)
		}
		got = append(got, r.String())
	}
	sort.Strings(got)
	want := []string{
		`index {"duration_bucket":"<10s","file_count_bucket":"<100","languages":["go","python","typescript"]}`,
		`install {"kind":"fresh","scope":"global","targets":["claude","cursor"]}`,
		`usage_rollup {"client_name":"e2e-agent","client_version":"1.2.3","count":3,"kind":"mcp_tool","name":"codegraph_status"}`,
		`usage_rollup {"count":1,"kind":"cli_command","name":"init"}`,
		`usage_rollup {"count":1,"kind":"cli_command","name":"install"}`,
		`usage_rollup {"count":1,"kind":"cli_command","name":"serve"}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows received:\n%s\nwant exactly:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, r := range report.Events {
		if r.Event == "usage_rollup" && !strings.HasPrefix(r.TS, day.Format(time.DateOnly)) {
			t.Errorf("rollup %s dated %s, want day one %s", r, r.TS, day.Format(time.DateOnly))
		}
	}
	if len(report.WeeklyActive) == 0 || report.WeeklyActive[len(report.WeeklyActive)-1].Machines != 1 {
		t.Errorf("weekly active machines: %+v", report.WeeklyActive)
	}
	if len(report.Installs) != 2 {
		t.Errorf("installs by target: %+v", report.Installs)
	}
	// The only address the ingest may log is its own, once, at start: no
	// line about a request carries the client's.
	for _, line := range strings.Split(ingest.Log(), "\n") {
		if strings.Contains(line, "127.0.0.1") && !strings.Contains(line, "listening") {
			t.Errorf("ingest log line mentions an address: %s", line)
		}
	}
}

// TestEndToEndOffMeansNoConnection runs every command that can send, with
// telemetry off in each of its three ways and something due in the queue,
// and checks both the endpoint's listener (no connection accepted) and a
// syscall trace of each command (no connect to the endpoint's port). The
// same commands with telemetry on must show connects in both, so the check
// can tell.
func TestEndToEndOffMeansNoConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	trace := harness.HaveStrace()
	if !trace {
		if os.Getenv("CI") != "" {
			t.Fatal("strace is missing: .ci/run installs it")
		}
		t.Log("strace not installed: checking the listener only")
	}
	yesterday := time.Now().UTC().Add(-24 * time.Hour).Format(time.RFC3339)
	mcpInput := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"codegraph_status","arguments":{}}}
`
	scenarios := []struct {
		name  string
		env   []string
		setup []string // a command run before, untraced
		on    bool
	}{
		{name: "DO_NOT_TRACK=1", env: []string{"DO_NOT_TRACK=1"}},
		{name: "CODEGRAPH_TELEMETRY=0", env: []string{"CODEGRAPH_TELEMETRY=0"}},
		{name: "telemetry off", setup: []string{"telemetry", "off"}},
		{name: "control: on", on: true},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			cc, err := harness.NewEndpoint()
			if err != nil {
				t.Fatal(err)
			}
			defer cc.Close()
			home, project := testkit.Home(t), writeProject(t)
			env := bins.Environ(home, append([]string{"CODEGRAPH_TELEMETRY_ENDPOINT=" + cc.URL()}, sc.env...)...)
			if sc.setup != nil {
				if r, err := harness.Run(ctx, harness.Cmd{Bin: bins.Codegraph, Args: sc.setup, Env: env, Dir: home}); err != nil || r.Code != 0 {
					t.Fatalf("%v: %v %s", sc.setup, err, r)
				}
			}
			due := `{"event":"uninstall","ts":"` + yesterday + `","props":{}}` + "\n"
			os.MkdirAll(filepath.Join(home, ".codegraph"), 0o700)
			commands := []harness.Cmd{
				{Args: []string{"--yes", "--targets", "claude", "--scope", "global"}},
				{Args: []string{"init", project}},
				{Args: []string{"serve", "--mcp"}, Dir: project, Stdin: mcpInput},
				{Args: []string{"uninit", project}},
				{Args: []string{"telemetry", "flush"}},
				{Args: []string{"uninstall", "--yes"}},
			}
			traced := 0
			for _, c := range commands {
				// Something is due before every command.
				os.WriteFile(filepath.Join(home, ".codegraph", "telemetry-queue.jsonl"), []byte(due), 0o600)
				c.Bin, c.Env, c.Trace = bins.Codegraph, env, trace
				if c.Dir == "" {
					c.Dir = home
				}
				r, err := harness.Run(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				hits := harness.ConnectsToPort(r.Connects, cc.Port())
				traced += len(hits)
				if !sc.on && len(hits) > 0 {
					t.Errorf("%v connected to the endpoint while off:\n%s", c.Args, strings.Join(hits, "\n"))
				}
				if !sc.on && strings.Contains(r.Stderr, "codegraph collects") {
					t.Errorf("%v printed the notice while off", c.Args)
				}
			}
			accepted := cc.Accepted()
			if sc.on {
				if accepted == 0 || (trace && traced == 0) {
					t.Errorf("control run: %d connections accepted, %d traced: the checks cannot see a send", accepted, traced)
				}
				return
			}
			if accepted != 0 {
				t.Errorf("the endpoint accepted %d connections while telemetry was off", accepted)
			}
		})
	}
}
