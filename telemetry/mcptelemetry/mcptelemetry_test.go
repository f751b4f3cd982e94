package mcptelemetry_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
	"github.com/getcodegraph/codegraph-install/telemetry"
	"github.com/getcodegraph/codegraph-install/telemetry/mcptelemetry"
)

// day is the fixed clock of every test: rollups are stamped with its UTC day.
var day = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

const dayTS = "2026-03-02T00:00:00Z"

// newTelemetry is a real client with telemetry on, in a temp home.
func newTelemetry(t testing.TB) (*telemetry.Client, string) {
	t.Helper()
	home := t.TempDir()
	c := telemetry.New(telemetry.Options{
		Home:    home,
		Getenv:  testkit.Env("CODEGRAPH_TELEMETRY=1"),
		Now:     func() time.Time { return day },
		Version: "1.2.3",
	})
	return c, home
}

type echoIn struct {
	Text string `json:"text" jsonschema:"required text"`
}

// newServer registers four tools; the middleware is told about three of
// them ("unlisted" stands for a tool someone forgot to list).
func newServer(t testing.TB, client *telemetry.Client, withMiddleware bool) *mcp.Server {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "test-server", Version: "0.0.1"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "ok_tool"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "fine"}}}, nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "fail_tool"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return nil, nil, errors.New("tool failed")
	})
	mcp.AddTool(s, &mcp.Tool{Name: "echo_tool"}, func(_ context.Context, _ *mcp.CallToolRequest, in echoIn) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: in.Text}}}, nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "unlisted"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{}, nil, nil
	})
	if withMiddleware {
		s.AddReceivingMiddleware(mcptelemetry.New(client, []string{"ok_tool", "fail_tool", "echo_tool", "never_called"}).Receiving())
	}
	return s
}

// connect opens a real client session to s over in-memory transports.
// protocol "" is the SDK client's default (the 2026-07-28 sessionless
// protocol, clientInfo in each request's _meta); "2025-11-25" goes through
// `initialize`, as today's hosts do.
func connect(t testing.TB, s *mcp.Server, name, version, protocol string) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := s.Connect(ctx, st, nil)
	if err != nil {
		t.Fatalf("server connect: %v", err)
	}
	c := mcp.NewClient(&mcp.Implementation{Name: name, Version: version}, nil)
	cs, err := c.Connect(ctx, ct, &mcp.ClientSessionOptions{ProtocolVersion: protocol})
	if err != nil {
		t.Fatalf("client connect: %v", err)
	}
	t.Cleanup(func() {
		cs.Close()
		ss.Wait()
	})
	return cs
}

func call(t testing.TB, cs *mcp.ClientSession, name string, args any) (*mcp.CallToolResult, error) {
	t.Helper()
	return cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
}

type rollup struct {
	Count, ErrorCount int64
}

type rollupKey struct{ name, clientName, clientVersion string }

