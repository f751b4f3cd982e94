package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixedNow is the clock of every test: timestamps in bodies are relative to it.
var fixedNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return fixedNow }

const testMachine = "3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"

// captureSink keeps what it is given, for assertions.
type captureSink struct {
	mu     sync.Mutex
	events []Accepted
	err    error
}

func (c *captureSink) Store(_ context.Context, ev []Accepted) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.events = append(c.events, ev...)
	return nil
}

func (c *captureSink) Close(context.Context) error { return nil }

func (c *captureSink) all() []Accepted {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Accepted(nil), c.events...)
}

func newTestHandler(t testing.TB, sink Sink) *Handler {
	t.Helper()
	h, err := NewHandler(Config{Sink: sink, Now: clock, RatePerMinute: 6000, Burst: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// mixedEvents returns n valid events of every kind, as JSON text, in the
// proportions a real client sends (mostly rollups).
func mixedEvents(n int) []string {
	ts := fixedNow.Add(-26 * time.Hour).Format(time.RFC3339)
	tools := []string{"codegraph_explore", "codegraph_status", "codegraph_search", "codegraph_callers", "codegraph_affected"}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		var e string
		switch i % 10 {
		case 0:
			e = fmt.Sprintf(`{"event":"install","ts":%q,"props":{"targets":["claude","cursor","codex"],"scope":"global","kind":"fresh"}}`, ts)
		case 1:
			e = fmt.Sprintf(`{"event":"index","ts":%q,"props":{"languages":["go","typescript","python","yaml"],"file_count_bucket":"1k-10k","duration_bucket":"<10s"}}`, ts)
		case 2:
			e = fmt.Sprintf(`{"event":"uninstall","ts":%q,"props":{"targets":["cursor"]}}`, ts)
		default:
			e = fmt.Sprintf(`{"event":"usage_rollup","ts":%q,"props":{"kind":"mcp_tool","name":%q,"count":%d,"error_count":%d,"client_name":"claude-code","client_version":"2.0.14"}}`,
				ts, tools[i%len(tools)], 10+i, i%3)
		}
		out = append(out, e)
	}
	return out
}

func body(envelope string, events ...string) string {
	if envelope == "" {
		envelope = `"machine_id":"` + testMachine + `","codegraph_version":"0.9.12","os":"linux","arch":"amd64","go_version":"1.26","ci":false,"schema_version":1`
	}
	return "{" + envelope + `,"events":[` + strings.Join(events, ",") + "]}"
}

// openWriter opens a store at path with its writer but without the
// goroutines of OpenSQLite, for a benchmark that drives the writer itself.
func openWriter(tb testing.TB, path string) *storeWriter {
	tb.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, sqliteSchema); err != nil {
		tb.Fatal(err)
	}
	w, err := newStoreWriter(ctx, conn, SQLiteConfig{Path: path})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		w.close()
		conn.Close()
		db.Close()
	})
	return w
}
