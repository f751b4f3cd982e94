package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
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

// BenchmarkWriter measures the serial stage alone: the writer's commit of
// groups of prepared requests (words, raw rows, machines, rollups,
// first-seen rows) into a real SQLite file. HTTP, parsing and preparing run
// on request goroutines and the fsync on the syncer, so none of them is
// timed. One goroutine does all the work: events/s is per core, and
// cpu-ns/event, the writer thread's own CPU time, is its cost per event
// even on a machine busy with other work (where wall time is not). Groups
// of 1, 4 and 16 requests show the fixed part of a transaction next to
// the part per event. Every request brings a new machine, as the load
// tool's do (the store's worst case).
func BenchmarkWriter(b *testing.B) {
	for _, tc := range []struct{ events, requests int }{{100, 1}, {100, 4}, {100, 16}, {10, 16}} {
		b.Run(fmt.Sprintf("events=%d/requests=%d", tc.events, tc.requests), func(b *testing.B) {
			benchWriter(b, tc.events, tc.requests)
		})
	}
}

func benchWriter(b *testing.B, events, requests int) {
	ctx := context.Background()
	w := openWriter(b, filepath.Join(b.TempDir(), "w.db"))
	received := time.Now().UTC()
	tmpl := loadtest.Body(events)
	var machine int64
	group := make([]*prepared, requests)
	// The writer is one goroutine; pinned to its thread, the thread's CPU
	// time around each commit is the writer's own cost.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpu int64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		for i := range group {
			machine++
			body := bytes.Clone(tmpl)
			loadtest.SetMachine(body, machine)
			batch, _, derr, ok := Decode(body, received)
			if !ok {
				b.Fatal(derr)
			}
			p, err := prepare(batch.Events, w.words)
			if err != nil {
				b.Fatal(err)
			}
			group[i] = p
		}
		b.StartTimer()
		t0, _ := threadCPU()
		if err := w.commit(ctx, group); err != nil {
			b.Fatal(err)
		}
		t1, _ := threadCPU()
		cpu += t1 - t0
	}
	stored := float64(b.N * requests * events)
	b.ReportMetric(stored/b.Elapsed().Seconds(), "events/s")
	if _, ok := threadCPU(); ok {
		b.ReportMetric(float64(cpu)/stored, "cpu-ns/event")
	}
}