// readQueue sums the usage_rollup lines of the queue file, checking each
// line's shape on the way.
func readQueue(t testing.TB, home string) map[rollupKey]rollup {
	t.Helper()
	f, err := os.Open(filepath.Join(home, ".codegraph", "telemetry-queue.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return map[rollupKey]rollup{}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[rollupKey]rollup{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Event string `json:"event"`
			TS    string `json:"ts"`
			Props struct {
				Kind          string `json:"kind"`
				Name          string `json:"name"`
				Count         int64  `json:"count"`
				ErrorCount    int64  `json:"error_count"`
				ClientName    string `json:"client_name"`
				ClientVersion string `json:"client_version"`
			} `json:"props"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("queue line %q: %v", sc.Text(), err)
		}
		if line.Event != "usage_rollup" || line.TS != dayTS || line.Props.Kind != "mcp_tool" {
			t.Errorf("unexpected queue line %s", sc.Text())
		}
		k := rollupKey{line.Props.Name, line.Props.ClientName, line.Props.ClientVersion}
		r := out[k]
		r.Count += line.Props.Count
		r.ErrorCount += line.Props.ErrorCount
		out[k] = r
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCountsOkErrorsAndRegisteredNamesOnly(t *testing.T) {
	t.Parallel()
	for _, protocol := range []string{"", "2025-11-25"} {
		t.Run("protocol="+protocol, func(t *testing.T) {
			t.Parallel()
			client, home := newTelemetry(t)
			cs := connect(t, newServer(t, client, true), "claude-code", "2.1.0", protocol)

			for range 3 {
				if res, err := call(t, cs, "ok_tool", nil); err != nil || res.IsError {
					t.Fatalf("ok_tool: %v %+v", err, res)
				}
			}
			// A handler error is an IsError result with no wire error.
			if res, err := call(t, cs, "fail_tool", nil); err != nil || !res.IsError {
				t.Fatalf("fail_tool: want IsError, got %v %+v", err, res)
			}
			// A schema failure (missing required argument) is one too.
			if res, err := call(t, cs, "echo_tool", map[string]any{}); err != nil || !res.IsError {
				t.Fatalf("echo_tool without text: want IsError, got %v %+v", err, res)
			}
			if res, err := call(t, cs, "echo_tool", map[string]any{"text": "hi"}); err != nil || res.IsError {
				t.Fatalf("echo_tool: %v %+v", err, res)
			}
			// An unknown name is a wire error and is never counted.
			if _, err := call(t, cs, "no_such_tool", nil); err == nil {
				t.Fatal("no_such_tool: want a wire error")
			}
			// A name the middleware was given but the server does not have
			// (removed, say): the server refuses it, so it is not a call.
			if _, err := call(t, cs, "never_called", nil); err == nil {
				t.Fatal("never_called: want a wire error")
			}
			// A registered server tool the middleware was not told about.
			if _, err := call(t, cs, "unlisted", nil); err != nil {
				t.Fatalf("unlisted: %v", err)
			}
			// Not a tool call at all.
			if _, err := cs.ListTools(context.Background(), nil); err != nil {
				t.Fatal(err)
			}

			client.Persist()
			got := readQueue(t, home)
			want := map[rollupKey]rollup{
				{"ok_tool", "claude-code", "2.1.0"}:   {Count: 3},
				{"fail_tool", "claude-code", "2.1.0"}: {Count: 1, ErrorCount: 1},
				{"echo_tool", "claude-code", "2.1.0"}: {Count: 2, ErrorCount: 1},
			}
			assertRollups(t, got, want)
		})
	}
}

func TestCountsPerClient(t *testing.T) {
	t.Parallel()
	client, home := newTelemetry(t)
	s := newServer(t, client, true)
	// Two sessions of one server with different clientInfo, one on each
	// protocol generation, calling concurrently.
	a := connect(t, s, "claude-code", "2.1.0", "2025-11-25")
	b := connect(t, s, "cursor", "1.7", "")

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cs, tool := a, "ok_tool"
			if i%2 == 1 {
				cs = b
			}
			if i%5 == 0 {
				tool = "fail_tool"
			}
			if _, err := call(t, cs, tool, nil); err != nil {
				t.Errorf("%s: %v", tool, err)
			}
		}()
	}
	wg.Wait()

	client.Persist()
	// i even → a: 0,2,4,6,8,10,12,14,16,18 (fail at 0,10); odd → b (fail at 5,15).
	want := map[rollupKey]rollup{
		{"ok_tool", "claude-code", "2.1.0"}:   {Count: 8},
		{"fail_tool", "claude-code", "2.1.0"}: {Count: 2, ErrorCount: 2},
		{"ok_tool", "cursor", "1.7"}:          {Count: 8},
		{"fail_tool", "cursor", "1.7"}:        {Count: 2, ErrorCount: 2},
	}
	assertRollups(t, readQueue(t, home), want)
}

// TestCallCancelledByEOFIsNotCounted closes stdin while a call runs: the SDK
// cancels it with cause io.EOF and never answers, so it is not counted.
func TestCallCancelledByEOFIsNotCounted(t *testing.T) {
	t.Parallel()
	client, home := newTelemetry(t)
	s := mcp.NewServer(&mcp.Implementation{Name: "test-server", Version: "0.0.1"}, nil)
	started := make(chan struct{})
	var cause error
	mcp.AddTool(s, &mcp.Tool{Name: "slow_tool"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		close(started)
		<-ctx.Done()
		cause = context.Cause(ctx)
		return nil, nil, ctx.Err()
	})
	s.AddReceivingMiddleware(mcptelemetry.New(client, []string{"slow_tool"}).Receiving())

	inR, inW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- s.Run(context.Background(), &mcp.IOTransport{Reader: inR, Writer: nopWriteCloser{io.Discard}})
	}()
	for _, line := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"claude-code","version":"2.1.0"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"slow_tool"}}`,
	} {
		if _, err := io.WriteString(inW, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("slow_tool never started")
	}
	inW.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after EOF: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still running after EOF")
	}
	if cause != io.EOF {
		t.Errorf("cause of the cancelled call = %v, want io.EOF (the SDK fact this test relies on)", cause)
	}
	client.Persist()
	assertRollups(t, readQueue(t, home), map[rollupKey]rollup{})
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

func TestNilClientPassesThrough(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil, true)
	cs := connect(t, s, "claude-code", "2.1.0", "")
	if res, err := call(t, cs, "ok_tool", nil); err != nil || res.IsError {
		t.Fatalf("ok_tool: %v %+v", err, res)
	}
}

// assertRollups compares the queue's sums with want. In the codegraph-pro
// build (tag pro) telemetry is compiled out: nothing may be queued at all.
func assertRollups(t *testing.T, got, want map[rollupKey]rollup) {
	t.Helper()
	if !consent.Compiled {
		want = map[rollupKey]rollup{}
	}
	for k, w := range want {
		if g := got[k]; g != w {
			t.Errorf("%v: got %+v, want %+v", k, g, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected rollup %v: %+v", k, g)
		}
	}
}

// benchCall measures one tools/call round trip through a real in-memory
// client/server pair (JSON encoding, the net.Pipe, the SDK's dispatch).
func benchCall(b *testing.B, withMiddleware bool) {
	client, _ := newTelemetry(b)
	cs := connect(b, newServer(b, client, withMiddleware), "claude-code", "2.1.0", "2025-11-25")
	ctx := context.Background()
	params := &mcp.CallToolParams{Name: "ok_tool"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cs.CallTool(ctx, params); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkToolCallWithMiddleware(b *testing.B)    { benchCall(b, true) }
func BenchmarkToolCallWithoutMiddleware(b *testing.B) { benchCall(b, false) }

// BenchmarkMiddlewareOnly isolates the middleware's own cost per call: the
// handler it wraps does nothing, the session is a real, initialised one.
func BenchmarkMiddlewareOnly(b *testing.B) {
	client, _ := newTelemetry(b)
	s := mcp.NewServer(&mcp.Implementation{Name: "test-server", Version: "0.0.1"}, nil)
	st, ct := mcp.NewInMemoryTransports()
	ss, err := s.Connect(context.Background(), st, nil)
	if err != nil {
		b.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "claude-code", Version: "2.1.0"}, nil).
		Connect(context.Background(), ct, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cs.Close(); ss.Wait() })

	result := &mcp.CallToolResult{}
	next := func(context.Context, string, mcp.Request) (mcp.Result, error) { return result, nil }
	h := mcptelemetry.New(client, []string{"ok_tool"}).Receiving()(next)
	req := &mcp.CallToolRequest{Session: ss, Params: &mcp.CallToolParamsRaw{Name: "ok_tool"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h(ctx, "tools/call", req); err != nil {
			b.Fatal(err)
		}
	}
}
