package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Maintenance bounds. Each step is its own short transaction between
// groups, so deleting a year of rows never stalls requests for long.
const (
	// deleteChunk is the most raw rows one step deletes.
	deleteChunk = 50_000
	// budgetLowWater: once over the budget, rows go until the file is
	// under this share of it, so the writer does not trim at every group.
	budgetLowWater = 0.95
	// budgetWarnEvery spaces the warning that rollups alone fill the budget.
	budgetWarnEvery = time.Hour
)

type maintenance struct {
	retentionAt time.Time // last retention pass that found nothing to do
	budgetAt    time.Time // last budget check
	overBudget  bool      // trimming until under the low-water mark
	warnedAt    time.Time
	prunedDay   int64 // UTC day the last pass over first_seen started on
	pruneFrom   int64 // machine id the pass over first_seen continues from; 0 when done
}

// maintain does at most one bounded step of upkeep and reports whether more
// is due right away.
func (w *storeWriter) maintain(ctx context.Context, now time.Time) (more bool, err error) {
	m := &w.maint
	today := dayOf(now)
	if m.prunedDay != today {
		m.prunedDay, m.pruneFrom = today, 1
	}
	if m.pruneFrom > 0 {
		next, err := w.pruneSeen(ctx, today, m.pruneFrom)
		if err != nil {
			return false, err
		}
		m.pruneFrom = next
		if next > 0 {
			return true, nil
		}
	}
	if m.overBudget || now.Sub(m.budgetAt) >= maintenanceEvery {
		m.budgetAt = now
		more, err := w.budgetStep(ctx, now)
		if err != nil || more {
			return more, err
		}
	}
	if w.cfg.RetentionDays > 0 && now.Sub(m.retentionAt) >= time.Minute {
		more, err := w.retentionStep(ctx, today)
		if err != nil {
			return false, err
		}
		if !more {
			m.retentionAt = now
		}
		return more, nil
	}
	return false, nil
}

// retentionStep deletes one chunk of raw rows received RetentionDays or more
// days before today.
func (w *storeWriter) retentionStep(ctx context.Context, today int64) (bool, error) {
	cutoff := today - int64(w.cfg.RetentionDays) // rows received on or before it go
	var keepFrom int64
	err := w.conn.QueryRowContext(ctx, `SELECT COALESCE(MIN(first_id), ?) FROM raw_days WHERE day > ?`, w.nextID, cutoff).Scan(&keepFrom)
	if err != nil {
		return false, fmt.Errorf("retention: %w", err)
	}
	n, more, err := w.deleteRawBefore(ctx, keepFrom)
	w.cfg.Metrics.RawExpired.Add(n)
	if n > 0 {
		w.cfg.Logger.Info("raw events past retention deleted", "rows", n, "retention_days", w.cfg.RetentionDays)
	}
	return more, err
}

