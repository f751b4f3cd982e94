package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// migrateV1 moves the rows of the first layout's events table (TEXT columns,
// JSON props) into the current one: each row goes through the same writer as
// a request's events, so it lands as a raw row and in the rollups; then the
// old table is dropped and the file rewritten with incremental auto-vacuum.
// Rows older than the retention window are deleted by the first maintenance
// pass, after their rollups are in.
func migrateV1(ctx context.Context, conn *sql.Conn, w *storeWriter, logger *slog.Logger) error {
	const batch = 5_000
	var last, moved int64
	for {
		events, next, err := readV1(ctx, conn, last, batch)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			break
		}
		p, err := prepare(events, w.words)
		if err != nil {
			return err
		}
		if err := w.commit(ctx, []*prepared{p}); err != nil {
			return err
		}
		last = next
		moved += int64(len(events))
	}
	for _, q := range []string{`DROP TABLE events`, `PRAGMA auto_vacuum = INCREMENTAL`, `VACUUM`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	logger.Info("store migrated to the rollup layout", "events", moved)
	return nil
}

// readV1 reads up to n rows of the old events table with ids above after.
func readV1(ctx context.Context, conn *sql.Conn, after int64, n int) ([]Accepted, int64, error) {
	rows, err := conn.QueryContext(ctx, `SELECT id, received_at, machine_id, event, ts, props,
		codegraph_version, os, arch, go_version, node_major, ci, schema_version
		FROM events WHERE id > ? ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return nil, 0, fmt.Errorf("read old events: %w", err)
	}
	defer rows.Close()
	var out []Accepted
	last := after
	for rows.Next() {
		var (
			id                        int64
			received, machine, ev, ts string
			props                     string
			version, os, arch, goVer  sql.NullString
			node, ci, schemaVer       sql.NullInt64
		)
		if err := rows.Scan(&id, &received, &machine, &ev, &ts, &props, &version, &os, &arch, &goVer, &node, &ci, &schemaVer); err != nil {
			return nil, 0, fmt.Errorf("read old events: %w", err)
		}
		last = id
		recvAt, err1 := time.Parse(time.RFC3339Nano, received)
		tsAt, err2 := time.Parse(time.RFC3339Nano, ts)
		raw := map[string]any{}
		dec := json.NewDecoder(bytes.NewReader([]byte(props)))
		dec.UseNumber()
		err3 := dec.Decode(&raw)
		if err1 != nil || err2 != nil || err3 != nil {
			continue // not written by the ingest: leave it out
		}
		// The rows were cleaned on the way in; cleaning again gives the
		// values their stored Go types (int64, []string).
		clean, _, ok := schema.CleanEvent(ev, raw)
		if !ok {
			continue
		}
		env := storedEnvelope(machine, version, os, arch, goVer, node, ci, schemaVer)
		out = append(out, Accepted{ReceivedAt: recvAt.UTC(), MachineID: machine, Envelope: env, Event: ev, TS: tsAt.UTC(), Props: clean})
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read old events: %w", err)
	}
	if len(out) == 0 && last != after {
		// A whole batch of unreadable rows: skip past it.
		return readV1(ctx, conn, last, n)
	}
	return out, last, nil
}

// backfillKey is the meta row holding the last raw_events id backfillV3
// has counted.
const backfillKey = "backfill_v3"

// backfillV3 fills the rollups layout 3 added (the machines behind each
// figure, daily active machines, daily versions, runtimes, installs by
// kind, SQLite backends) from the raw rows still kept: rows the retention
// window or the size budget already deleted cannot be counted, so those
// figures start with the oldest raw row. Only the new rollups are written
// (storeWriter.backfill); progress is kept in meta, in each batch's own
// transaction, so a backfill cut short resumes where it stopped.
func backfillV3(ctx context.Context, conn *sql.Conn, w *storeWriter, logger *slog.Logger) error {
	const batch = 5_000
	var after int64
	var done string
	err := conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, backfillKey).Scan(&done)
	switch {
	case err == nil:
		if after, err = strconv.ParseInt(done, 10, 64); err != nil {
			return fmt.Errorf("backfill progress %q: %w", done, err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("backfill progress: %w", err)
	}
	words := map[int64]string{}
	rows, err := conn.QueryContext(ctx, `SELECT id, word FROM words`)
	if err != nil {
		return fmt.Errorf("read words: %w", err)
	}
	for rows.Next() {
		var id int64
		var wd string
		if err := rows.Scan(&id, &wd); err != nil {
			rows.Close()
			return fmt.Errorf("read words: %w", err)
		}
		words[id] = wd
	}
	rows.Close()
	envs := map[int64]map[string]any{} // one map per envelope, so prepare's segments hold
	w.backfill = true
	defer func() { w.backfill = false }()
	var counted int64
	for {
		events, last, err := readRaw(ctx, conn, after, batch, words, envs)
		if err != nil {
			return err
		}
		if last == after {
			break
		}
		p, err := prepare(events, w.words)
		if err != nil {
			return err
		}
		w.backfillDone = last
		if err := w.commit(ctx, []*prepared{p}); err != nil {
			return err
		}
		after = last
		counted += int64(len(events))
	}
	logger.Info("store moved to layout 3: the new rollups were filled from the raw rows still kept", "events", counted)
	return nil
}

// readRaw reads up to n raw rows with ids above after, as the events they
// were stored from, and the last id read (after when there was none).
func readRaw(ctx context.Context, conn *sql.Conn, after int64, n int, words map[int64]string, envs map[int64]map[string]any) ([]Accepted, int64, error) {
	rows, err := conn.QueryContext(ctx, `SELECT r.id, r.ts, m.uuid, r.envelope, r.event, r.props,
		e.codegraph_version, e.os, e.arch, e.go_version, e.node_major, e.ci, e.schema_version
		FROM raw_events r JOIN machines m ON m.id = r.machine JOIN envelopes e ON e.id = r.envelope
		WHERE r.id > ? ORDER BY r.id LIMIT ?`, after, n)
	if err != nil {
		return nil, after, fmt.Errorf("read raw events: %w", err)
	}
	defer rows.Close()
	var out []Accepted
	last := after
	for rows.Next() {
		var (
			id, ts, envID, event     int64
			uuid, blob               []byte
			version, os, arch, goVer sql.NullString
			node, ci, schemaVer      sql.NullInt64
		)
		if err := rows.Scan(&id, &ts, &uuid, &envID, &event, &blob, &version, &os, &arch, &goVer, &node, &ci, &schemaVer); err != nil {
			return nil, after, fmt.Errorf("read raw events: %w", err)
		}
		last = id
		props, err := decodeProps(blob, words)
		if err != nil {
			continue // a row that cannot be read is left out, as readV1 does
		}
		machine := uuidString(uuid)
		env := envs[envID]
		if env == nil || env["machine_id"] != machine {
			env = storedEnvelope(machine, version, os, arch, goVer, node, ci, schemaVer)
			envs[envID] = env
		}
		at := time.Unix(ts, 0).UTC()
		out = append(out, Accepted{ReceivedAt: at, MachineID: machine, Envelope: env, Event: words[event], TS: at, Props: props})
	}
	if err := rows.Err(); err != nil {
		return nil, after, fmt.Errorf("read raw events: %w", err)
	}
	return out, last, nil
}

// storedEnvelope is a stored row's envelope as Accepted carries it: the
// machine ID and every field the row holds (NULL is a field not sent).
func storedEnvelope(machine string, version, os, arch, goVer sql.NullString, node, ci, schemaVer sql.NullInt64) map[string]any {
	env := map[string]any{"machine_id": machine}
	for k, v := range map[string]sql.NullString{"codegraph_version": version, "os": os, "arch": arch, "go_version": goVer} {
		if v.Valid {
			env[k] = v.String
		}
	}
	if node.Valid {
		env["node_major"] = node.Int64
	}
	if ci.Valid {
		env["ci"] = ci.Int64 != 0
	}
	if schemaVer.Valid {
		env["schema_version"] = schemaVer.Int64
	}
	return env
}
