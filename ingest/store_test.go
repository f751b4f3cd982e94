package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/loadtest"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// testClock is a settable clock shared by a handler and its sink.
type testClock struct{ t atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.set(t)
	return c
}

func (c *testClock) now() time.Time      { return time.Unix(0, c.t.Load()).UTC() }
func (c *testClock) set(t time.Time)     { c.t.Store(t.UnixNano()) }
func (c *testClock) add(d time.Duration) { c.t.Add(int64(d)) }

func openStore(t *testing.T, cfg SQLiteConfig) *SQLiteSink {
	t.Helper()
	if cfg.Path == "" {
		cfg.Path = filepath.Join(t.TempDir(), "t.db")
	}
	if cfg.Now == nil {
		cfg.Now = clock
	}
	s, err := OpenSQLite(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func openRead(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := OpenReport(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// holdWriteLock takes SQLite's write lock from another connection, so the
// sink's writer blocks in BEGIN IMMEDIATE (for at most its busy timeout,
// 5 s) and requests pile up in its queue. release lets it go.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// queuedEvents reports the events waiting for the writer, takenEvents those
// of the group it holds.
func (s *SQLiteSink) queuedEvents() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queued
}

// closing reports that Close has begun.
func (s *SQLiteSink) closing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *SQLiteSink) unsyncedGroups() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unsynced
}

func (s *SQLiteSink) takenEvents() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.taken
}

// accepted decodes a body as the handler would, received at the given time.
func accepted(t testing.TB, b string, received time.Time) []Accepted {
	t.Helper()
	batch, _, derr, ok := Decode([]byte(b), received)
	if !ok {
		t.Fatal(derr)
	}
	return batch.Events
}

