//go:build !pro

package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

func TestRecordPersistWritesDailyRollups(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "http://127.0.0.1:1", nil)
	c := h.client()
	status := c.Counter(schema.UsageCLICommand, "telemetry:status")
	tool := c.CounterFor(schema.UsageMCPTool, "codegraph_status", " Claude Code\n", "2.0.14")
	for i := 0; i < 5; i++ {
		status.Record(true)
	}
	tool.Record(true)
	tool.Record(false)
	c.Persist()
	lines := h.queueLines(t)
	want := []string{
		`{"event":"usage_rollup","ts":"2026-11-24T00:00:00Z","props":{"count":5,"kind":"cli_command","name":"telemetry:status"}}`,
		`{"event":"usage_rollup","ts":"2026-11-24T00:00:00Z","props":{"client_name":"Claude Code","client_version":"2.0.14","count":2,"error_count":1,"kind":"mcp_tool","name":"codegraph_status"}}`,
	}
	if len(lines) != 2 {
		t.Fatalf("queue = %q", lines)
	}
	for _, w := range want {
		if lines[0] != w && lines[1] != w {
			t.Errorf("queue %q lacks %s", lines, w)
		}
	}
	c.Persist()
	if got := h.queueLines(t); len(got) != 2 {
		t.Errorf("a second persist with nothing new appended lines: %q", got)
	}
	fi, err := os.Stat(h.home + "/.codegraph/telemetry-queue.jsonl")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("queue mode: %v %v", fi, err)
	}
}

func TestOnlyRegisteredTokenNamesCount(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "http://127.0.0.1:1", nil)
	c := h.client()
	for _, name := range []string{"init /home/alice", "", strings.Repeat("x", 65), "naïve"} {
		if ctr := c.Counter(schema.UsageCLICommand, name); ctr != nil {
			t.Errorf("Counter(%q) registered", name)
		}
	}
	if c.Counter("page_view", "x") != nil {
		t.Error("unknown kind registered")
	}
	var nilCounter *Counter
	nilCounter.Record(true) // must not panic
	if c.Counter(schema.UsageCLICommand, "init") != c.Counter(schema.UsageCLICommand, "init") {
		t.Error("same name returned two handles")
	}
}

func TestMidnightSplitsInALongLivedProcess(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "http://127.0.0.1:1", nil)
	c := h.client()
	ctr := c.Counter(schema.UsageMCPTool, "codegraph_status")
	ctr.Record(true)
	ctr.Record(true)
	h.clock.Set(day1.Add(5 * time.Minute)) // 00:03 on the 25th
	c.Tick()                               // what the midnight timer does
	ctr.Record(true)
	h.clock.Set(day1.Add(24*time.Hour + 5*time.Minute)) // 26th: slot of the 24th is reused
	c.Tick()
	ctr.Record(false)
	c.Persist()
	got := map[string]string{}
	for _, l := range h.queueLines(t) {
		e, ok := parseLine([]byte(l))
		if !ok {
			t.Fatalf("bad line %s", l)
		}
		got[e.TS] = l
	}
	for ts, count := range map[string]string{"2026-11-24T00:00:00Z": `"count":2,`, "2026-11-25T00:00:00Z": `"count":1,`, "2026-11-26T00:00:00Z": `"count":1,"error_count":1`} {
		if !strings.Contains(got[ts], count) {
			t.Errorf("day %s: %q, want %s", ts, got[ts], count)
		}
	}
	if len(got) != 3 {
		t.Errorf("lines by day: %v", got)
	}
}

func TestOffRecordsNothingAndOpensNoConnection(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{
		"DO_NOT_TRACK":          {"DO_NOT_TRACK": "1"},
		"CODEGRAPH_TELEMETRY=0": {"CODEGRAPH_TELEMETRY": "0"},
		"config off":            nil,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newCollector(t, http.StatusNoContent)
			h := newHarness(t, srv.srv.URL, env)
			if env == nil {
				store := &consent.Store{Dir: h.client().dir, Getenv: h.getenv, Now: h.clock.Now}
				if _, err := store.SetChoice(false, consent.SourceCLI); err != nil {
					t.Fatal(err)
				}
			}
			// A queue left from before: it must not be sent either.
			writeQueue(t, h.home, `{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`+"\n")
			c := h.client()
			c.Counter(schema.UsageCLICommand, "init").Record(true)
			c.Emit(InstallEvent([]string{"claude"}, schema.ScopeGlobal, schema.InstallFresh))
			c.Persist()
			h.clock.Set(day1.Add(48 * time.Hour))
			c.Flush(context.Background())
			c.Close()
			if n := srv.conns.Load(); n != 0 {
				t.Errorf("%d connections while off", n)
			}
			if lines := h.queueLines(t); len(lines) != 1 {
				t.Errorf("queue changed while off: %q", lines)
			}
			if h.stderr.Len() != 0 {
				t.Errorf("stderr while off: %q", h.stderr)
			}
		})
	}
}

