package mcpserver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/internal/census"
	"github.com/getcodegraph/codegraph-install/internal/mcpserver"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
	"github.com/getcodegraph/codegraph-install/telemetry"
)

var (
	now     = time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC)
	takenAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func newTelemetry(t *testing.T) (*telemetry.Client, string) {
	t.Helper()
	home := t.TempDir()
	return telemetry.New(telemetry.Options{
		Home:    home,
		Getenv:  testkit.Env("CODEGRAPH_TELEMETRY=1"),
		Now:     func() time.Time { return now },
		Version: "1.2.3",
	}), home
}

// initProject writes a census as `codegraph init` would.
func initProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := census.Write(dir, census.Result{
		Languages:       map[string]int{"Go": 7, "TypeScript": 3, "Shell": 3},
		SchemaLanguages: map[string]int{"go": 7, "typescript": 3, "other": 3},
		Total:           13,
		Duration:        1500 * time.Millisecond,
		TakenAt:         takenAt,
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// wire is a test's end of the server's stdin and stdout pipes.
type wire struct {
	t     *testing.T
	stdin *io.PipeWriter
	lines chan []byte // every line the server wrote, in order
	all   [][]byte
	done  chan error // Serve's result
}

// serve runs Serve on io.Pipes, as the CLI runs it on the process's stdio.
func serve(t *testing.T, ctx context.Context, opts mcpserver.Options) *wire {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	opts.In, opts.Out = inR, outW
	w := &wire{t: t, stdin: inW, lines: make(chan []byte, 100), done: make(chan error, 1)}
	go func() {
		err := mcpserver.Serve(ctx, opts)
		outW.Close() // ends the reader below
		w.done <- err
	}()
	go func() {
		defer close(w.lines)
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			w.lines <- bytes.Clone(sc.Bytes())
		}
	}()
	t.Cleanup(func() { inW.Close(); outR.Close() })
	return w
}

func (w *wire) send(msg string) {
	w.t.Helper()
	if _, err := io.WriteString(w.stdin, msg+"\n"); err != nil {
		w.t.Fatalf("write %s: %v", msg, err)
	}
}

// response reads the next line, which must answer request id.
func (w *wire) response(id int) json.RawMessage {
	w.t.Helper()
	select {
	case line, ok := <-w.lines:
		if !ok {
			w.t.Fatalf("stdout closed before the response to %d", id)
		}
		w.all = append(w.all, line)
		var msg struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(line, &msg); err != nil {
			w.t.Fatalf("stdout line %q: %v", line, err)
		}
		if msg.ID != id || msg.Error != nil {
			w.t.Fatalf("want the result of request %d, got %s", id, line)
		}
		return msg.Result
	case <-time.After(5 * time.Second):
		w.t.Fatalf("no response to request %d", id)
	}
	return nil
}

// closeStdin closes stdin and waits for Serve, which must return within 2 s.
func (w *wire) closeStdin() error {
	w.t.Helper()
	start := time.Now()
	w.stdin.Close()
	return w.wait(start, "stdin closed")
}

func (w *wire) wait(start time.Time, why string) error {
	w.t.Helper()
	select {
	case err := <-w.done:
		if d := time.Since(start); d > 2*time.Second {
			w.t.Errorf("Serve returned %v after %s, want < 2s", d, why)
		}
		for line := range w.lines {
			w.all = append(w.all, line)
		}
		return err
	case <-time.After(2 * time.Second):
		w.t.Fatalf("Serve still running 2s after %s", why)
	}
	return nil
}

// checkJSONRPC asserts that every line the server wrote is one JSON-RPC 2.0
// message: nothing but protocol ever reaches stdout.
func (w *wire) checkJSONRPC() {
	w.t.Helper()
	for _, line := range w.all {
		var msg map[string]json.RawMessage
		if err := json.Unmarshal(line, &msg); err != nil {
			w.t.Errorf("stdout line is not a JSON object: %q", line)
			continue
		}
		if string(msg["jsonrpc"]) != `"2.0"` {
			w.t.Errorf("stdout line is not JSON-RPC 2.0: %s", line)
		}
		_, hasID := msg["id"]
		_, hasMethod := msg["method"]
		_, hasResult := msg["result"]
		_, hasError := msg["error"]
		if !hasMethod && !(hasID && hasResult != hasError) {
			w.t.Errorf("stdout line is neither a request, a notification nor a response: %s", line)
		}
	}
}

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"claude-code","version":"2.1.0"}}}`

func TestServeOverPipes(t *testing.T) {
	t.Parallel()
	tel, home := newTelemetry(t)
	w := serve(t, context.Background(), mcpserver.Options{
		Dir: initProject(t), Telemetry: tel, Version: "1.2.3", Now: func() time.Time { return now },
	})

	var initRes struct {
		ServerInfo mcp.Implementation `json:"serverInfo"`
	}
	w.send(initialize)
	if err := json.Unmarshal(w.response(1), &initRes); err != nil {
		t.Fatal(err)
	}
	if initRes.ServerInfo.Name != "codegraph" || initRes.ServerInfo.Version != "1.2.3" {
		t.Errorf("serverInfo = %+v", initRes.ServerInfo)
	}
	w.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)

	w.send(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, w.response(2), "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	testkit.Golden(t, "mcp/tools-list.json", pretty.Bytes())

	w.send(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"codegraph_status","arguments":{}}}`)
	var res struct {
		IsError bool `json:"isError"`
		Content []struct {
			Type, Text string
		} `json:"content"`
		Structured mcpserver.StatusOutput `json:"structuredContent"`
	}
	if err := json.Unmarshal(w.response(3), &res); err != nil {
		t.Fatal(err)
	}
	want := mcpserver.StatusOutput{
		Languages:       map[string]int{"Go": 7, "TypeScript": 3, "Shell": 3},
		TotalFiles:      13,
		IndexedAt:       "2026-03-01T12:00:00Z",
		IndexDurationMS: 1500,
	}
	if res.IsError || fmt.Sprint(res.Structured) != fmt.Sprint(want) {
		t.Errorf("codegraph_status = %+v, want %+v", res, want)
	}
	wantText := "codegraph index: 13 files, taken 2026-03-01T12:00:00Z (2d ago, in 1.5s).\n" +
		"Languages:\n- Go: 7\n- Shell: 3\n- TypeScript: 3"
	if len(res.Content) != 1 || res.Content[0].Type != "text" || res.Content[0].Text != wantText {
		t.Errorf("content = %+v, want one text block %q", res.Content, wantText)
	}

	if err := w.closeStdin(); err != nil {
		t.Errorf("Serve after EOF: %v", err)
	}
	w.checkJSONRPC()
	if got := len(w.all); got != 3 {
		t.Errorf("server wrote %d lines, want 3 responses", got)
	}
	// Persisted when the session ended, labelled with the initialize clientInfo.
	assertQueue(t, home, `{"event":"usage_rollup","ts":"2026-03-04T00:00:00Z","props":{"client_name":"claude-code","client_version":"2.1.0","count":1,"kind":"mcp_tool","name":"codegraph_status"}}`)
}

