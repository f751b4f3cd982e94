package ingestcli

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/ingest"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/loadtest"
)

// TestBackupUnderLoad: `backup` taken from a store that a real serve
// process is writing under concurrent requests gives a store that passes
// PRAGMA integrity_check, holds every row of every request answered 204
// before the backup started, and only whole groups (its rollups count
// exactly its raw rows). The load is bounded by a request count and a
// deadline.
func TestBackupUnderLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, out := filepath.Join(dir, "t.db"), filepath.Join(dir, "backup.db")
	cmd, addr, logs, exited := startServeProcess(t, nil, "--addr", harness.ListenAddr, "--db", db)

	const (
		events      = 10
		maxRequests = 5000
		backupAfter = 200 // 204s before the backup starts
	)
	var (
		next, nAcked atomic.Int64
		mu           sync.Mutex
		acked        []string // machine IDs answered 204, in order
		stop         = make(chan struct{})
		wg           sync.WaitGroup
		until        = time.Now().Add(30 * time.Second)
	)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 8}, Timeout: 10 * time.Second}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := next.Add(1)
				if i > maxRequests || time.Now().After(until) {
					return
				}
				body := loadtest.Body(events)
				loadtest.SetMachine(body, i)
				resp, err := client.Post("http://"+addr+ingest.EventsPath, "application/json", bytes.NewReader(body))
				if err != nil {
					t.Errorf("request %d: %v", i, err)
					return
				}
				resp.Body.Close()
				switch resp.StatusCode {
				case http.StatusNoContent:
					mu.Lock()
					acked = append(acked, fmt.Sprintf("00000000-0000-4000-8000-%012d", i))
					mu.Unlock()
					nAcked.Add(1)
				case http.StatusServiceUnavailable: // the writer is behind: not stored
				default:
					t.Errorf("request %d: %d", i, resp.StatusCode)
				}
			}
		}()
	}
	for nAcked.Load() < backupAfter {
		if time.Now().After(until) {
			close(stop)
			wg.Wait()
			t.Fatalf("%d 204s before the deadline; serve's log:\n%s", nAcked.Load(), logs.String())
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), Env{Stdout: &stdout, Stderr: &stderr}, []string{"backup", "--db", db, "--out", out})
	during := nAcked.Load() - int64(len(before))
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("backup exited %d: %s", code, stderr.String())
	}
	t.Logf("backup after %d 204s, %d more while it ran; it says: %s", len(before), during, strings.TrimSpace(stdout.String()))
	cmd.Process.Signal(syscall.SIGTERM)
	<-exited

	copyDB, err := sql.Open("sqlite", "file:"+out+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	var check string
	if err := copyDB.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q, %v", check, err)
	}
	perMachine := map[string]int{}
	rows, err := copyDB.Query(`SELECT machine_id, count(*) FROM raw_events_view GROUP BY machine_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var m string
		var n int
		rows.Scan(&m, &n)
		perMachine[m] = n
	}
	rows.Close()
	var missing []string
	for _, m := range before {
		if perMachine[m] != events {
			missing = append(missing, fmt.Sprintf("%s: %d of %d rows", m, perMachine[m], events))
		}
	}
	if len(missing) > 0 {
		t.Errorf("answered 204 before the backup, not in it:\n%s", strings.Join(missing, "\n"))
	}
	var raw, counted int64
	copyDB.QueryRow(`SELECT count(*) FROM raw_events`).Scan(&raw)
	copyDB.QueryRow(`SELECT COALESCE(sum(n), 0) FROM totals WHERE dim = 'event'`).Scan(&counted)
	if raw != counted || raw < int64(len(before))*events {
		t.Errorf("the copy has %d raw rows and its rollups count %d events; want equal, and at least %d", raw, counted, len(before)*events)
	}
	if !strings.Contains(stdout.String(), fmt.Sprintf("%d raw events", raw)) {
		t.Errorf("backup printed %q, not the %d raw events it copied", stdout.String(), raw)
	}
}

// TestBackupUsage: backup without --out is a usage error; with an --out
// that exists it fails and leaves that file alone.
func TestBackupUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"backup", "--db", "x.db"}, exitcode.Usage},
		{[]string{"backup", "--db", "x.db", "--out", "y.db", "extra"}, exitcode.Usage},
		{[]string{"backup", "--db", filepath.Join(t.TempDir(), "absent.db"), "--out", filepath.Join(t.TempDir(), "y.db")}, exitcode.Failure},
	} {
		var out bytes.Buffer
		if code := Run(context.Background(), Env{Stdout: &out, Stderr: &out}, tc.args); code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s", tc.args, code, tc.code, out.String())
		}
	}
}
