package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/loadtest"
)

// BenchmarkValidateBatch parses and validates a realistic full request:
// 100 mixed events, the most one request may carry.
func BenchmarkValidateBatch(b *testing.B) {
	in := []byte(body("", mixedEvents(100)...))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		batch, _, derr, ok := Decode(in, fixedNow)
		if !ok || len(batch.Events) != 100 {
			b.Fatalf("decode: %v, %d events", derr, len(batch.Events))
		}
	}
	b.ReportMetric(float64(b.N)*100/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkEndToEnd posts valid bodies over loopback HTTP to the real
// handler and SQLite sink (group commit, fsync on every commit) from
// concurrent senders, one machine per request, and reports stored events
// and requests per second. Every 204 counted means the rows were committed.
func BenchmarkEndToEnd(b *testing.B) {
	for _, tc := range []struct{ events, senders int }{{100, 16}, {100, 32}, {10, 16}, {10, 32}} {
		b.Run(fmt.Sprintf("events=%d/senders=%d", tc.events, tc.senders), func(b *testing.B) {
			benchEndToEnd(b, tc.events, tc.senders)
		})
	}
}

func benchEndToEnd(b *testing.B, events, senders int) {
	ctx := context.Background()
	sink, err := OpenSQLite(ctx, SQLiteConfig{Path: filepath.Join(b.TempDir(), "b.db")})
	if err != nil {
		b.Fatal(err)
	}
	h, err := NewHandler(Config{Sink: sink})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders, MaxConnsPerHost: senders}}
	tmpl := loadtest.Body(events)
	var next, stored atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := bytes.Clone(tmpl)
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				loadtest.SetMachine(body, i)
				req, _ := http.NewRequest(http.MethodPost, srv.URL+EventsPath, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusNoContent {
					stored.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := sink.Close(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(stored.Load())/elapsed.Seconds(), "requests/s")
	b.ReportMetric(float64(stored.Load()*int64(events))/elapsed.Seconds(), "events/s")
}