func machineN(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

func envelopeOf(machine string) string {
	return `"machine_id":"` + machine + `","codegraph_version":"0.9.12","os":"linux","arch":"amd64","go_version":"1.26","ci":false,"schema_version":1`
}

func countRows(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestPropsCodecRoundTrip(t *testing.T) {
	t.Parallel()
	words := &wordTable{next: 1}
	words.ids.Store(&map[string]int64{})
	evs := accepted(t, body("", mixedEvents(10)...), fixedNow)
	evs = append(evs, Accepted{Event: schema.EventUninstall, Props: map[string]any{}})
	for _, e := range evs {
		blob, err := encodeProps(nil, e.Event, e.Props, words)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]string{}
		for w, id := range *words.ids.Load() {
			byID[id] = w
		}
		got, err := decodeProps(blob, byID)
		if err != nil {
			t.Fatalf("%s: %v", e.Event, err)
		}
		if !reflect.DeepEqual(got, e.Props) {
			t.Errorf("%s: round trip gave %#v, want %#v", e.Event, got, e.Props)
		}
		if e.Event == schema.EventUsageRollup && len(blob) > 60 {
			t.Errorf("usage_rollup props take %d bytes", len(blob))
		}
	}
	if _, err := encodeProps(nil, schema.EventInstall, map[string]any{"scope": "local", "evil": "x"}, words); err == nil {
		t.Error("a prop outside the schema was encoded")
	}
}

func FuzzDecodeProps(f *testing.F) {
	f.Add([]byte{0x0a, 0x01}, int64(1))
	f.Add([]byte{0x0d, 0x05, 0x01, 0x61}, int64(1))
	f.Fuzz(func(t *testing.T, b []byte, id int64) {
		_, _ = decodeProps(b, map[int64]string{1: "a", id: "b"}) // never panics
	})
}

// TestGroupCommit: requests that wait while a commit is in flight share the
// next transaction, and every one of them is stored when Store returns.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	m := &Metrics{}
	s := openStore(t, SQLiteConfig{Metrics: m})
	release := holdWriteLock(t, s.cfg.Path)
	const requests = 40
	errs := make(chan error, requests)
	store := func(i int) {
		errs <- s.Store(context.Background(), accepted(t, body(envelopeOf(machineN(i)), mixedEvents(10)...), fixedNow))
	}
	// The first request goes alone: the writer takes it and blocks on the
	// lock. Only then do the others arrive, so they wait in the queue
	// together (sent all at once, the writer may take them all in its
	// first group, and the count below would depend on scheduling).
	go store(0)
	waitFor(t, func() bool { return s.takenEvents() == 10 })
	for i := 1; i < requests; i++ {
		go store(i)
	}
	waitFor(t, func() bool { return s.queuedEvents()+s.takenEvents() == requests*10 })
	release()
	for range requests {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if c := m.Commits.Load(); c != 2 {
		t.Errorf("%d commits for %d requests, want 2 (the first to arrive, then the rest together)", c, requests)
	}
	db := openRead(t, s.cfg.Path)
	if n := countRows(t, db, `SELECT count(*) FROM raw_events`); n != requests*10 {
		t.Fatalf("%d raw rows, want %d", n, requests*10)
	}
	r, err := BuildReport(context.Background(), db, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.WeeklyActive) != 1 || r.WeeklyActive[0].Machines != requests || r.WeeklyActive[0].New != requests {
		t.Errorf("weekly active %+v, want %d machines, all new", r.WeeklyActive, requests)
	}
}

// TestQueueFullIs503: when the writer's queue is full a request is refused
// at once with 503 and Retry-After, nothing of it is stored, and the queued
// ones are stored once the writer catches up.
func TestQueueFullIs503(t *testing.T) {
	t.Parallel()
	m := &Metrics{}
	s := openStore(t, SQLiteConfig{QueueEvents: 30, Metrics: m})
	h, err := NewHandler(Config{Sink: s, Now: clock, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	release := holdWriteLock(t, s.cfg.Path)
	send := func(i int) *http.Response {
		req, _ := http.NewRequest("POST", srv.URL+EventsPath, strings.NewReader(body(envelopeOf(machineN(i)), mixedEvents(10)...)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Error(err)
			return nil
		}
		resp.Body.Close()
		return resp
	}
	codes := make(chan int, 4)
	for i := range 4 { // one with the writer, three (30 events) queued
		go func() {
			if r := send(i); r != nil {
				codes <- r.StatusCode
			}
		}()
		if i == 0 {
			waitFor(t, func() bool { return s.takenEvents() == 10 })
		}
	}
	waitFor(t, func() bool { return s.queuedEvents() == 30 })
	resp := send(99)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("full queue: %d, Retry-After %q; want 503, 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	release()
	for range 4 {
		if c := <-codes; c != 204 {
			t.Fatalf("queued request answered %d", c)
		}
	}
	db := openRead(t, s.cfg.Path)
	if n := countRows(t, db, `SELECT count(*) FROM raw_events`); n != 40 {
		t.Errorf("%d raw rows, want 40 (the refused request's 10 not among them)", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM machines WHERE uuid = ?`, must(uuidBytes(machineN(99)))); n != 0 {
		t.Error("the refused request's machine was stored")
	}
	if m.QueueFull.Load() != 1 || m.Requests(503) != 1 {
		t.Errorf("queue_full %d, 503s %d; want 1, 1", m.QueueFull.Load(), m.Requests(503))
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestStoreWaitsForTheSync: a request's rows are committed (readers see
// them) before the log is fsynced, but Store returns only after that fsync;
// when the fsync fails, Store fails (the handler answers 503).
func TestStoreWaitsForTheSync(t *testing.T) {
	t.Parallel()
	s := openStore(t, SQLiteConfig{})
	db := openRead(t, s.cfg.Path)
	gate := make(chan error)
	s.syncWAL = func() error {
		if err := <-gate; err != nil {
			return err
		}
		return s.wal.Sync()
	}
	for i, fail := range []bool{false, true} {
		done := make(chan error, 1)
		go func() { done <- s.Store(context.Background(), accepted(t, body("", mixedEvents(10)...), fixedNow)) }()
		waitFor(t, func() bool { return countRows(t, db, `SELECT count(*) FROM raw_events`) == int64(10*(i+1)) })
		select {
		case err := <-done:
			t.Fatalf("Store returned (%v) before the log was synced", err)
		case <-time.After(50 * time.Millisecond):
		}
		if fail {
			gate <- errors.New("disk gone")
			if err := <-done; err == nil || !strings.Contains(err.Error(), "disk gone") {
				t.Fatalf("Store after a failed fsync: %v", err)
			}
		} else {
			gate <- nil
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestHoldWhileAGroupWaitsForTheSync: while a committed group waits for the
// syncer (busy with the fsync before it), requests that arrive stay queued
// and are committed together once the syncer takes that group; every one
// of them is answered only after an fsync that covers it.
func TestHoldWhileAGroupWaitsForTheSync(t *testing.T) {
	t.Parallel()
	m := &Metrics{}
	s := openStore(t, SQLiteConfig{Metrics: m})
	gate := make(chan struct{})
	var syncs atomic.Int64
	s.syncWAL = func() error {
		<-gate
		syncs.Add(1)
		return s.wal.Sync()
	}
	errs := make(chan error, 5)
	store := func(i int) {
		errs <- s.Store(context.Background(), accepted(t, body(envelopeOf(machineN(i)), mixedEvents(10)...), fixedNow))
	}
	// A is committed and its fsync held; B is committed while the syncer
	// is busy with A's fsync, so B waits for the syncer.
	go store(0)
	waitFor(t, func() bool { return m.Commits.Load() == 1 && s.unsyncedGroups() == 0 })
	go store(1)
	waitFor(t, func() bool { return m.Commits.Load() == 2 && s.unsyncedGroups() == 1 })
	// C, D, E arrive while B waits: held in the queue, not committed.
	for i := 2; i < 5; i++ {
		go store(i)
	}
	waitFor(t, func() bool { return s.queuedEvents() == 30 })
	if c := m.Commits.Load(); c != 2 {
		t.Fatalf("%d commits while B waits for the syncer, want 2", c)
	}
	for range 3 {
		gate <- struct{}{} // A's fsync, then B's, then that of C to E
	}
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if c := m.Commits.Load(); c != 3 {
		t.Errorf("%d commits, want 3 (A, B, then C to E together)", c)
	}
	if n := syncs.Load(); n != 3 {
		t.Errorf("%d fsyncs, want 3", n)
	}
}

// TestCloseDrainsQueue: Close commits what is queued before it returns, and
// a Store after Close fails.
func TestCloseDrainsQueue(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "t.db")
	s, err := OpenSQLite(context.Background(), SQLiteConfig{Path: path, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	release := holdWriteLock(t, path)
	errs := make(chan error, 5)
	for i := range 5 {
		go func() {
			errs <- s.Store(context.Background(), accepted(t, body(envelopeOf(machineN(i)), mixedEvents(3)...), fixedNow))
		}()
	}
	waitFor(t, func() bool { return s.takenEvents() > 0 && s.queuedEvents()+s.takenEvents() == 15 })
	go func() {
		// The lock goes once Close has stopped accepting and waits for the
		// writer, so that the drain is what Close waits for.
		for deadline := time.Now().Add(5 * time.Second); !s.closing() && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		}
		release()
	}()
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Store(context.Background(), accepted(t, body("", mixedEvents(1)...), fixedNow)); err == nil {
		t.Fatal("Store after Close succeeded")
	}
	db := openRead(t, path)
	if n := countRows(t, db, `SELECT count(*) FROM raw_events`); n != 15 {
		t.Errorf("%d raw rows after Close, want 15", n)
	}
}

// TestRetention: raw rows received RetentionDays ago or earlier are deleted,
// the rollups keep counting them, and first_seen rows of closed periods are
// pruned without changing any count.
func TestRetention(t *testing.T) {
	t.Parallel()
	clk := newTestClock(fixedNow)
	m := &Metrics{}
	s := openStore(t, SQLiteConfig{RetentionDays: 90, Now: clk.now, Metrics: m})
	db := openRead(t, s.cfg.Path)
	ctx := context.Background()
	store := func(machine string, n int) {
		t.Helper()
		if err := s.Store(ctx, accepted(t, body(envelopeOf(machine), mixedEvents(n)...), clk.now())); err != nil {
			t.Fatal(err)
		}
	}
	store(machineN(1), 10)
	clk.add(89 * 24 * time.Hour)
	store(machineN(2), 10) // day 89: the first rows are still inside the window
	before, err := BuildReport(ctx, db, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, db, `SELECT count(*) FROM raw_events`); n != 20 {
		t.Fatalf("%d raw rows on day 89, want 20", n)
	}
	seenBefore := countRows(t, db, `SELECT count(*) FROM first_seen`)
	clk.add(24 * time.Hour)
	store(machineN(3), 10) // day 90: machine 1's rows leave the window
	// The retention pass counts what it deleted after the delete commits:
	// wait for the count too, or a reader between the two sees 0.
	waitFor(t, func() bool {
		return countRows(t, db, `SELECT count(*) FROM raw_events`) == 20 && m.RawExpired.Load() >= 10
	})
	if n := countRows(t, db, `SELECT count(*) FROM raw_events r JOIN machines m ON m.id = r.machine WHERE m.uuid = ?`,
		must(uuidBytes(machineN(1)))); n != 0 {
		t.Errorf("%d raw rows of the expired day left", n)
	}
	if m.RawExpired.Load() != 10 {
		t.Errorf("raw_expired %d, want 10", m.RawExpired.Load())
	}
	after, err := BuildReport(ctx, db, false)
	if err != nil {
		t.Fatal(err)
	}
	// Rollups still hold the deleted day: every figure of before is there.
	if !reflect.DeepEqual(after.WeeklyActive[:len(before.WeeklyActive)], before.WeeklyActive) {
		t.Errorf("weekly active changed by retention:\n%+v\n%+v", before.WeeklyActive, after.WeeklyActive)
	}
	var installs int64
	for _, c := range after.Installs {
		installs += c.Installs
	}
	if installs != 3*3 { // one install of three targets per 10 mixed events, three requests
		t.Errorf("installs %d, want 9", installs)
	}
	// Machine 1's day and week rows in first_seen are pruned (closed
	// periods); its all-time rows stay: version, platform, runtime, and
	// the figures its events count in (three install targets, four
	// languages, a file-count and a duration bucket, five tools).
	waitFor(t, func() bool {
		return countRows(t, db, `SELECT count(*) FROM first_seen WHERE machine = 1 AND dim IN (?, ?, ?, ?, ?)`,
			seenDay, seenDayVersion, seenWeek, seenWeekVersion, seenInstallWeek) == 0
	})
	if n := countRows(t, db, `SELECT count(*) FROM first_seen WHERE machine = 1 AND period != 0`); n != 0 {
		t.Errorf("machine 1 keeps %d first_seen rows of closed periods", n)
	}
	if n := countRows(t, db, `SELECT count(*) FROM first_seen WHERE machine = 1`); n != 3+3+4+2+5 {
		t.Errorf("machine 1 keeps %d first_seen rows, want 17 (version, platform, runtime, 3 targets, 4 languages, 2 buckets, 5 tools)", n)
	}
	if seenBefore == 0 {
		t.Fatal("no first_seen rows to prune")
	}
}

// TestSizeBudget: past MaxBytes the oldest raw rows go first, the file comes
// back under the budget, requests keep being answered 204, the newest rows
// and every rollup stay.
func TestSizeBudget(t *testing.T) {
	t.Parallel()
	const budget = 256 << 10
	clk := newTestClock(fixedNow)
	m := &Metrics{}
	s := openStore(t, SQLiteConfig{MaxBytes: budget, Now: clk.now, Metrics: m})
	h, err := NewHandler(Config{Sink: s, Now: clk.now, Metrics: m, RatePerMinute: 1e6, Burst: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	db := openRead(t, s.cfg.Path)
	const requests = 100 // 10,000 events, well over 256 KiB of raw rows
	for i := range requests {
		clk.add(time.Minute) // lets the budget be checked between requests
		req, _ := http.NewRequest("POST", srv.URL+EventsPath, strings.NewReader(body(envelopeOf(machineN(i%5)), mixedEvents(100)...)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 204 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	clk.add(time.Minute)
	// The gauge is measured at each check: under the low-water mark, the
	// writer has stopped trimming.
	waitFor(t, func() bool { return m.RawEvicted.Load() > 0 && float64(m.StoreBytes.Load()) <= budget*budgetLowWater })
	var pages, size int64
	db.QueryRow(`PRAGMA page_count`).Scan(&pages)
	db.QueryRow(`PRAGMA page_size`).Scan(&size)
	if pages*size > budget {
		t.Errorf("file holds %d bytes, budget %d", pages*size, budget)
	}
	kept := countRows(t, db, `SELECT count(*) FROM raw_events`)
	if kept == 0 || kept+m.RawEvicted.Load() != requests*100 {
		t.Errorf("%d raw rows kept, %d evicted, of %d", kept, m.RawEvicted.Load(), requests*100)
	}
	// Oldest first: what is kept is the newest, an unbroken run of ids.
	if lo := countRows(t, db, `SELECT min(id) FROM raw_events`); lo != requests*100-kept+1 {
		t.Errorf("kept rows start at id %d, want %d", lo, requests*100-kept+1)
	}
	if n := countRows(t, db, `SELECT sum(n) FROM totals WHERE dim = 'event'`); n != requests*100 {
		t.Errorf("rollups count %d events, want %d", n, requests*100)
	}
}

// v1Schema is the first layout of the store (one events table, JSON props),
// as `serve` wrote it before rollups; OpenSQLite migrates it.
const v1Schema = `
CREATE TABLE events (
	id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, machine_id TEXT NOT NULL, event TEXT NOT NULL,
	ts TEXT NOT NULL, day TEXT NOT NULL, week TEXT NOT NULL, props TEXT NOT NULL,
	codegraph_version TEXT, os TEXT, arch TEXT, go_version TEXT, node_major INTEGER, ci INTEGER, schema_version INTEGER
);
CREATE INDEX events_week_machine ON events(week, machine_id);`

// TestMigratesFirstLayout: a store of the first layout is migrated on open
// into raw rows and rollups that report exactly what a store fed the same
// events directly reports; report refuses it until then.
func TestMigratesFirstLayout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	other := machineN(10)
	lastWeek := fixedNow.Add(-8 * 24 * time.Hour).Format(time.RFC3339)
	var events []Accepted
	events = append(events, accepted(t, body("", mixedEvents(10)...), fixedNow)...)
	events = append(events, accepted(t, body(`"machine_id":"`+other+`","codegraph_version":"0.9.11","os":"win32","arch":"x64","node_major":22,"ci":true`,
		`{"event":"install","ts":"`+lastWeek+`","props":{"targets":["claude"],"scope":"local","kind":"upgrade","sqlite_backend":"native"}}`,
		`{"event":"usage_rollup","ts":"`+lastWeek+`","props":{"kind":"cli_command","name":"index","count":4,"error_count":2}}`,
		`{"event":"index","props":{"languages":["rust","brainfuck"]}}`), fixedNow.Add(-time.Hour))...)

	oldPath := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", "file:"+oldPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(v1Schema); err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		props, _ := json.Marshal(e.Props)
		args := []any{e.ReceivedAt.Format(time.RFC3339Nano), e.MachineID, e.Event, e.TS.Format(time.RFC3339Nano),
			e.TS.Format(time.DateOnly), "w", string(props)}
		for _, k := range []string{"codegraph_version", "os", "arch", "go_version", "node_major", "ci", "schema_version"} {
			args = append(args, e.Envelope[k])
		}
		if _, err := old.Exec(`INSERT INTO events (received_at, machine_id, event, ts, day, week, props,
			codegraph_version, os, arch, go_version, node_major, ci, schema_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	if _, err := OpenReport(ctx, oldPath); err == nil || !strings.Contains(err.Error(), "serve") {
		t.Fatalf("report on the first layout: %v, want an error pointing at serve", err)
	}
	migrated := openStore(t, SQLiteConfig{Path: oldPath})
	direct := openStore(t, SQLiteConfig{})
	byReceived := map[time.Time][]Accepted{}
	for _, e := range events {
		byReceived[e.ReceivedAt] = append(byReceived[e.ReceivedAt], e)
	}
	for _, evs := range byReceived {
		if err := direct.Store(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	var reports [2]*Report
	for i, s := range []*SQLiteSink{migrated, direct} {
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if reports[i], err = BuildReport(ctx, openRead(t, s.cfg.Path), true); err != nil {
			t.Fatal(err)
		}
	}
	// Arrival order differs (the direct store got the requests in map
	// order): compare the rows as sets.
	for _, r := range reports {
		slices.SortFunc(r.Events, func(a, b StoredEvent) int {
			return strings.Compare(a.TS+a.MachineID+a.Event+string(a.Props), b.TS+b.MachineID+b.Event+string(b.Props))
		})
	}
	if !reflect.DeepEqual(reports[0], reports[1]) {
		a, _ := json.MarshalIndent(reports[0], "", " ")
		b, _ := json.MarshalIndent(reports[1], "", " ")
		t.Errorf("migrated store reports\n%s\nthe same events stored directly\n%s", a, b)
	}
	if len(reports[0].Events) != len(events) || reports[0].WeeklyActive[len(reports[0].WeeklyActive)-1].CI != 1 {
		t.Errorf("migrated %d of %d events; weekly %+v", len(reports[0].Events), len(events), reports[0].WeeklyActive)
	}
	if n := countRows(t, openRead(t, oldPath), `SELECT count(*) FROM sqlite_master WHERE name = 'events'`); n != 0 {
		t.Error("the old events table is still there")
	}
}

// TestBytesPerEvent measures the store's size per event: the file after
// close (log checkpointed) over the events stored, for the load tool's mix
// (four usage rollups to one index event) with one machine per request, in
// 100- and 10-event requests. Rows, rollups, machines and first_seen are all
// counted; the target is at most 150 bytes an event.
func TestBytesPerEvent(t *testing.T) {
	t.Parallel()
	for _, per := range []int{100, 10} {
		t.Run(fmt.Sprintf("events=%d", per), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "t.db")
			s, err := OpenSQLite(ctx, SQLiteConfig{Path: path})
			if err != nil {
				t.Fatal(err)
			}
			tmpl := loadtest.Body(per)
			const events = 50_000
			var wg sync.WaitGroup
			sem := make(chan struct{}, 16)
			for i := range events / per {
				body := bytes.Clone(tmpl)
				loadtest.SetMachine(body, int64(i+1))
				evs := accepted(t, string(body), time.Now())
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					if err := s.Store(ctx, evs); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			perEvent := float64(info.Size()) / events
			t.Logf("%d events in %d-event requests: %d bytes, %.1f bytes an event", events, per, info.Size(), perEvent)
			if perEvent > 150 {
				t.Errorf("%.1f bytes an event, target ≤150", perEvent)
			}
		})
	}
}
