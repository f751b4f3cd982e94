package ingestcli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/ingest"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

func TestReportJSONEvents(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := ingest.OpenSQLite(context.Background(), ingest.SQLiteConfig{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	err = db.Store(context.Background(), []ingest.Accepted{{
		ReceivedAt: ts, MachineID: "3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77",
		Envelope: map[string]any{"machine_id": "3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77", "codegraph_version": "1.0.0"},
		Event:    "uninstall", TS: ts, Props: map[string]any{"targets": []string{"claude"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close(context.Background())
	var out, errOut bytes.Buffer
	root := NewRoot(Env{Stdout: &out, Stderr: &errOut})
	root.SetArgs([]string{"report", "--db", path, "--json", "--events"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	var r ingest.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var props bytes.Buffer
	if len(r.Events) == 1 {
		json.Compact(&props, r.Events[0].Props)
	}
	if len(r.Events) != 1 || r.Events[0].Event != "uninstall" || props.String() != `{"targets":["claude"]}` {
		t.Fatalf("events %+v", r.Events)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"bogus"}, {"report", "--nope"}, {"serve", "extra"}, {"report", "extra"}} {
		var out bytes.Buffer
		if code := Run(context.Background(), Env{Stdout: &out, Stderr: &out, Getenv: testkit.Env()}, args); code != exitcode.Usage {
			t.Errorf("%v: exit %d, want %d (usage)\n%s", args, code, exitcode.Usage, out.String())
		}
		if !strings.Contains(out.String(), "--help' for usage.") {
			t.Errorf("%v: no pointer to --help:\n%s", args, out.String())
		}
	}
	var out bytes.Buffer
	code := Run(context.Background(), Env{Stdout: &out, Stderr: &out}, []string{"report", "--db", filepath.Join(t.TempDir(), "missing.db")})
	if code != exitcode.Failure {
		t.Errorf("missing db: exit %d, want %d (failure)\n%s", code, exitcode.Failure, out.String())
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"0": 0, "1GiB": 1 << 30, "500MB": 500e6, "256 KiB": 256 << 10, "42": 42, "2gb": 2e9} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GB", "-1GB", "1.5GB", "1 parsec", "99999999999TiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}

// TestReportHTML: report --html writes the dashboard page, the same bytes
// WriteDashboard gives for the store's report, and prints nothing.
func TestReportHTML(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "t.db")
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	db, err := ingest.OpenSQLite(ctx, ingest.SQLiteConfig{Path: path, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Store(ctx, []ingest.Accepted{{
		ReceivedAt: now, MachineID: "3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77",
		Envelope: map[string]any{"machine_id": "3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77", "codegraph_version": "1.0.0", "os": "linux", "arch": "arm64"},
		Event:    "index", TS: now, Props: map[string]any{"languages": []string{"go"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close(ctx)
	var out bytes.Buffer
	page := filepath.Join(dir, "dash.html")
	if code := Run(ctx, Env{Stdout: &out, Stderr: &out, Now: func() time.Time { return now }}, []string{"report", "--db", path, "--html", page}); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if out.Len() != 0 {
		t.Errorf("report --html printed %q", out.String())
	}
	got, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	rdb, err := ingest.OpenReport(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	r, err := ingest.BuildReport(ctx, rdb, false)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := ingest.WriteDashboard(&want, r, now); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) || !bytes.Contains(got, []byte(`data-key="linux/arm64" data-value="1"`)) {
		t.Errorf("report --html wrote something else than the dashboard page (%d bytes)", len(got))
	}
}

// TestServeDashboardToken: serve takes the dashboard token from the
// environment (the flag wins), and then /dashboard wants it even over
// loopback; without one it is served over loopback.
func TestServeDashboardToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		env, flag    string
		bare, bearer int
	}{
		{"no token", "", "", 200, 200},
		{"from the environment", "env-token", "", 401, 200},
		{"flag wins", "other", "env-token", 401, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"serve", "--db", filepath.Join(t.TempDir(), "t.db")}
			if tc.flag != "" {
				args = append(args, "--dashboard-token", tc.flag)
			}
			getenv := func(k string) string {
				if k == ingest.DashboardTokenEnv {
					return tc.env
				}
				return ""
			}
			srv := startServe(t, getenv, args...)
			defer func() {
				if code := srv.stop(); code != 0 {
					t.Errorf("serve exited %d", code)
				}
			}()
			addr, logs := srv.addr, &srv.logs
			get := func(token string) int {
				for range 200 {
					req, _ := http.NewRequest("GET", "http://"+addr+ingest.DashboardPath, nil)
					if token != "" {
						req.Header.Set("Authorization", "Bearer "+token)
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						time.Sleep(20 * time.Millisecond)
						continue
					}
					resp.Body.Close()
					return resp.StatusCode
				}
				t.Fatalf("serve did not answer:\n%s", logs.String())
				return 0
			}
			if got := get(""); got != tc.bare {
				t.Errorf("without token: %d, want %d", got, tc.bare)
			}
			if got := get("env-token"); got != tc.bearer {
				t.Errorf("with env-token: %d, want %d", got, tc.bearer)
			}
		})
	}
}

// TestServeWarnsWithoutDashboardToken: without a token the dashboard is
// open to whatever reaches loopback, and a reverse proxy that adds no
// forwarding header (nginx's default proxy_pass sends Host: 127.0.0.1:8787
// and none) is such a thing: serve's log says so at start, as a warning,
// and says nothing of it with a token.
func TestServeWarnsWithoutDashboardToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		env  string
		warn bool
	}{
		{name: "no token", warn: true},
		{name: "--dashboard-token", args: []string{"--dashboard-token", "s3cret"}},
		{name: "token from the environment", env: "s3cret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string {
				if k == ingest.DashboardTokenEnv {
					return tc.env
				}
				return ""
			}
			srv := startServe(t, getenv, append([]string{"serve", "--db", filepath.Join(t.TempDir(), "t.db")}, tc.args...)...)
			if code := srv.stop(); code != 0 {
				t.Fatalf("serve exited %d", code)
			}
			var warnings []string
			for _, line := range strings.Split(strings.TrimSpace(srv.logs.String()), "\n") {
				var rec struct{ Level, Msg string }
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("a log line is not JSON: %q", line)
				}
				if rec.Level == "WARN" && strings.Contains(rec.Msg, "dashboard") {
					warnings = append(warnings, rec.Msg)
				}
			}
			if tc.warn && (len(warnings) != 1 || !strings.Contains(warnings[0], "--dashboard-token") || !strings.Contains(warnings[0], "proxy")) {
				t.Errorf("want one warning naming the proxy and --dashboard-token; got %q\n%s", warnings, srv.logs.String())
			}
			if !tc.warn && len(warnings) != 0 {
				t.Errorf("warned with a token: %q", warnings)
			}
		})
	}
}

// TestServeLeavesNoLog: stopped with SIGINT/SIGTERM (the context), serve
// closes its dashboard reader before the writer, whose close then
// checkpoints the write-ahead log into the database and removes it.
func TestServeLeavesNoLog(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "t.db")
	srv := startServe(t, nil, "serve", "--db", db)
	if err := harness.WaitHealthy(srv.addr, 15*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, srv.logs.String())
	}
	resp, err := http.Get("http://" + srv.addr + ingest.DashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := srv.stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	if _, err := os.Stat(db + "-wal"); !os.IsNotExist(err) {
		t.Errorf("%s-wal left behind: %v", db, err)
	}
}

// served is `serve` run in this process, on a port of its own.
type served struct {
	addr   string
	logs   harness.SyncBuffer
	cancel context.CancelFunc
	exited chan struct{}
	code   int
}

// startServe runs Run with args (and --addr harness.ListenAddr) until
// stop, and returns once it listens.
func startServe(t *testing.T, getenv func(string) string, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{cancel: cancel, exited: make(chan struct{})}
	args = append(args, "--addr", harness.ListenAddr)
	go func() {
		s.code = Run(ctx, Env{Stdout: io.Discard, Stderr: &s.logs, Getenv: getenv}, args)
		close(s.exited)
	}()
	addr, err := harness.WaitListening(&s.logs, s.exited, 15*time.Second)
	if err != nil {
		s.stop()
		t.Fatal(err)
	}
	s.addr = addr
	return s
}

// stop cancels serve (as SIGINT would) and returns its exit code.
func (s *served) stop() int {
	s.cancel()
	<-s.exited
	return s.code
}
