package ingestcli

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/getcodegraph/codegraph-install/ingest"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/loadtest"
)

// TestForgetWhileServing: with a real serve process writing the store,
// `forget MACHINE_ID` deletes that machine and prints what it removed; no
// row with the machine is left (raw rows, per-machine rollup rows, its
// machines row), the other machine keeps its rows, and the summed counts
// stay. The running serve then stores the machine's next request as a new
// machine, and after serve stops the ID is nowhere in the file.
func TestForgetWhileServing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	cmd, addr, logs, exited := startServeProcess(t, nil, "--addr", harness.ListenAddr, "--db", db)
	const gone, kept = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	send := func(machine int64) {
		t.Helper()
		body := loadtest.Body(5)
		loadtest.SetMachine(body, machine)
		resp, err := http.Post("http://"+addr+ingest.EventsPath, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("machine %d: %d\n%s", machine, resp.StatusCode, logs.String())
		}
	}
	for range 3 {
		send(1)
		send(2)
	}
	store, err := sql.Open("sqlite", "file:"+db+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	count := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := store.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	events := count(`SELECT COALESCE(sum(n), 0) FROM totals WHERE dim = 'event'`)
	oldID := count(`SELECT id FROM machines WHERE lower(hex(uuid)) = ?`, strings.ReplaceAll(gone, "-", ""))

	var out, errOut bytes.Buffer
	if code := Run(context.Background(), Env{Stdout: &out, Stderr: &errOut}, []string{"forget", gone, "--db", db}); code != 0 {
		t.Fatalf("forget exited %d: %s", code, errOut.String())
	}
	if want := gone + ": deleted from " + db + ": 15 raw events, "; !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "its machine row") {
		t.Errorf("forget printed %q, want it to start %q and name the machine row", out.String(), want)
	}
	for _, q := range []string{
		`SELECT count(*) FROM raw_events_view WHERE machine_id = '` + gone + `'`,
		`SELECT count(*) FROM machines WHERE lower(hex(uuid)) = '` + strings.ReplaceAll(gone, "-", "") + `'`,
	} {
		if n := count(q); n != 0 {
			t.Errorf("%s: %d", q, n)
		}
	}
	for _, table := range []string{"raw_events", "first_seen"} {
		if n := count(`SELECT count(*) FROM `+table+` WHERE machine = ?`, oldID); n != 0 {
			t.Errorf("%s: %d rows of the forgotten machine", table, n)
		}
	}
	if n := count(`SELECT count(*) FROM raw_events_view WHERE machine_id = ?`, kept); n != 15 {
		t.Errorf("the other machine has %d raw rows, want 15", n)
	}
	if n := count(`SELECT COALESCE(sum(n), 0) FROM totals WHERE dim = 'event'`); n != events {
		t.Errorf("totals count %d events after forget, %d before: summed counts stay", n, events)
	}

	send(1)
	if n := count(`SELECT count(*) FROM raw_events_view WHERE machine_id = ?`, gone); n != 5 {
		t.Errorf("the machine's request after forget: %d rows stored, want 5", n)
	}
	var again bytes.Buffer
	if code := Run(context.Background(), Env{Stdout: &again, Stderr: &again}, []string{"forget", gone, "--db", db}); code != 0 || !strings.Contains(again.String(), ": 5 raw events") {
		t.Errorf("second forget: exit %d, %q", code, again.String())
	}
	store.Close()
	cmd.Process.Signal(syscall.SIGTERM)
	<-exited
	raw, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	id := []byte{0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 1}
	if bytes.Contains(raw, id) {
		t.Error("the forgotten machine ID is still in the database file")
	}
}

// TestForgetUsage: forget wants exactly one machine ID (exit 2 otherwise,
// as for a malformed one); one the store does not hold is no error; a
// store that is not there is a failure and creates no file.
func TestForgetUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	s, err := ingest.OpenSQLite(context.Background(), ingest.SQLiteConfig{Path: db})
	if err != nil {
		t.Fatal(err)
	}
	s.Close(context.Background())
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"forget", "--db", db}, exitcode.Usage, "accepts 1 arg"},
		{[]string{"forget", "--db", db, "a", "b"}, exitcode.Usage, "accepts 1 arg"},
		{[]string{"forget", "--db", db, "urn:uuid:3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"}, exitcode.Usage, "not a machine ID"},
		{[]string{"forget", "--db", db, "3F0C5E0E-8D0B-4A53-9B8E-5A3C2F9D1E77"}, 0, "3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77: nothing stored"},
		{[]string{"forget", "--db", filepath.Join(dir, "absent.db"), "3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"}, exitcode.Failure, "no such file"},
	} {
		var out bytes.Buffer
		if code := Run(context.Background(), Env{Stdout: &out, Stderr: &out}, tc.args); code != tc.code || !strings.Contains(out.String(), tc.says) {
			t.Errorf("%v: exit %d, want %d saying %q\n%s", tc.args, code, tc.code, tc.says, out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "absent.db")); !os.IsNotExist(err) {
		t.Errorf("forget on a missing store created it: %v", err)
	}
}
