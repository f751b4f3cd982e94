package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"time"

	// Pure Go SQLite (no cgo), so the ingest builds and cross-compiles with
	// nothing but the Go toolchain.
	_ "modernc.org/sqlite"
)

// The store's layout. Raw events are compact rows kept for a window;
// rollups, updated in the same transaction as the rows they count, are kept
// for ever and are all that reports and the dashboard read.
//
//   - words: the schema-bounded strings of raw rows (event names, prop keys,
//     closed-set values) as small numbers. Only the schema can grow it.
//   - machines: one row per machine ID ever seen (16 bytes, not 36
//     characters), with the UTC day of its first event: "first seen".
//   - envelopes: each distinct envelope once; raw rows point at it. A test
//     fails when a field of schema.Envelope() has no column here.
//   - raw_events: one row per accepted event: ts (Unix seconds), machine,
//     envelope, event (a word) and the props in the form of rawcodec.go.
//   - raw_days: the range of raw_events ids received on each UTC day, which
//     is what retention deletes by.
//   - day_counts: per UTC day (of ts), counts of events by event name and by
//     prop values (dim names the breakdown, a/b/c its values; n counts
//     events, or sums usage counts, errors sums error_count).
//   - totals: day_counts summed over all days, so all-time figures are read
//     without scanning a year of days.
//   - first_seen: the machines already counted in a breakdown of a period
//     (its dim is a number, seenDims in rollup.go; the "day" rows are the
//     machine-days); a new row bumps machine_counts. Keyed by machine first,
//     so a new machine's rows are appended, not scattered. Rows of periods
//     that can no longer receive events are pruned.
//   - machine_counts: distinct machines per breakdown and period.
//
// Days are UTC day numbers (days since 1970-01-01); a week is the day number
// of its Monday. CREATE … IF NOT EXISTS leaves an existing store as it is.
const sqliteSchema = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS words (
	id   INTEGER PRIMARY KEY,
	word TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS machines (
	id        INTEGER PRIMARY KEY,
	uuid      BLOB NOT NULL UNIQUE,
	first_day INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS envelopes (
	id                INTEGER PRIMARY KEY,
	codegraph_version TEXT,
	os                TEXT,
	arch              TEXT,
	go_version        TEXT,
	node_major        INTEGER,
	ci                INTEGER,
	schema_version    INTEGER
);
CREATE INDEX IF NOT EXISTS envelopes_lookup ON envelopes(codegraph_version, os, arch);
CREATE TABLE IF NOT EXISTS raw_events (
	id       INTEGER PRIMARY KEY,
	ts       INTEGER NOT NULL,
	machine  INTEGER NOT NULL,
	envelope INTEGER NOT NULL,
	event    INTEGER NOT NULL,
	props    BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS raw_days (
	day      INTEGER PRIMARY KEY,
	first_id INTEGER NOT NULL,
	last_id  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS day_counts (
	dim    TEXT NOT NULL,
	day    INTEGER NOT NULL,
	a      TEXT NOT NULL,
	b      TEXT NOT NULL,
	c      TEXT NOT NULL,
	n      INTEGER NOT NULL,
	errors INTEGER NOT NULL,
	PRIMARY KEY (dim, day, a, b, c)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS totals (
	dim    TEXT NOT NULL,
	a      TEXT NOT NULL,
	b      TEXT NOT NULL,
	c      TEXT NOT NULL,
	n      INTEGER NOT NULL,
	errors INTEGER NOT NULL,
	PRIMARY KEY (dim, a, b, c)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS first_seen (
	machine INTEGER NOT NULL,
	dim     INTEGER NOT NULL,
	period  INTEGER NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (machine, dim, period, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS machine_counts (
	dim      TEXT NOT NULL,
	period   INTEGER NOT NULL,
	value    TEXT NOT NULL,
	machines INTEGER NOT NULL,
	PRIMARY KEY (dim, period, value)
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS raw_events_view AS
SELECT r.id AS id,
	strftime('%Y-%m-%dT%H:%M:%SZ', r.ts, 'unixepoch') AS ts,
	lower(substr(hex(m.uuid), 1, 8) || '-' || substr(hex(m.uuid), 9, 4) || '-' || substr(hex(m.uuid), 13, 4) || '-' ||
		substr(hex(m.uuid), 17, 4) || '-' || substr(hex(m.uuid), 21, 12)) AS machine_id,
	w.word AS event,
	e.codegraph_version, e.os, e.arch, e.go_version, e.node_major, e.ci, e.schema_version,
	r.props AS props
FROM raw_events r JOIN machines m ON m.id = r.machine JOIN envelopes e ON e.id = r.envelope JOIN words w ON w.id = r.event;
`

// layoutVersion is written to meta at creation. Version 1 was the single
// events table with JSON props, which OpenSQLite migrates; version 2 had
// neither the machines behind each figure nor the daily and runtime
// breakdowns, which OpenSQLite fills from the raw rows still kept
// (backfillV3).
const layoutVersion = "3"

// Defaults of SQLiteConfig.
const (
	DefaultRetentionDays  = 90
	DefaultQueueEvents    = 20_000
	DefaultMaxGroupEvents = 10_000
)

// SQLiteConfig configures the SQLite sink. Path is required.
type SQLiteConfig struct {
	Path string
	// RetentionDays is how many UTC days of raw rows are kept, counted by
	// the day they were received (DefaultRetentionDays when 0); a negative
	// value keeps them until the size budget needs room. Rollups are kept
	// regardless.
	RetentionDays int
	// MaxBytes is the size budget of the database file: past it the oldest
	// raw rows are deleted and their pages given back, while the server
	// keeps accepting. 0 means no budget. The write-ahead log, bounded by
	// walSizeLimit after checkpoints, comes on top.
	MaxBytes int64
	// QueueEvents bounds the events waiting for the writer; a request that
	// would pass it is refused with ErrBusy (DefaultQueueEvents when 0).
	QueueEvents int
	// MaxGroupEvents bounds the events one transaction commits
	// (DefaultMaxGroupEvents when 0).
	MaxGroupEvents int
	// Now is the clock of retention and the budget; defaults to time.Now.
	Now     func() time.Time
	Logger  *slog.Logger
	Metrics *Metrics
}

// ErrBusy is returned by SQLiteSink.Store when the writer's queue is full;
// the handler answers 503 with Retry-After.
var ErrBusy = errors.New("sqlite: write queue full")

var errSinkClosed = errors.New("sqlite: sink closed")

// SQLiteSink stores accepted events in an embedded SQLite file. It is the
// default sink, for self-hosters and for tests.
//
// Group commit: Store puts a request's events on a bounded queue and waits.
// One writer goroutine takes everything queued (up to MaxGroupEvents) and
// writes the raw rows and the rollups of all those requests in one
// transaction. The commit itself does not wait for the disk
// (synchronous=NORMAL); the writer hands the group to a syncer goroutine
// and goes on with the next group, while the syncer fsyncs the write-ahead
// log — once for every group committed since its last fsync — and only
// then lets each of their Store calls return nil. So a 204 still means the
// rows are on disk, and writing one group overlaps with syncing the one
// before. While a committed group waits for the syncer, the writer lets
// new requests gather instead of committing them in small groups that
// the same later fsync would cover anyway (see take). Between groups the writer does bounded maintenance: retention,
// the size budget, pruning first_seen.
type SQLiteSink struct {
	cfg  SQLiteConfig
	db   *sql.DB
	conn *sql.Conn // the writer's only connection
	w    *storeWriter
	wal  *os.File // the write-ahead log, opened to fsync it
	// syncWAL fsyncs it (wal.Sync; tests hold it back or make it fail).
	syncWAL func() error

	toSync chan []*prepared // committed groups waiting for the fsync
	synced chan struct{}    // closed when the syncer has answered everything

	readers []*sql.DB // opened by OpenReader, closed first by Close

	mu     sync.Mutex
	queue  []*prepared
	queued int // events in queue
	taken  int // events of the group the writer holds
	// unsynced counts committed groups the syncer has not yet begun to
	// fsync: while one waits, the writer lets the queue grow (see take).
	unsynced int
	closed   bool
	wake     chan struct{}
	once     sync.Once
}

// OpenSQLite opens (creating if needed) the store at cfg.Path, migrates a
// store of the earlier layout, and starts the writer.
func OpenSQLite(ctx context.Context, cfg SQLiteConfig) (*SQLiteSink, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlite: Config.Path is required")
	}
	if cfg.RetentionDays == 0 {
		cfg.RetentionDays = DefaultRetentionDays
	}
	if cfg.QueueEvents <= 0 {
		cfg.QueueEvents = DefaultQueueEvents
	}
	if cfg.MaxGroupEvents <= 0 {
		cfg.MaxGroupEvents = DefaultMaxGroupEvents
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = &Metrics{}
	}
	path := cfg.Path
	db, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	fail := func(err error) (*SQLiteSink, error) {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	oldLayout, err := hasTable(ctx, conn, "events")
	if err != nil {
		return fail(err)
	}
	if _, err := conn.ExecContext(ctx, sqliteSchema); err != nil {
		return fail(fmt.Errorf("create schema: %w", err))
	}
	var layout string
	err = conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'layout'`).Scan(&layout)
	if errors.Is(err, sql.ErrNoRows) {
		// A new store, or the first layout (which had no meta rows):
		// migrateV1 writes every rollup of this layout.
		layout = layoutVersion
		_, err = conn.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('layout', ?)`, layoutVersion)
	}
	if err != nil {
		return fail(fmt.Errorf("layout version: %w", err))
	}
	w, err := newStoreWriter(ctx, conn, cfg)
	if err != nil {
		return fail(err)
	}
	if layout == "2" {
		if err := backfillV3(ctx, conn, w, cfg.Logger); err != nil {
			w.close()
			return fail(fmt.Errorf("fill the rollups of layout 3: %w", err))
		}
	}
	if oldLayout {
		if err := migrateV1(ctx, conn, w, cfg.Logger); err != nil {
			w.close()
			return fail(fmt.Errorf("migrate the events table: %w", err))
		}
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('layout', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, layoutVersion); err != nil {
		w.close()
		return fail(fmt.Errorf("write layout version: %w", err))
	}
	// The log exists once anything was written, as the schema was. A
	// handle of our own is what the syncer fsyncs; fsync flushes the file,
	// whichever handle wrote it.
	wal, err := os.OpenFile(path+"-wal", os.O_RDWR, 0)
	if err != nil {
		w.close()
		return fail(fmt.Errorf("open the write-ahead log: %w", err))
	}
	s := &SQLiteSink{
		cfg: cfg, db: db, conn: conn, w: w, wal: wal, syncWAL: wal.Sync,
		toSync: make(chan []*prepared, syncBacklog),
		synced: make(chan struct{}),
		wake:   make(chan struct{}, 1),
	}
	go s.run()
	go s.syncLoop()
	return s, nil
}

// walSizeLimit is what SQLite truncates the write-ahead log to after a
// checkpoint (journal_size_limit).
const walSizeLimit = 32 << 20

// walCheckpointPages is the log's length, in pages, at which a commit
// checkpoints it (wal_autocheckpoint; SQLite's default is 1,000). The
// checkpoint runs on the writer and fsyncs the log and the database file,
// so it is the one place a commit waits for the disk; every group rewrites
// the same few rollup and index pages, which a checkpoint copies once
// however often they were written. 4,000 pages (16 MiB at 4 KiB a page)
// makes that a quarter as often and stays under walSizeLimit.
const walCheckpointPages = 4_000

func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	if readOnly {
		q.Add("mode", "ro")
	} else {
		// auto_vacuum only takes effect on a new file (migrateV1 converts an
		// old one); INCREMENTAL lets the budget give pages back to the file
		// system.
		q.Add("_pragma", "auto_vacuum(INCREMENTAL)")
		q.Add("_pragma", "journal_mode(WAL)")
		// NORMAL in WAL mode: a commit does not fsync the log (checkpoints
		// still sync it before copying, and the database after). NORMAL
		// alone would survive a killed process (the log is in the page
		// cache) but could lose the last commits to a power loss; FULL
		// would fsync inside COMMIT, on the writer's path. Instead the
		// syncer fsyncs the log, off that path, before any request of the
		// group is answered, so a 204 means the rows survive a killed
		// process, a crash or a power loss.
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walCheckpointPages))
		q.Add("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func hasTable(ctx context.Context, conn *sql.Conn, name string) (bool, error) {
	var n int
	err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read schema: %w", err)
	}
	return n > 0, nil
}

// OpenReader opens the store read-only, as OpenReport does, for a reader
// that lives as long as the sink (the dashboard). Close closes it before
// the writer's connection, so that one is the last: it checkpoints the
// write-ahead log and removes it, which a read-only connection cannot.
func (s *SQLiteSink) OpenReader(ctx context.Context) (*sql.DB, error) {
	db, err := OpenReport(ctx, s.cfg.Path)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.readers = append(s.readers, db)
	s.mu.Unlock()
	return db, nil
}

// Close stops accepting, commits what is queued (giving up when ctx ends)
// and closes the database, readers from OpenReader first.
func (s *SQLiteSink) Close(ctx context.Context) error {
	var err error
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.signal()
		select {
		case <-s.synced: // the writer stopped, then the syncer
		case <-ctx.Done():
			err = fmt.Errorf("sqlite: drain: %w", ctx.Err())
			return
		}
		for _, r := range s.readers {
			err = errors.Join(err, r.Close())
		}
		// Our handle of the log goes next: closing the last connection
		// checkpoints and removes the log, which Windows refuses while
		// another handle is open.
		err = errors.Join(err, s.wal.Close(), s.w.close(), s.conn.Close(), s.db.Close())
	})
	return err
}

// OpenReport opens the store at path read-only for the dashboards. It
// refuses a missing file instead of creating an empty one, and a store of
// the earlier layout, which `serve` migrates on start.
func OpenReport(ctx context.Context, path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	var old, current int
	err = db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE name = 'events'), count(*) FILTER (WHERE name = 'machine_counts')
		FROM sqlite_master WHERE type = 'table'`).Scan(&old, &current)
	switch {
	case err != nil:
	case old > 0:
		err = errors.New("the store has the earlier layout: run `codegraph-ingest serve` on it once to migrate")
	case current == 0:
		err = errors.New("not a codegraph-ingest store")
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}