func TestFlushSendsCompletedDaysAndLifecycleOnly(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, http.StatusNoContent)
	h := newHarness(t, srv.srv.URL, nil)
	c := h.client()
	ctr := c.CounterFor(schema.UsageMCPTool, "codegraph_status", "cursor", "1.0")
	ctr.Record(true)
	c.Emit(InstallEvent([]string{"claude", "cursor"}, schema.ScopeGlobal, schema.InstallFresh))
	c.Persist()
	// A second process adds a delta for the same day and key: they are summed.
	c2 := h.client()
	c2.CounterFor(schema.UsageMCPTool, "codegraph_status", "cursor", "1.0").Record(false)
	c2.Persist()
	h.clock.Set(day1.Add(10 * time.Minute)) // the 24th is now complete
	ctr.Record(true)                        // ...but this process has not ticked: still the 24th
	c.Tick()
	ctr.Record(true) // the 25th: stays queued
	c.Persist()
	c.Flush(context.Background())

	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r["codegraph_version"] != "1.2.3" || r["os"] != "linux" || r["arch"] != "amd64" || r["go_version"] != "1.26" || r["ci"] != false || r["schema_version"] != json.Number("1") {
		t.Errorf("envelope %v", r)
	}
	if _, err := schema.ParseMachineID(r["machine_id"]); err != nil {
		t.Errorf("machine_id %v", r["machine_id"])
	}
	evs := srv.events()
	if len(evs) != 2 {
		t.Fatalf("events %v", evs)
	}
	if evs[0]["event"] != "install" {
		t.Errorf("first event %v", evs[0])
	}
	roll := evs[1]["props"].(map[string]any)
	if evs[1]["ts"] != "2026-11-24T00:00:00Z" || roll["count"] != json.Number("3") || roll["error_count"] != json.Number("1") || roll["client_name"] != "cursor" {
		t.Errorf("rollup %v", evs[1])
	}
	// Every event sent passes the schema untouched.
	for _, e := range evs {
		props := e["props"].(map[string]any)
		if _, rep, ok := schema.CleanEvent(e["event"].(string), props); !ok || rep.Stripped != 0 {
			t.Errorf("sent an event the schema changes: %v", e)
		}
	}
	lines := h.queueLines(t)
	if len(lines) != 1 || !strings.Contains(lines[0], `"ts":"2026-11-25T00:00:00Z"`) {
		t.Errorf("queue after flush = %q, want only today's rollup", lines)
	}
	if h.stderr.Len() != 0 {
		t.Errorf("notice shown again: %q", h.stderr)
	}
}

// TestNoticeOnceAndOnlyBeforeASend: the notice is printed by the first
// process with something to send, which then sends nothing (the grace
// run); the next process sends, and the notice never shows again.
func TestNoticeOnceAndOnlyBeforeASend(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, http.StatusNoContent)
	h := newFreshHarness(t, srv.srv.URL, nil)
	c := h.client()
	c.Counter(schema.UsageCLICommand, "init").Record(true)
	c.Persist()
	c.Flush(context.Background()) // nothing due: today's rollup only
	if h.stderr.Len() != 0 || srv.conns.Load() != 0 {
		t.Fatalf("notice %q / %d connections with nothing to send", h.stderr, srv.conns.Load())
	}
	for i := 0; i < 3; i++ {
		h.clock.Set(day1.Add(time.Duration(i+1) * 24 * time.Hour))
		c.Counter(schema.UsageCLICommand, "init").Record(true)
		c.Persist()
		c.Flush(context.Background())
	}
	if n := strings.Count(h.stderr.String(), "codegraph collects anonymous usage stats"); n != 1 {
		t.Errorf("notice printed %d times", n)
	}
	if n := srv.conns.Load(); n != 0 {
		t.Errorf("the process that printed the notice made %d connections", n)
	}
	c.Close()
	h.client().Flush(context.Background())
	if n := strings.Count(h.stderr.String(), "codegraph collects anonymous usage stats"); n != 1 {
		t.Errorf("notice printed %d times", n)
	}
	if len(srv.requests()) != 1 || len(srv.events()) != 3 {
		t.Errorf("%d requests with %d events, want 1 with the 3 days", len(srv.requests()), len(srv.events()))
	}
}

