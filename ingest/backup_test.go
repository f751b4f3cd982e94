package ingest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackup: a backup of a store is a store that report can open, with
// the same rows, and nothing but it is left beside it; what Backup
// refuses (an existing out, a missing store, a file that is not a store)
// leaves out untouched and no temporary file behind.
func TestBackup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "t.db")
	s, err := OpenSQLite(ctx, SQLiteConfig{Path: path, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	events := accepted(t, body("", mixedEvents(20)...), fixedNow)
	if err := s.Store(ctx, events); err != nil {
		t.Fatal(err)
	}
	notSQLite := filepath.Join(dir, "not-sqlite.db")
	os.WriteFile(notSQLite, []byte("hello"), 0o600)
	notStore := filepath.Join(dir, "other.db")
	other, err := sql.Open("sqlite", "file:"+notStore)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`CREATE TABLE notes (x)`); err != nil {
		t.Fatal(err)
	}
	other.Close()
	existing := filepath.Join(dir, "existing.db")
	os.WriteFile(existing, []byte("keep me"), 0o600)

	outDir := t.TempDir()
	res, err := Backup(ctx, path, filepath.Join(outDir, "copy.db"))
	if err != nil {
		t.Fatal(err)
	}
	if res.RawEvents != 20 || res.Machines != 1 || res.Bytes == 0 {
		t.Errorf("backup holds %+v, want 20 raw events of 1 machine", res)
	}
	copyDB, err := OpenReport(ctx, filepath.Join(outDir, "copy.db"))
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	copyDB.QueryRow(`SELECT count(*) FROM raw_events_view WHERE machine_id = ?`, testMachine).Scan(&rows)
	copyDB.Close()
	if rows != 20 {
		t.Errorf("the copy has %d rows of the machine, want 20", rows)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, src, out, says string
	}{
		{"out exists", path, existing, "already exists"},
		{"no store", filepath.Join(dir, "absent.db"), filepath.Join(outDir, "a.db"), "no such file"},
		{"not SQLite", notSQLite, filepath.Join(outDir, "b.db"), "not a database"},
		{"another program's database", notStore, filepath.Join(outDir, "c.db"), "not a codegraph-ingest store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadFile(tc.out)
			_, err := Backup(ctx, tc.src, tc.out)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("Backup: %v, want an error saying %q", err, tc.says)
			}
			if after, _ := os.ReadFile(tc.out); string(after) != string(before) {
				t.Errorf("%s changed to %q", tc.out, after)
			}
		})
	}
	entries, _ := os.ReadDir(outDir)
	if len(entries) != 1 || entries[0].Name() != "copy.db" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("beside the backup: %v, want copy.db only", names)
	}
}
