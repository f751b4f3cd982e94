package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// BackupResult says what a backup holds.
type BackupResult struct {
	RawEvents int64 // raw rows still kept
	Machines  int64 // machine IDs ever seen (and not forgotten)
	Bytes     int64 // size of the copy
}

// Backup writes a consistent copy of the store at path to out while serve
// may be writing it, and refuses to replace a file already at out.
//
// The copy is SQLite's VACUUM INTO (https://sqlite.org/lang_vacuum.html#vacuuminto),
// run on a read-only connection: it reads one snapshot of the database,
// write-ahead log included, so it holds whole transactions only (every
// request serve answered 204 before it started, none half), and it blocks
// neither the writer nor readers. It is written to a temporary file beside
// out, which is synced (VACUUM INTO does not sync what it writes), checked
// with PRAGMA quick_check, and only then linked into place, so out is
// either absent or a whole, checked copy.
func Backup(ctx context.Context, path, out string) (BackupResult, error) {
	var res BackupResult
	if _, err := os.Lstat(out); err == nil {
		return res, fmt.Errorf("backup: %s already exists: remove it or choose another name", out)
	}
	src, err := OpenReport(ctx, path)
	if err != nil {
		return res, err
	}
	defer src.Close()
	// VACUUM INTO wants a file that does not exist or is empty; an empty
	// one reserved under a fresh name keeps two backups apart.
	tmpf, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return res, fmt.Errorf("backup: %w", err)
	}
	tmp := tmpf.Name()
	tmpf.Close()
	keep := false
	defer func() {
		if !keep {
			os.Remove(tmp)
		}
	}()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return res, fmt.Errorf("backup %s: VACUUM INTO: %w", path, err)
	}
	if res, err = checkBackup(ctx, tmp); err != nil {
		return res, fmt.Errorf("backup %s: the copy: %w", path, err)
	}
	if err := syncFile(tmp); err != nil {
		return res, fmt.Errorf("backup: %w", err)
	}
	// A link fails where out appeared in the meantime, where a rename
	// would replace it.
	if err := os.Link(tmp, out); err != nil {
		return res, fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(filepath.Dir(out)); err != nil {
		return res, fmt.Errorf("backup: %w", err)
	}
	return res, nil
}

// checkBackup opens the copy read-only, runs PRAGMA quick_check (the
// integrity check without its index-content pass) and counts what it holds.
func checkBackup(ctx context.Context, path string) (BackupResult, error) {
	var res BackupResult
	db, err := OpenReport(ctx, path)
	if err != nil {
		return res, err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil {
		return res, fmt.Errorf("quick_check: %w", err)
	}
	if check != "ok" {
		return res, fmt.Errorf("quick_check: %s", check)
	}
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM raw_events), (SELECT count(*) FROM machines)`).Scan(&res.RawEvents, &res.Machines)
	if err != nil {
		return res, fmt.Errorf("count rows: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return res, err
	}
	res.Bytes = fi.Size()
	return res, nil
}

// syncFile fsyncs the file or directory at path. A directory that cannot
// be synced (Windows) is no error: the file in it was.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		if fi, serr := f.Stat(); serr == nil && fi.IsDir() {
			return nil
		}
		return err
	}
	return nil
}