func TestServerErrorIsFinal(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, http.StatusInternalServerError)
	h := newHarness(t, srv.srv.URL, nil)
	writeQueue(t, h.home, `{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`+"\n")
	c := h.client()
	c.Flush(context.Background())
	c.Flush(context.Background())
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want exactly 1 (no retry)", n)
	}
	if lines := h.queueLines(t); lines != nil {
		t.Errorf("lines kept after a 500: %q", lines)
	}
}

// TestServerThatNeverAnswers: a request handed to a connection that then
// times out may have arrived, so its lines are done (at most once, never
// twice): nothing goes back, and no later process sends them again.
func TestServerThatNeverAnswers(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, http.StatusNoContent)
	srv.hang()
	h := newHarness(t, srv.srv.URL, nil)
	line := `{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`
	writeQueue(t, h.home, line+"\n")
	c := h.client()
	// The request is bounded by SendTimeout: Flush returns (a hang would
	// end the test at its own timeout; how long it takes is not asserted
	// here, the benchmarks time things).
	c.Flush(context.Background())
	if lines := h.queueLines(t); len(lines) != 0 {
		t.Errorf("lines after a timeout = %q, want none: the body may have arrived", lines)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (no retry in the same process)", n)
	}
	h.client().Flush(context.Background())
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests after a later process flushed, want still 1", n)
	}
}

func TestTransportFailurePutsLinesBack(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	h := newHarness(t, "http://"+addr+"/v1/events", map[string]string{EnvDebug: "1"})
	writeQueue(t, h.home, `{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{"targets":["codex"]}}`+"\n")
	h.client().Flush(context.Background())
	if lines := h.queueLines(t); len(lines) != 1 {
		t.Errorf("queue after refused connection: %q", lines)
	}
	if !strings.Contains(h.stderr.String(), `"targets":["codex"]`) {
		t.Errorf("debug echo missing: %q", h.stderr)
	}
}

func TestSplitsByCountAndSizeAndCapsRequests(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, http.StatusNoContent)
	h := newHarness(t, srv.srv.URL, nil)
	var q strings.Builder
	// 1,000 distinct rollups of the 24th with long names: far more than 8
	// requests' worth.
	for i := 0; i < 1000; i++ {
		name := strings.Repeat("n", 55) + "_" + strings.Repeat("0", 4-len(itoa(i))) + itoa(i)
		q.WriteString(`{"event":"usage_rollup","ts":"2026-11-24T00:00:00Z","props":{"kind":"cli_command","name":"` + name + `","count":1,"client_name":"` + strings.Repeat("c", 64) + `"}}` + "\n")
	}
	writeQueue(t, h.home, q.String())
	h.clock.Set(day1.Add(time.Hour))
	h.client().Flush(context.Background())
	srv.mu.Lock()
	bodies := srv.bodies
	srv.mu.Unlock()
	if len(bodies) != MaxRequestsPerFlush {
		t.Fatalf("%d requests, want %d", len(bodies), MaxRequestsPerFlush)
	}
	sent := 0
	for _, b := range bodies {
		if len(b) > schema.MaxBodyBytes {
			t.Errorf("body of %d bytes", len(b))
		}
		var r struct{ Events []any }
		json.Unmarshal(b, &r)
		if len(r.Events) > schema.MaxEventsPerRequest {
			t.Errorf("%d events in one request", len(r.Events))
		}
		sent += len(r.Events)
	}
	if left := len(h.queueLines(t)); sent+left != 1000 {
		t.Errorf("sent %d + kept %d ≠ 1000", sent, left)
	}
}

func itoa(i int) string { return jsonNumber(i) }

