package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestForget: Forget, run on its own connection while the sink keeps
// storing (as forget runs beside serve), leaves no row of the machine: no
// raw row, no first_seen row, no machines row, nothing of its ID in the
// file once the sink closes; other machines keep every row; the summed
// rollups stay as they were. Rows the machine sends afterwards are stored
// under a new machines row (the writer noticed, through data_version, that
// its cache was stale: no raw row points at a missing machine), and a
// second Forget removes those. Unknown and malformed IDs are told apart.
func TestForget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	s, err := OpenSQLite(ctx, SQLiteConfig{Path: path, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	const gone, kept = "0f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77", "1f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"
	store := func(machine string, n int) {
		t.Helper()
		if err := s.Store(ctx, accepted(t, body(envelopeOf(machine), mixedEvents(n)...), fixedNow)); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 {
		store(gone, 10)
		store(kept, 10)
	}
	db := openRead(t, path)
	rollups := func() [3]int64 {
		return [3]int64{
			countRows(t, db, `SELECT COALESCE(sum(n), 0) FROM totals`),
			countRows(t, db, `SELECT COALESCE(sum(n), 0) FROM day_counts`),
			countRows(t, db, `SELECT COALESCE(sum(machines), 0) FROM machine_counts`),
		}
	}
	before := rollups()
	machineOf := func(id string) int64 {
		return countRows(t, db, `SELECT COALESCE((SELECT id FROM machines WHERE uuid = ?), 0)`, must(uuidBytes(id)))
	}
	oldID := machineOf(gone)
	seenBefore := countRows(t, db, `SELECT count(*) FROM first_seen WHERE machine = ?`, oldID)

	// Forget while another goroutine keeps storing for the kept machine.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var during int
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.Store(ctx, accepted(t, body(envelopeOf(kept), mixedEvents(3)...), fixedNow)); err != nil {
				t.Error(err)
				return
			}
			during += 3
			time.Sleep(time.Millisecond)
		}
	}()
	res, err := forget(ctx, path, strings.ToUpper(gone), 7) // chunks of 7 ids: many transactions
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !res.Found || res.MachineID != gone || res.RawEvents != 50 || res.FirstSeen != seenBefore || seenBefore == 0 {
		t.Errorf("Forget = %+v; want found, %s, 50 raw rows and %d first_seen rows", res, gone, seenBefore)
	}
	for q, args := range map[string][]any{
		`SELECT count(*) FROM raw_events_view WHERE machine_id = ?`: {gone},
		`SELECT count(*) FROM machines WHERE uuid = ?`:              {must(uuidBytes(gone))},
		`SELECT count(*) FROM raw_events WHERE machine = ?`:         {oldID},
		`SELECT count(*) FROM first_seen WHERE machine = ?`:         {oldID},
	} {
		if n := countRows(t, db, q, args...); n != 0 {
			t.Errorf("%s: %d rows of the forgotten machine", q, n)
		}
	}
	if n := countRows(t, db, `SELECT count(*) FROM raw_events_view WHERE machine_id = ?`, kept); n != int64(50+during) {
		t.Errorf("the other machine has %d raw rows, want %d", n, 50+during)
	}
	if after := rollups(); after[0] < before[0] || after[2] < before[2] {
		t.Errorf("summed rollups went down: %v → %v", before, after)
	}

	// The machine sends again: a new machine to the store.
	store(gone, 4)
	if n := countRows(t, db, `SELECT count(*) FROM raw_events_view WHERE machine_id = ?`, gone); n != 4 {
		t.Errorf("after forget, the machine's next rows: %d stored, want 4", n)
	}
	if newID := machineOf(gone); newID == 0 || newID == oldID {
		t.Errorf("machines row after sending again: %d (was %d)", newID, oldID)
	}
	if n := countRows(t, db, `SELECT count(*) FROM raw_events WHERE machine NOT IN (SELECT id FROM machines)`); n != 0 {
		t.Errorf("%d raw rows point at a machine that is not there: the writer used a stale cache", n)
	}
	if res, err := Forget(ctx, path, gone); err != nil || !res.Found || res.RawEvents != 4 {
		t.Errorf("second Forget = %+v, %v; want the 4 new rows", res, err)
	}

	for _, tc := range []struct {
		id      string
		found   bool
		errSays string
	}{
		{id: "2f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"},
		{id: gone},
		{id: "not-a-uuid", errSays: "not a machine ID"},
		{id: "{" + kept + "}", errSays: "not a machine ID"},
	} {
		res, err := Forget(ctx, path, tc.id)
		if tc.errSays != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errSays) {
				t.Errorf("Forget(%q): %v, want an error saying %q", tc.id, err, tc.errSays)
			}
			continue
		}
		if err != nil || res.Found {
			t.Errorf("Forget(%q) = %+v, %v; want nothing found", tc.id, res, err)
		}
	}
	if n := countRows(t, db, `SELECT count(*) FROM raw_events_view WHERE machine_id = ?`, kept); n != int64(50+during) {
		t.Errorf("the other machine has %d raw rows after the rest, want %d", n, 50+during)
	}

	// Closed, the log checkpointed away: the ID is nowhere in the file.
	db.Close()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, must(uuidBytes(gone))) || bytes.Contains(raw, []byte(gone)) {
		t.Error("the forgotten machine ID is still in the database file")
	}
	if !bytes.Contains(raw, must(uuidBytes(kept))) {
		t.Error("the kept machine ID is not found in the file either: the byte search proves nothing")
	}
}
