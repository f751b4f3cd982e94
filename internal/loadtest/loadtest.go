// Package loadtest drives a running codegraph-ingest on loopback with valid
// requests and reports throughput and latency percentiles. It is bounded
// twice, by a request count and a time limit, stops by itself, and refuses
// any address that is not loopback so it can never be pointed at a real
// deployment. cmd/codegraph-loadtest runs it:
//
//	go run ./cmd/codegraph-loadtest -addr 127.0.0.1:8787 -n 20000 -c 8 -duration 20s
package loadtest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Run parses the command-line args, runs the load and writes the report to
// out.
func Run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("codegraph-loadtest", flag.ContinueOnError)
	fs.SetOutput(out)
	addr := fs.String("addr", "127.0.0.1:8787", "ingest address (loopback only)")
	n := fs.Int("n", 20000, "requests to send at most")
	c := fs.Int("c", 8, "concurrent senders")
	dur := fs.Duration("duration", 20*time.Second, "time limit")
	events := fs.Int("events", 20, fmt.Sprintf("events per request (≤%d)", schema.MaxEventsPerRequest))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := loopbackOnly(*addr); err != nil {
		return err
	}
	if *n <= 0 || *c <= 0 || *events <= 0 || *events > schema.MaxEventsPerRequest || *dur <= 0 {
		return fmt.Errorf("-n, -c, -duration must be positive and -events 1..%d", schema.MaxEventsPerRequest)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: *c, MaxConnsPerHost: *c},
	}
	url := "http://" + *addr + "/v1/events"
	tmpl := Body(*events)
	var next atomic.Int64
	var mu sync.Mutex
	lat := make([]time.Duration, 0, *n)
	codes := map[int]int{}
	var errs atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := bytes.Clone(tmpl)
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > int64(*n) {
					return
				}
				// A distinct machine per request keeps the per-machine rate
				// limit out of the measurement (and is the store's worst
				// case: every request brings a new machine).
				SetMachine(b, i)
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				lat = append(lat, d)
				codes[resp.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	// A 204 means the request's events are stored; anything else stored
	// nothing, so only 204s count towards the stored rate.
	stored := codes[http.StatusNoContent]
	fmt.Fprintf(out, "requests %d in %v (%d events each), %d transport errors\n", len(lat), elapsed.Round(time.Millisecond), *events, errs.Load())
	fmt.Fprintf(out, "throughput %.0f requests/s, %.0f events/s\n", float64(len(lat))/elapsed.Seconds(), float64(len(lat)**events)/elapsed.Seconds())
	fmt.Fprintf(out, "stored (204) %.0f requests/s, %.0f events/s\n", float64(stored)/elapsed.Seconds(), float64(stored**events)/elapsed.Seconds())
	fmt.Fprintf(out, "latency p50 %v p90 %v p99 %v max %v\n", pct(0.50), pct(0.90), pct(0.99), pct(1))
	fmt.Fprintf(out, "status %v\n", codes)
	return nil
}

// loopbackOnly refuses any host that is not a loopback IP or "localhost".
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: refusing a non-loopback address", addr)
	}
	return nil
}

// Body is a valid request body of events mixed events (one index event to
// four usage rollups), timed an hour ago, whose machine ID ends in twelve
// digits for SetMachine to overwrite: building one body and patching it
// keeps the load tool's own CPU out of the server's way. The ingest's
// benchmarks and size test use the same bodies.
func Body(events int) []byte {
	ts := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	var b strings.Builder
	fmt.Fprintf(&b, `{"machine_id":"00000000-0000-4000-8000-%012d","codegraph_version":"0.9.12","os":"linux","arch":"amd64","go_version":"1.26","ci":false,"schema_version":1,"events":[`, 0)
	for j := 0; j < events; j++ {
		if j > 0 {
			b.WriteByte(',')
		}
		switch j % 5 {
		case 0:
			fmt.Fprintf(&b, `{"event":"index","ts":%q,"props":{"languages":["go","typescript"],"file_count_bucket":"1k-10k","duration_bucket":"<10s"}}`, ts)
		default:
			fmt.Fprintf(&b, `{"event":"usage_rollup","ts":%q,"props":{"kind":"mcp_tool","name":"codegraph_explore","count":%d,"error_count":1,"client_name":"claude-code","client_version":"2.0.14"}}`, ts, 10+j)
		}
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// machineDigits is where the twelve digits of the machine ID start.
var machineDigits = len(`{"machine_id":"00000000-0000-4000-8000-`)

// SetMachine writes i into the last twelve digits of body's machine ID.
func SetMachine(body []byte, i int64) {
	for j := machineDigits + 11; j >= machineDigits; j-- {
		body[j] = byte('0' + i%10)
		i /= 10
	}
}