func jsonNumber(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestStaleClaimIsMergedBackAndSent(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, http.StatusNoContent)
	h := newHarness(t, srv.srv.URL, nil)
	c := h.client()
	claim := c.dir.Sending("dead-sender")
	if err := c.dir.Ensure(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(claim, []byte(`{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`+"\n"), 0o600)
	fresh := c.dir.Sending("live-sender")
	os.WriteFile(fresh, []byte(`{"event":"uninstall","ts":"2026-11-24T11:00:00Z","props":{}}`+"\n"), 0o600)
	old := h.clock.Now().Add(-2 * time.Hour)
	os.Chtimes(claim, old, old)
	os.Chtimes(fresh, h.clock.Now(), h.clock.Now())
	// Files written aside by a process that died: removed once an hour old.
	deadTemp, liveTemp := c.dir.QueueTemp("dead"), c.dir.QueueTemp("live")
	os.WriteFile(deadTemp, []byte("copy\n"), 0o600)
	os.WriteFile(liveTemp, []byte("copy\n"), 0o600)
	wallOld := time.Now().Add(-2 * time.Hour)
	os.Chtimes(deadTemp, wallOld, wallOld)
	c.Flush(context.Background())
	if _, err := os.Stat(deadTemp); !os.IsNotExist(err) {
		t.Error("a dead process's file written aside was left")
	}
	if _, err := os.Stat(liveTemp); err != nil {
		t.Error("a file being written aside was removed")
	}
	evs := srv.events()
	if len(evs) != 1 || evs[0]["ts"] != "2026-11-24T10:00:00Z" {
		t.Errorf("sent %v, want only the stale claim's event", evs)
	}
	if _, err := os.Stat(claim); !os.IsNotExist(err) {
		t.Error("stale claim left behind")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a live sender's claim was taken")
	}
}

func TestOffOnCycleNeverSendsWhatCameBefore(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, http.StatusNoContent)
	h := newHarness(t, srv.srv.URL, nil)
	c := h.client() // a long-lived process, e.g. serve --mcp
	c.Counter(schema.UsageMCPTool, "before_cycle").Record(true)
	// Another process: telemetry off, then on again, a little later.
	store := &consent.Store{Dir: c.dir, Getenv: h.getenv, Now: h.clock.Now}
	h.clock.Set(day1.Add(time.Second))
	if _, err := store.SetChoice(false, consent.SourceCLI); err != nil {
		t.Fatal(err)
	}
	if err := newQueue(c.dir).removeAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SetChoice(true, consent.SourceCLI); err != nil {
		t.Fatal(err)
	}
	c.Counter(schema.UsageMCPTool, "after_cycle").Record(true)
	c.Persist()
	for _, l := range h.queueLines(t) {
		if strings.Contains(l, "before_cycle") {
			t.Errorf("count recorded before the off/on cycle was kept: %s", l)
		}
	}
}

func TestQueueCapDropsOldestWithoutRewritingEachAppend(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "http://127.0.0.1:1", nil)
	c := h.client()
	path := h.home + "/.codegraph/telemetry-queue.jsonl"
	var firstCompaction int
	for i := 0; i < 3000; i++ {
		c.Counter(schema.UsageCLICommand, "cmd_"+jsonNumber(i)).Record(true)
		c.Persist()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > QueueCap {
			t.Fatalf("queue grew to %d bytes", fi.Size())
		}
		if firstCompaction == 0 && i > 0 && fi.Size() <= compactTo {
			firstCompaction = i
		}
	}
	lines := h.queueLines(t)
	if !strings.Contains(lines[len(lines)-1], `"cmd_2999"`) {
		t.Errorf("newest line lost: %s", lines[len(lines)-1])
	}
	if strings.Contains(strings.Join(lines, "\n"), `"cmd_0"`) {
		t.Error("oldest line kept past the cap")
	}
}

func TestCorruptQueueIsRecoveredSilently(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, http.StatusNoContent)
	h := newHarness(t, srv.srv.URL, nil)
	good := `{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{"targets":["claude"]}}`
	writeQueue(t, h.home, "\x00\xff garbage\n"+good+"\n{\"event\":\"page_view\",\"ts\":\"2026-11-24T10:00:00Z\",\"props\":{\"url\":\"/secret\"}}\n"+`{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{"targets":["/home/alice"],"path":"/x"}}`+"\n{\"truncated")
	c := h.client()
	if n := pendingEvents(c); n != 2 {
		t.Errorf("pending = %d, want 2 valid lines", n)
	}
	c.Counter(schema.UsageCLICommand, "init").Record(true)
	c.Persist() // appends after a torn last line without merging into it
	h.clock.Set(day1.Add(48 * time.Hour))
	c.Flush(context.Background())
	evs := srv.events()
	if len(evs) != 3 {
		t.Fatalf("sent %v", evs)
	}
	for _, e := range evs {
		b, _ := json.Marshal(e)
		for _, leak := range []string{"secret", "alice", "page_view", "path"} {
			if strings.Contains(string(b), leak) {
				t.Errorf("sent %s", b)
			}
		}
	}
	if h.stderr.Len() > 0 && !strings.Contains(h.stderr.String(), "codegraph collects") {
		t.Errorf("noise on stderr: %q", h.stderr)
	}
	if lines := h.queueLines(t); lines != nil {
		t.Errorf("queue after flush: %q", lines)
	}
}