// budgetStep measures the file (for the metrics too) and, when it is over
// the budget, deletes the oldest chunk of raw rows and gives the freed
// pages back.
func (w *storeWriter) budgetStep(ctx context.Context, now time.Time) (bool, error) {
	m := &w.maint
	size, err := w.storeBytes(ctx)
	if err != nil {
		return false, err
	}
	w.cfg.Metrics.StoreBytes.Store(size)
	if w.cfg.MaxBytes <= 0 {
		return false, nil
	}
	limit := w.cfg.MaxBytes
	if m.overBudget {
		limit = int64(float64(w.cfg.MaxBytes) * budgetLowWater)
	}
	if size <= limit {
		m.overBudget = false
		return false, nil
	}
	var oldest int64
	if err := w.conn.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0) FROM raw_events`).Scan(&oldest); err != nil {
		return false, fmt.Errorf("budget: %w", err)
	}
	if oldest == 0 {
		// Nothing left to give: rollups alone fill the budget. Keep
		// accepting (they grow slowly) and say so now and then.
		m.overBudget = false
		if now.Sub(m.warnedAt) >= budgetWarnEvery {
			m.warnedAt = now
			w.cfg.Logger.Warn("store over its size budget with no raw events left to delete", "bytes", size, "max_bytes", w.cfg.MaxBytes)
		}
		return false, nil
	}
	m.overBudget = true
	n, _, err := w.deleteRawBefore(ctx, oldest+deleteChunk)
	w.cfg.Metrics.RawEvicted.Add(n)
	if err != nil {
		return false, err
	}
	w.cfg.Logger.Info("oldest raw events deleted for the size budget", "rows", n, "bytes", size, "max_bytes", w.cfg.MaxBytes)
	if _, err := w.conn.ExecContext(ctx, `PRAGMA incremental_vacuum`); err != nil {
		return false, fmt.Errorf("budget: incremental vacuum: %w", err)
	}
	return true, nil
}

// storeBytes is the database file's size in use: its pages less the free
// ones (which incremental_vacuum hands back to the file system).
func (w *storeWriter) storeBytes(ctx context.Context) (int64, error) {
	var pages, free, size int64
	err := w.conn.QueryRowContext(ctx, `SELECT (SELECT page_count FROM pragma_page_count), (SELECT freelist_count FROM pragma_freelist_count),
		(SELECT page_size FROM pragma_page_size)`).Scan(&pages, &free, &size)
	if err != nil {
		return 0, fmt.Errorf("measure store: %w", err)
	}
	return (pages - free) * size, nil
}

// deleteRawBefore deletes up to deleteChunk raw rows with ids below keepFrom,
// oldest first, and the raw_days entries left empty. more reports that rows
// below keepFrom remain.
func (w *storeWriter) deleteRawBefore(ctx context.Context, keepFrom int64) (n int64, more bool, err error) {
	var oldest int64
	if err := w.conn.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), ?) FROM raw_events`, keepFrom).Scan(&oldest); err != nil {
		return 0, false, fmt.Errorf("delete raw events: %w", err)
	}
	if oldest >= keepFrom {
		return 0, false, nil
	}
	end := min(keepFrom, oldest+deleteChunk)
	if _, err := w.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return 0, false, fmt.Errorf("delete raw events: %w", err)
	}
	res, err := w.conn.ExecContext(ctx, `DELETE FROM raw_events WHERE id < ?`, end)
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err == nil {
		_, err = w.conn.ExecContext(ctx, `DELETE FROM raw_days WHERE last_id < ?`, end)
	}
	if err == nil {
		_, err = w.conn.ExecContext(ctx, `UPDATE raw_days SET first_id = ? WHERE first_id < ?`, end, end)
	}
	if err == nil {
		_, err = w.conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		_, _ = w.conn.ExecContext(ctx, "ROLLBACK")
		return 0, false, fmt.Errorf("delete raw events: %w", err)
	}
	// Deleting oldest first leaves the newest row unless it took them all;
	// then the next row is pinned to nextID (see storeWriter.pinNext).
	var newest int64
	if err := w.conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM raw_events`).Scan(&newest); err != nil {
		return n, false, fmt.Errorf("delete raw events: %w", err)
	}
	w.pinNext = newest+1 != w.nextID
	return n, end < keepFrom, nil
}

// pruneChunk is how many machines' first_seen rows one pruning step reads.
const pruneChunk = 20_000

// pruneSeen deletes first_seen rows of periods that can no longer receive
// an event, for the machines from `from` on (one chunk): the ingest
// replaces a ts older than schema.MaxEventAge with the receive time, so a
// day (or a week) that ended before that horizon is closed and its
// machine_counts are final. It returns where the next step starts, 0 when
// every machine has been seen to.
func (w *storeWriter) pruneSeen(ctx context.Context, today, from int64) (int64, error) {
	horizon := today - int64(schema.MaxEventAge/(24*time.Hour)) - 1 // oldest day still open
	var last int64
	if err := w.conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM machines`).Scan(&last); err != nil {
		return 0, fmt.Errorf("prune first_seen: %w", err)
	}
	if from > last {
		return 0, nil
	}
	to := from + pruneChunk
	_, err := w.conn.ExecContext(ctx, `DELETE FROM first_seen WHERE machine >= ? AND machine < ?
		AND ((dim IN (?, ?) AND period < ?) OR (dim IN (?, ?, ?) AND period < ?))`,
		from, to, seenDay, seenDayVersion, horizon, seenWeek, seenWeekVersion, seenInstallWeek, weekOf(horizon))
	if err != nil {
		return 0, fmt.Errorf("prune first_seen: %w", err)
	}
	if to > last {
		return 0, nil
	}
	return to, nil
}
