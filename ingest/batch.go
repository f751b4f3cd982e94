package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// batchSizes are the row counts of the prepared multi-row statements of
// batchStmt: a set of rows is written with the largest that fit.
var batchSizes = []int{64, 8, 1}

// batchStmt is one multi-row statement prepared for several row counts, so
// the writer sends a group's rows of a table in a few executions instead of
// one per row (each execution costs far more than a row).
type batchStmt struct {
	cols  int
	stmts map[int]*sql.Stmt
}

// prepareBatch prepares head + "(?, …), (?, …)" + tail for each batch size;
// cols is the number of placeholders a row takes.
func prepareBatch(ctx context.Context, conn *sql.Conn, head string, cols int, tail string) (*batchStmt, error) {
	b := &batchStmt{cols: cols, stmts: map[int]*sql.Stmt{}}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	for _, n := range batchSizes {
		q := head + " VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + " " + tail
		st, err := conn.PrepareContext(ctx, q)
		if err != nil {
			b.close()
			return nil, fmt.Errorf("prepare %q: %w", head, err)
		}
		b.stmts[n] = st
	}
	return b, nil
}

// exec runs the statement over args, cols values a row.
func (b *batchStmt) exec(ctx context.Context, args []any) error {
	return b.run(ctx, args, nil)
}

// query runs a statement with a RETURNING clause over args and hands each
// returned row to scan.
func (b *batchStmt) query(ctx context.Context, args []any, scan func(*sql.Rows) error) error {
	return b.run(ctx, args, scan)
}

// fit is the largest of sizes (biggest first, ending with 1) not above rows.
func fit(sizes []int, rows int) int {
	for _, n := range sizes {
		if n <= rows {
			return n
		}
	}
	return sizes[len(sizes)-1]
}

func (b *batchStmt) run(ctx context.Context, args []any, scan func(*sql.Rows) error) error {
	for len(args) > 0 {
		n := fit(batchSizes, len(args)/b.cols)
		chunk := args[:n*b.cols]
		args = args[n*b.cols:]
		if scan == nil {
			if _, err := b.stmts[n].ExecContext(ctx, chunk...); err != nil {
				return err
			}
			continue
		}
		rs, err := b.stmts[n].QueryContext(ctx, chunk...)
		if err != nil {
			return err
		}
		for rs.Next() {
			if err := scan(rs); err != nil {
				rs.Close()
				return err
			}
		}
		if err := errors.Join(rs.Err(), rs.Close()); err != nil {
			return err
		}
	}
	return nil
}

func (b *batchStmt) close() error {
	if b == nil {
		return nil
	}
	var errs []error
	for _, st := range b.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}