func TestDeleteQueueRemovesClaimsToo(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "http://127.0.0.1:1", nil)
	c := h.client()
	c.Counter(schema.UsageCLICommand, "init").Record(true)
	c.Persist()
	os.WriteFile(c.dir.Sending("x"), []byte("{}\n"), 0o600)
	if err := c.DeleteQueue(); err != nil {
		t.Fatal(err)
	}
	if pendingEvents(c) != 0 {
		t.Error("events pending after DeleteQueue")
	}
}

func TestShowMatchesWhatFlushSends(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, http.StatusNoContent)
	h := newHarness(t, srv.srv.URL, nil)
	store := &consent.Store{Dir: h.client().dir, Getenv: h.getenv, Now: h.clock.Now}
	if _, err := store.SetChoice(true, consent.SourceInstaller); err != nil {
		t.Fatal(err)
	}
	c := h.client()
	c.Emit(IndexEvent([]string{"go", "klingon"}, 1234, 3*time.Second))
	c.Counter(schema.UsageCLICommand, "init").Record(true)
	c.Persist()
	h.clock.Set(day1.Add(24 * time.Hour))
	shown := c.Show()
	if srv.conns.Load() != 0 {
		t.Fatal("Show opened a connection")
	}
	c.Flush(context.Background())
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(shown) != 1 || len(srv.bodies) != 1 || !bytes.Equal(shown[0], srv.bodies[0]) {
		t.Errorf("show:\n%s\nsent:\n%s", shown, srv.bodies)
	}
	if !strings.Contains(string(shown[0]), `"languages":["go","other"]`) || !strings.Contains(string(shown[0]), `"file_count_bucket":"1k-10k"`) {
		t.Errorf("index event not as built: %s", shown[0])
	}
}

func TestTypedConstructorsOnlyProduceSchemaValues(t *testing.T) {
	t.Parallel()
	for _, ev := range []Event{
		InstallEvent([]string{"claude", "cursor"}, schema.ScopeLocal, schema.InstallUpgrade),
		InstallEvent(nil, schema.ScopeGlobal, schema.InstallReinstall),
		UninstallEvent(nil),
		UninstallEvent([]string{"codex"}),
		IndexEvent(nil, 0, 0),
		IndexEvent([]string{"go", "rust"}, 50000, 6*time.Minute),
	} {
		if ev.name == "" {
			t.Errorf("constructor produced a dropped event")
			continue
		}
		if clean, rep, ok := schema.CleanEvent(ev.name, ev.props); !ok || rep.Stripped != 0 || len(clean) != len(ev.props) {
			t.Errorf("%s %v does not pass the schema unchanged", ev.name, ev.props)
		}
	}
	if ev := InstallEvent(nil, "everywhere", schema.InstallFresh); ev.name != "" {
		t.Error("an install with an invalid scope was built")
	}
}

func FuzzParseLine(f *testing.F) {
	f.Add([]byte(`{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`))
	f.Add([]byte(`{"event":"usage_rollup","ts":"2026-11-24T00:00:00Z","props":{"kind":"mcp_tool","name":"x","count":1}}`))
	f.Add([]byte("\x00\xff"))
	f.Add([]byte(`{"event":"install","ts":"x","props":{"scope":"local","kind":"fresh"}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, ok := parseLine(line)
		if !ok {
			return
		}
		again, ok := parseLine(marshalEntry(e))
		if !ok || again.Event != e.Event || again.TS != e.TS {
			t.Fatalf("a parsed line does not round-trip: %q", line)
		}
		if _, rep, ok := schema.CleanEvent(e.Event, e.Props); !ok || rep.Stripped != 0 {
			t.Fatalf("a parsed line holds what the schema strips: %q", line)
		}
	})
}

// TestNoRetryAfterATransportFailure: once a send failed, the lines wait for
// a later process; a second flush in the same process sends nothing, even
// when the endpoint has come up meanwhile.
func TestNoRetryAfterATransportFailure(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	h := newHarness(t, "http://"+addr+"/v1/events", nil)
	writeQueue(t, h.home, `{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`+"\n")
	c := h.client()
	c.Flush(context.Background())
	srv := newCollectorAt(t, addr, http.StatusNoContent)
	c.Flush(context.Background())
	if n := srv.conns.Load(); n != 0 {
		t.Errorf("%d connections from the process whose send failed, want 0", n)
	}
	if lines := h.queueLines(t); len(lines) != 1 {
		t.Errorf("queue %q: the line must wait for a later process", lines)
	}
	h.client().Flush(context.Background()) // a later process tries again
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests after a new process flushed, want 1", n)
	}
	if lines := h.queueLines(t); len(lines) != 0 {
		t.Errorf("queue %q after the line was sent", lines)
	}
}
