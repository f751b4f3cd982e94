package ingestcli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/ingest"
)

// publicStore writes a store where "common-agent" is seen on k machines,
// "rare-agent" on k−1 and "solo-agent" on one.
func publicStore(t *testing.T, k int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	db, err := ingest.OpenSQLite(ctx, ingest.SQLiteConfig{Path: path, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 * k {
		client := "common-agent"
		switch {
		case i == 2*k-1:
			client = "solo-agent"
		case i >= k:
			client = "rare-agent"
		}
		m := fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1)
		err := db.Store(ctx, []ingest.Accepted{{
			ReceivedAt: now, MachineID: m, Envelope: map[string]any{"machine_id": m, "codegraph_version": "1.0.0"},
			Event: "usage_rollup", TS: now, Props: map[string]any{"kind": "mcp_tool", "name": "codegraph_explore", "count": int64(3), "client_name": client},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReportPublic: report --public, as text, --json and --html, with K
// from --min-machines or CODEGRAPH_INGEST_MIN_MACHINES, never names the
// client seen on K−1 machines and names the one on K; --events does not
// go with it.
func TestReportPublic(t *testing.T) {
	t.Parallel()
	const k = 3
	path := publicStore(t, k)
	page := filepath.Join(t.TempDir(), "public.html")
	cases := []struct {
		name string
		args []string
		env  map[string]string
		file string
	}{
		{"text", []string{"--min-machines", "3"}, nil, ""},
		{"json", []string{"--min-machines", "3", "--json"}, nil, ""},
		{"html", []string{"--min-machines", "3", "--html", page}, nil, page},
		{"K from the environment", []string{"--json"}, map[string]string{EnvName("min-machines"): "3"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			getenv := func(k string) string { return tc.env[k] }
			args := append([]string{"report", "--db", path, "--public"}, tc.args...)
			if code := Run(context.Background(), Env{Stdout: &out, Stderr: &errOut, Getenv: getenv}, args); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			got := out.String()
			if tc.file != "" {
				b, err := os.ReadFile(tc.file)
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
			}
			if strings.Contains(got, "rare-agent") || strings.Contains(got, "solo-agent") {
				t.Errorf("names a client seen on fewer than %d machines:\n%s", k, got)
			}
			if !strings.Contains(got, "common-agent") || !strings.Contains(got, "fewer than 3 distinct machines") {
				t.Errorf("does not name the client seen on %d machines, or K:\n%s", k, got)
			}
		})
	}
	// At K 4 the common client is under K too.
	var out bytes.Buffer
	if code := Run(context.Background(), Env{Stdout: &out, Stderr: io.Discard}, []string{"report", "--db", path, "--public", "--min-machines", "4"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if strings.Contains(out.String(), "common-agent") {
		t.Error("at K 4 the client seen on 3 machines is named")
	}
	for _, args := range [][]string{{"--public", "--events"}, {"--public", "--min-machines", "0"}} {
		if code := Run(context.Background(), Env{Stdout: io.Discard, Stderr: io.Discard}, append([]string{"report", "--db", path}, args...)); code != 2 {
			t.Errorf("report %v: exit %d, want 2", args, code)
		}
	}
}

// TestServePublic: serve --public answers GET /public without the
// dashboard's token, with the folded figures, while /dashboard still
// wants it; without --public, /public is 404.
func TestServePublic(t *testing.T) {
	t.Parallel()
	path := publicStore(t, 3)
	for _, public := range []bool{true, false} {
		args := []string{"serve", "--db", path, "--dashboard-token", "private-token", "--min-machines", "3"}
		if public {
			args = append(args, "--public")
		}
		srv := startServe(t, func(string) string { return "" }, args...)
		get := func(p string) (int, string) {
			for range 200 {
				resp, err := http.Get("http://" + srv.addr + p)
				if err != nil {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp.StatusCode, string(b)
			}
			t.Fatalf("serve did not answer:\n%s", srv.logs.String())
			return 0, ""
		}
		code, body := get(ingest.PublicPath + "?format=json")
		switch {
		case public && (code != 200 || !strings.Contains(body, "common-agent") || strings.Contains(body, "rare-agent")):
			t.Errorf("GET /public: %d %s", code, body)
		case !public && code != 404:
			t.Errorf("GET /public without --public: %d", code)
		}
		if code, _ := get(ingest.DashboardPath); code != 401 {
			t.Errorf("GET /dashboard without its token: %d, want 401", code)
		}
		if code := srv.stop(); code != 0 {
			t.Errorf("serve exited %d", code)
		}
	}
}