func TestStatusNotInitialised(t *testing.T) {
	t.Parallel()
	tel, home := newTelemetry(t)
	w := serve(t, context.Background(), mcpserver.Options{Dir: t.TempDir(), Telemetry: tel})
	w.send(initialize)
	w.response(1)
	w.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	w.send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"codegraph_status"}}`)
	var res struct {
		IsError bool `json:"isError"`
		Content []struct{ Text string }
	}
	if err := json.Unmarshal(w.response(2), &res); err != nil {
		t.Fatal(err)
	}
	if !res.IsError || len(res.Content) != 1 || !strings.HasPrefix(res.Content[0].Text, "not initialised: run `codegraph init`") {
		t.Errorf("codegraph_status without a census = %+v, want an IsError result saying to run codegraph init", res)
	}
	if err := w.closeStdin(); err != nil {
		t.Error(err)
	}
	w.checkJSONRPC()
	assertQueue(t, home, `{"event":"usage_rollup","ts":"2026-03-04T00:00:00Z","props":{"client_name":"claude-code","client_version":"2.1.0","count":1,"error_count":1,"kind":"mcp_tool","name":"codegraph_status"}}`)
}

func TestServeEndsWhenContextIsCancelled(t *testing.T) {
	t.Parallel()
	tel, home := newTelemetry(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := serve(t, ctx, mcpserver.Options{Dir: initProject(t), Telemetry: tel})
	w.send(initialize)
	w.response(1)
	w.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	w.send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"codegraph_status"}}`)
	w.response(2)

	// SIGTERM in the CLI cancels ctx; stdin stays open.
	start := time.Now()
	cancel()
	if err := w.wait(start, "ctx cancelled"); err != nil {
		t.Errorf("Serve after cancel: %v, want nil", err)
	}
	w.checkJSONRPC()
	assertQueue(t, home, `{"event":"usage_rollup","ts":"2026-03-04T00:00:00Z","props":{"client_name":"claude-code","client_version":"2.1.0","count":1,"kind":"mcp_tool","name":"codegraph_status"}}`)
}

