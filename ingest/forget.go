package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// ErrNotMachineID is Forget's error for an argument that is not a machine ID.
var ErrNotMachineID = errors.New("not a machine ID")

// ForgetResult says what Forget deleted.
type ForgetResult struct {
	MachineID string // lower case, as stored
	// Found is false when the store holds nothing of the machine.
	Found bool
	// RawEvents is how many raw rows were deleted, FirstSeen how many
	// per-machine rollup rows (which days, weeks, versions and platforms
	// the machine was counted in).
	RawEvents, FirstSeen int64
	// LogKept is true when the write-ahead log could not be emptied
	// because serve was reading or writing it: the pages it still holds
	// are overwritten as serve goes on (see Forget).
	LogKept bool
}

// forgetChunk is how many raw row ids one transaction of Forget goes
// through, so that serve's writer, which waits at most its busy timeout
// (5 s) for the write lock, is never held up for long.
const forgetChunk = 50_000

// Forget deletes every row of one machine from the store at path, which
// serve may be writing: its raw rows, its first_seen rows (the per-machine
// part of the rollups) and its row in machines, the only place its ID is
// kept. Counts already added to day_counts, totals and machine_counts stay:
// they hold no machine ID and are sums over many. Should the machine send
// again, it is a new machine to the store.
//
// Deleted content is overwritten with zeros (PRAGMA secure_delete,
// https://sqlite.org/pragma.html#pragma_secure_delete), and the write-ahead
// log, which still holds the old pages, is checkpointed into the database
// and truncated (PRAGMA wal_checkpoint(TRUNCATE)) when serve lets it.
//
// Raw rows go first, oldest first in chunks of forgetChunk ids, then the
// rest in one transaction with the machine's row: a Forget that is
// interrupted can be run again and finishes the job. serve's writer notices
// that another connection changed the store (PRAGMA data_version) and reads
// its caches again.
func Forget(ctx context.Context, path, machineID string) (ForgetResult, error) {
	return forget(ctx, path, machineID, forgetChunk)
}

// forget is Forget with the chunk size as a parameter, for the test.
func forget(ctx context.Context, path, machineID string, chunk int64) (ForgetResult, error) {
	res := ForgetResult{}
	id, err := schema.ParseMachineID(machineID)
	if err != nil {
		return res, fmt.Errorf("%q: %w: it is 8-4-4-4-12 hexadecimal digits, as codegraph telemetry status shows it", machineID, ErrNotMachineID)
	}
	res.MachineID = id
	uuid, err := uuidBytes(id)
	if err != nil {
		return res, err
	}
	// OpenReport refuses what is not a store of this layout, without
	// creating a file.
	check, err := OpenReport(ctx, path)
	if err != nil {
		return res, err
	}
	check.Close()
	db, err := sql.Open("sqlite", sqliteDSN(path, false)+"&_pragma=secure_delete(1)")
	if err != nil {
		return res, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("open %s: %w", path, err)
	}
	defer conn.Close()

	var machine int64
	switch err := conn.QueryRowContext(ctx, `SELECT id FROM machines WHERE uuid = ?`, uuid).Scan(&machine); {
	case errors.Is(err, sql.ErrNoRows):
		return res, nil
	case err != nil:
		return res, fmt.Errorf("%s: %w", path, err)
	}
	res.Found = true
	var lo, hi int64
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), -1) FROM raw_events`).Scan(&lo, &hi); err != nil {
		return res, fmt.Errorf("%s: %w", path, err)
	}
	for from := lo; from <= hi; from += chunk {
		n, err := inTx(ctx, conn, func(tx *sql.Tx) (int64, error) {
			return deleted(tx.ExecContext(ctx, `DELETE FROM raw_events WHERE id >= ? AND id < ? AND machine = ?`, from, min(from+chunk, hi+1), machine))
		})
		if err != nil {
			return res, fmt.Errorf("%s: delete raw events: %w", path, err)
		}
		res.RawEvents += n
	}
	// Rows the machine sent while the chunks went by, its first_seen rows
	// and its ID, together.
	_, err = inTx(ctx, conn, func(tx *sql.Tx) (int64, error) {
		n, err := deleted(tx.ExecContext(ctx, `DELETE FROM raw_events WHERE id > ? AND machine = ?`, hi, machine))
		if err != nil {
			return 0, err
		}
		res.RawEvents += n
		if res.FirstSeen, err = deleted(tx.ExecContext(ctx, `DELETE FROM first_seen WHERE machine = ?`, machine)); err != nil {
			return 0, err
		}
		return deleted(tx.ExecContext(ctx, `DELETE FROM machines WHERE id = ?`, machine))
	})
	if err != nil {
		return res, fmt.Errorf("%s: delete the machine: %w", path, err)
	}
	// busy is 1 when a reader or the writer kept the checkpoint from
	// finishing (https://sqlite.org/pragma.html#pragma_wal_checkpoint).
	var busy, logPages, done int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
		return res, fmt.Errorf("%s: checkpoint: %w", path, err)
	}
	res.LogKept = busy != 0
	return res, nil
}

// inTx runs f in one write transaction (BEGIN IMMEDIATE, as the DSN asks).
func inTx(ctx context.Context, conn *sql.Conn, f func(*sql.Tx) (int64, error)) (int64, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	n, err := f(tx)
	if err != nil {
		return 0, errors.Join(err, tx.Rollback())
	}
	return n, tx.Commit()
}

func deleted(r sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}
