package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	// Pure Go SQLite (no cgo), so the ingest builds and cross-compiles with
	// nothing but the Go toolchain.
	_ "modernc.org/sqlite"
)

// sqliteSchema is the store's own layout. Envelope fields get columns so
// reports can group by them (machine_id in a NOT NULL column, the others as
// listed in envelopeColumns); props stay one JSON object because each event
// has its own, and SQLite's JSON functions reach into them. day and week are
// derived from ts at insert time so the dashboards group on indexed columns.
// A test fails when a field of schema.Envelope() has no column here, or when
// its value does not land in it. (CREATE TABLE IF NOT EXISTS leaves an
// existing store as it is: a new column there needs an ALTER TABLE, or the
// insert fails to prepare at start-up.)
const sqliteSchema = `
CREATE TABLE IF NOT EXISTS events (
	id                INTEGER PRIMARY KEY,
	received_at       TEXT NOT NULL,
	machine_id        TEXT NOT NULL,
	event             TEXT NOT NULL,
	ts                TEXT NOT NULL,
	day               TEXT NOT NULL,
	week              TEXT NOT NULL,
	props             TEXT NOT NULL,
	codegraph_version TEXT,
	os                TEXT,
	arch              TEXT,
	go_version        TEXT,
	node_major        INTEGER,
	ci                INTEGER,
	schema_version    INTEGER
);
CREATE INDEX IF NOT EXISTS events_week_machine ON events(week, machine_id);
CREATE INDEX IF NOT EXISTS events_event_day ON events(event, day);
CREATE INDEX IF NOT EXISTS events_version_machine ON events(codegraph_version, machine_id);
`

// envelopeColumns are the envelope fields after machine_id, each stored in
// the column of the same name. A Node-era client's node_major has a column
// of its own beside the Go client's go_version; either is NULL when absent.
var envelopeColumns = []string{
	"codegraph_version", "os", "arch", "go_version", "node_major", "ci", "schema_version",
}

// eventColumns come before the envelope's in insertEvent.
var eventColumns = []string{"received_at", "machine_id", "event", "ts", "day", "week", "props"}

var insertEvent = "INSERT INTO events (" +
	strings.Join(append(append([]string(nil), eventColumns...), envelopeColumns...), ", ") +
	") VALUES (?" + strings.Repeat(", ?", len(eventColumns)+len(envelopeColumns)-1) + ")"

// SQLiteSink stores accepted events in an embedded SQLite file. It is the
// default sink, for self-hosters and for tests. One connection does all
// writes (SQLite allows one writer at a time anyway; queueing them in
// database/sql avoids SQLITE_BUSY), in WAL mode so `report` can read while
// the server writes.
type SQLiteSink struct {
	db   *sql.DB
	ins  *sql.Stmt
	once sync.Once
}

// OpenSQLite opens (creating if needed) the store at path.
func OpenSQLite(ctx context.Context, path string) (*SQLiteSink, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	if _, err := db.ExecContext(ctx, sqliteSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create schema in %s: %w", path, err)
	}
	ins, err := db.PrepareContext(ctx, insertEvent)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare insert in %s: %w", path, err)
	}
	return &SQLiteSink{db: db, ins: ins}, nil
}

func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	if readOnly {
		q.Add("mode", "ro")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		// NORMAL in WAL mode loses at most the last transactions on power
		// loss, never corrupts; telemetry counters do not need fsync per request.
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Store writes one request's events in one transaction.
func (s *SQLiteSink) Store(ctx context.Context, events []Accepted) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	st := tx.StmtContext(ctx, s.ins)
	args := make([]any, 0, len(eventColumns)+len(envelopeColumns))
	for _, e := range events {
		props, err := json.Marshal(e.Props)
		if err != nil {
			return fmt.Errorf("encode props of %s: %w", e.Event, err)
		}
		args = append(args[:0],
			e.ReceivedAt.UTC().Format(time.RFC3339Nano),
			e.MachineID,
			e.Event,
			e.TS.UTC().Format(time.RFC3339Nano),
			e.TS.UTC().Format(time.DateOnly),
			isoWeek(e.TS),
			string(props),
		)
		for _, c := range envelopeColumns {
			args = append(args, nullable(e.Envelope[c]))
		}
		_, err = st.ExecContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("sqlite insert %s: %w", e.Event, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite commit: %w", err)
	}
	return nil
}

// nullable maps an absent envelope field to NULL; present ones are already
// string, bool or int64, which the driver stores as TEXT/INTEGER.
func nullable(v any) any {
	if v == nil {
		return nil
	}
	return v
}

// Close closes the database. Writes are synchronous, so nothing is pending.
func (s *SQLiteSink) Close(ctx context.Context) error {
	var err error
	s.once.Do(func() {
		err = errors.Join(s.ins.Close(), s.db.Close())
	})
	return err
}

func isoWeek(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// OpenReport opens the store at path read-only for the dashboards. It
// refuses a missing file instead of creating an empty one.
func OpenReport(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}