func TestServePersistsPeriodically(t *testing.T) {
	t.Parallel()
	if !consent.Compiled {
		t.Skip("telemetry is compiled out of the pro build: nothing to persist")
	}
	tel, home := newTelemetry(t)
	w := serve(t, context.Background(), mcpserver.Options{Dir: initProject(t), Telemetry: tel, PersistEvery: 20 * time.Millisecond, FlushEvery: -1})
	w.send(initialize)
	w.response(1)
	w.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	w.send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"codegraph_status"}}`)
	w.response(2)
	queue := filepath.Join(home, ".codegraph", "telemetry-queue.jsonl")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if data, err := os.ReadFile(queue); err == nil && len(data) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no periodic persist while the server runs")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := w.closeStdin(); err != nil {
		t.Error(err)
	}
	assertQueue(t, home, `{"event":"usage_rollup","ts":"2026-03-04T00:00:00Z","props":{"client_name":"claude-code","client_version":"2.1.0","count":1,"kind":"mcp_tool","name":"codegraph_status"}}`)
}

func TestServeRejectsNonJSONInput(t *testing.T) {
	t.Parallel()
	w := serve(t, context.Background(), mcpserver.Options{Dir: t.TempDir()})
	w.send("this is not json")
	select {
	case err := <-w.done:
		if err == nil {
			t.Error("Serve returned nil after a line that is not JSON")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Serve still running after a line that is not JSON")
	}
}

func TestServeNeedsStreams(t *testing.T) {
	t.Parallel()
	if err := mcpserver.Serve(context.Background(), mcpserver.Options{}); err == nil {
		t.Error("Serve without In and Out: want an error")
	}
}

// TestInMemory drives NewServer with the SDK's own client, as another
// program embedding the server would.
func TestInMemory(t *testing.T) {
	t.Parallel()
	tel, home := newTelemetry(t)
	s := mcpserver.NewServer(mcpserver.Options{Dir: initProject(t), Telemetry: tel, Now: func() time.Time { return now }})
	st, ct := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := s.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "cursor", Version: "1.7"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: mcpserver.StatusToolName})
			if err != nil || res.IsError {
				t.Errorf("codegraph_status: %v %+v", err, res)
			}
		})
	}
	wg.Wait()
	cs.Close()
	ss.Wait()
	tel.Persist()
	assertQueue(t, home, `{"event":"usage_rollup","ts":"2026-03-04T00:00:00Z","props":{"client_name":"cursor","client_version":"1.7","count":5,"kind":"mcp_tool","name":"codegraph_status"}}`)
}

// assertQueue compares the queue file with want, one JSON object a line
// (compared as JSON values, so key order does not matter).
// In the codegraph-pro build (tag pro) telemetry is compiled out: nothing
// may be queued at all.
func assertQueue(t *testing.T, home string, want ...string) {
	t.Helper()
	if !consent.Compiled {
		want = nil
	}
	data, err := os.ReadFile(filepath.Join(home, ".codegraph", "telemetry-queue.jsonl"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var got []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
		if line != "" {
			got = append(got, normalise(t, line))
		}
	}
	var wantN []string
	for _, w := range want {
		wantN = append(wantN, normalise(t, w))
	}
	if strings.Join(got, "\n") != strings.Join(wantN, "\n") {
		t.Errorf("queue:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantN, "\n"))
	}
}

func normalise(t *testing.T, line string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatalf("queue line %q: %v", line, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
