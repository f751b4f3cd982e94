package ingest

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// TestSQLiteReportGolden stores a known mix through the handler and checks
// both renderings of the report.
func TestSQLiteReportGolden(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := OpenSQLite(context.Background(), path)
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
	rdb, err := OpenReport(path)
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
	if _, err := OpenReport(filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Fatal("OpenReport created a missing store")
	}
}
