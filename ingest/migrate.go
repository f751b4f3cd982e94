package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
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
