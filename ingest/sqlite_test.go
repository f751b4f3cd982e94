package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestSQLiteReportGolden stores a known mix through the handler and checks
// both renderings of the report.
func TestSQLiteReportGolden(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := OpenSQLite(context.Background(), SQLiteConfig{Path: path, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Config{Sink: db, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	other := "00000000-0000-4000-8000-00000000000a"
	lastWeek := fixedNow.Add(-8 * 24 * time.Hour).Format(time.RFC3339)
	bodies := []string{
		body("", mixedEvents(10)...),
		body(`"machine_id":"`+other+`","codegraph_version":"0.9.11","os":"win32","arch":"x64","node_major":22`,
			`{"event":"install","ts":"`+lastWeek+`","props":{"targets":["claude"],"scope":"local","kind":"upgrade","sqlite_backend":"native"}}`,
			`{"event":"usage_rollup","ts":"`+lastWeek+`","props":{"kind":"cli_command","name":"index","count":4,"error_count":2}}`,
			`{"event":"usage_rollup","ts":"`+lastWeek+`","props":{"kind":"cli_command","name":"index","count":6}}`,
			`{"event":"index","props":{"languages":["rust","brainfuck"]}}`),
	}
	for _, b := range bodies {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", EventsPath, strings.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		if rec.Code != 204 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if err := db.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rdb, err := OpenReport(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	r, err := BuildReport(context.Background(), rdb, true)
	if err != nil {
		t.Fatal(err)
	}
	var text, js bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "ingest/report.txt", text.Bytes())
	testkit.Golden(t, "ingest/report.json", js.Bytes())
	if _, err := OpenReport(context.Background(), filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Fatal("OpenReport created a missing store")
	}
}

// notStoredInColumns lists the envelope fields the SQLite store deliberately
// keeps out of the envelopes table's columns, each with the reason.
var notStoredInColumns = map[string]string{
	"machine_id": "stored once per machine as 16 bytes in machines.uuid; raw rows point at it",
}

// TestSQLiteStoresEveryEnvelopeField: each field of schema.Envelope() has a
// column of the envelopes table, of a type that fits the field, and a
// request carrying every field (its documented example, as the schema
// cleans it) puts each value in its column, as raw_events_view reads it back.
// A field added to the schema without a column fails here, unless it is
// listed in notStoredInColumns with a reason.
func TestSQLiteStoresEveryEnvelopeField(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := OpenSQLite(ctx, SQLiteConfig{Path: path, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(ctx) })
	rdb, err := OpenReport(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	columns := map[string]string{} // name → declared type
	rows, err := rdb.QueryContext(ctx, `SELECT name, type FROM pragma_table_info('envelopes')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		columns[name] = typ
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	raw := map[string]any{}
	var stored []schema.Field
	for _, f := range schema.Envelope() {
		dec := json.NewDecoder(strings.NewReader(f.Example))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s example %q: %v", f.Name, f.Example, err)
		}
		raw[f.Name] = v
		if why, ok := notStoredInColumns[f.Name]; ok {
			if why == "" {
				t.Errorf("%s is not stored without a reason", f.Name)
			}
			if _, ok := columns[f.Name]; ok {
				t.Errorf("%s is listed as not stored but has a column", f.Name)
			}
			continue
		}
		want := map[schema.Kind]string{schema.KindString: "TEXT", schema.KindInteger: "INTEGER", schema.KindBool: "INTEGER"}[f.Kind]
		if got, ok := columns[f.Name]; !ok {
			t.Errorf("envelope field %s has no column in the SQLite envelopes table", f.Name)
			continue
		} else if got != want {
			t.Errorf("column %s is %s, want %s", f.Name, got, want)
		}
		stored = append(stored, f)
	}
	for name := range notStoredInColumns {
		if !slices.ContainsFunc(schema.Envelope(), func(f schema.Field) bool { return f.Name == name }) {
			t.Errorf("notStoredInColumns lists %s, which is not an envelope field", name)
		}
	}
	env, rep, err := schema.CleanEnvelope(raw)
	if err != nil || rep.Stripped != 0 {
		t.Fatalf("the examples do not make a clean envelope: %v, %d stripped", err, rep.Stripped)
	}
	ev := Accepted{ReceivedAt: fixedNow, MachineID: env["machine_id"].(string), Envelope: env,
		Event: schema.EventUninstall, TS: fixedNow, Props: map[string]any{}}
	if err := db.Store(ctx, []Accepted{ev}); err != nil {
		t.Fatal(err)
	}
	// machine_id too: the view spells the stored bytes as the UUID again.
	for _, f := range append(stored, schema.Field{Name: "machine_id"}) {
		var got any
		// The name comes from the schema and was just found among the columns.
		if err := rdb.QueryRowContext(ctx, `SELECT `+f.Name+` FROM raw_events_view`).Scan(&got); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		want := env[f.Name]
		if b, ok := want.(bool); ok { // SQLite has no boolean: 0 or 1
			want = map[bool]int64{false: 0, true: 1}[b]
		}
		if got != want {
			t.Errorf("column %s holds %#v, want %#v", f.Name, got, want)
		}
	}
}
