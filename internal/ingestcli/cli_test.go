package ingestcli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/ingest"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
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
