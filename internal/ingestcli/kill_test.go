package ingestcli

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/ingest"
	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/loadtest"
)

// serveEnv makes the test binary run the command line in serveArgsEnv
// instead of the tests, so a test can start `codegraph-ingest serve` as a
// process of its own (and kill it) without building the binary.
const (
	serveEnv     = "CODEGRAPH_INGESTCLI_TEST_MAIN"
	serveArgsEnv = "CODEGRAPH_INGESTCLI_TEST_ARGS"
)

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Run(ctx, Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}, strings.Split(os.Getenv(serveArgsEnv), "\n"))
		stop()
		os.Exit(code)
	}
	code := m.Run()
	removeBuilt()
	os.Exit(code)
}

// TestKillAfter204KeepsRows: 204 means stored, with group commit too. A
// real serve process takes concurrent requests; right after the 100th 204
// it is killed with SIGKILL while others are in flight. Every request that
// was answered 204 has all its rows in the store, raw and rolled up.
func TestKillAfter204KeepsRows(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL and its wait status are Unix's")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), serveEnv+"=1", serveArgsEnv+"="+strings.Join([]string{"serve", "--addr", harness.ListenAddr, "--db", db}, "\n"))
	var logs harness.SyncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer func() { cmd.Process.Kill(); <-exited }()
	addr, err := harness.WaitListening(&logs, exited, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := harness.WaitHealthy(addr, 15*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}

	const (
		events = 10
		// The senders stop at the kill, or when serve exits on its own, or
		// at this deadline: a serve that stops answering fails the test
		// instead of keeping it looping.
		loadFor = time.Minute
	)
	var (
		next      atomic.Int64
		acked     sync.Map // machine ID → true, for requests answered 204
		nAcked    atomic.Int64
		killed    atomic.Bool
		inFlight  atomic.Int64
		atKill    int64
		killOnce  sync.Once
		wg        sync.WaitGroup
		transport = &http.Transport{MaxConnsPerHost: 16}
		until     = time.Now().Add(loadFor)
	)
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	kill := func() {
		killOnce.Do(func() {
			atKill = inFlight.Load()
			cmd.Process.Signal(syscall.SIGKILL)
			killed.Store(true)
		})
	}
	sending := func() bool {
		select {
		case <-exited:
			return false
		default:
			return !killed.Load() && time.Now().Before(until)
		}
	}
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sending() {
				i := next.Add(1)
				machine := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
				body := loadtest.Body(events)
				loadtest.SetMachine(body, i)
				req, _ := http.NewRequest("POST", "http://"+addr+ingest.EventsPath, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				inFlight.Add(1)
				resp, err := client.Do(req)
				inFlight.Add(-1)
				if err != nil {
					continue // killed under it: stored or not, either is fine
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusNoContent {
					acked.Store(machine, true)
					if nAcked.Add(1) == 100 {
						kill()
					}
				} else if resp.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("status %d", resp.StatusCode)
				}
			}
		}()
	}
	wg.Wait()
	if !killed.Load() {
		t.Fatalf("serve answered %d requests 204 in %s, not the 100 the kill waits for; its log:\n%s", nAcked.Load(), loadFor, logs.String())
	}
	<-exited
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("serve did not die of SIGKILL: %v\n%s", waitErr, logs.String())
	}
	t.Logf("killed after %d 204s with %d requests in flight", nAcked.Load(), atKill)

	// Open the store as the next serve would (recovering the log).
	store, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var missing []string
	acked.Range(func(k, _ any) bool {
		var rows int
		if err := store.QueryRow(`SELECT count(*) FROM raw_events_view WHERE machine_id = ?`, k).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != events {
			missing = append(missing, fmt.Sprintf("%s: %d of %d rows", k, rows, events))
		}
		return true
	})
	if len(missing) > 0 {
		t.Errorf("answered 204 but not stored:\n%s", strings.Join(missing, "\n"))
	}
	var counted int64
	if err := store.QueryRow(`SELECT COALESCE(sum(n), 0) FROM totals WHERE dim = 'event'`).Scan(&counted); err != nil {
		t.Fatal(err)
	}
	if counted < nAcked.Load()*events {
		t.Errorf("rollups count %d events, fewer than the %d answered 204", counted, nAcked.Load()*events)
	}
}
