package telemetry

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// FuzzTornLine: a line appended right after a torn one (a writer killed
// mid-write, a full disk) shares its physical line, and is read back alone
// and intact; the torn line is never read, whatever its length, even when
// only its newline was missing.
func FuzzTornLine(f *testing.F) {
	lines := []string{
		`{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`,
		`{"event":"usage_rollup","ts":"2026-11-24T00:00:00Z","props":{"client_name":"Claude Code (x)","client_version":"2.0.14","count":3,"error_count":1,"kind":"mcp_tool","name":"codegraph_status"}}`,
		`{"event":"install","ts":"2026-11-24T10:00:00Z","props":{"kind":"fresh","scope":"local","targets":["claude","cursor"]}}`,
		`{"event":"index","ts":"2026-11-24T10:00:00Z","props":{"duration_bucket":"<10s","file_count_bucket":"<100","languages":["go"]}}`,
	}
	f.Add(uint8(0), uint8(1), uint16(10))
	f.Add(uint8(1), uint8(0), uint16(300))
	f.Add(uint8(2), uint8(2), uint16(0))
	f.Fuzz(func(t *testing.T, i, j uint8, cut uint16) {
		torn, whole := lines[int(i)%len(lines)], lines[int(j)%len(lines)]
		torn = torn[:int(cut)%(len(torn)+1)]
		want, ok := parseLine([]byte(whole))
		if !ok {
			t.Fatalf("seed line does not parse: %s", whole)
		}
		got, raw := parseLines([]byte(torn+whole+"\n"), "")
		if len(got) != 1 || !reflect.DeepEqual(got[0], want) || string(raw[0]) != whole {
			t.Fatalf("torn %q + line: read %v", torn, got)
		}
	})
}

// TestMarkersSelectAClaimsPendingLines: in a claim, lines after a marker of
// its own token in state S are left out; markers of other tokens are
// ordinary skipped lines.
func TestMarkersSelectAClaimsPendingLines(t *testing.T) {
	t.Parallel()
	line := func(name string) []byte {
		return append(marshalEntry(entry{Event: "usage_rollup", TS: "2026-11-24T00:00:00Z", Props: map[string]any{"kind": "cli_command", "name": name, "count": int64(1)}}), '\n')
	}
	var b []byte
	b = append(b, line("keep")...)
	b, _ = appendMarker(b, "tok", statePending)
	b = append(b, line("pending")...)
	b, off := appendMarker(b, "tok", statePending)
	b = append(b, line("sending")...)
	b, _ = appendMarker(b, "other", stateSending)
	b = append(b, line("still_sending")...)
	b[off] = stateSending
	got := func(token string) (names []string) {
		es, _ := parseLines(b, token)
		for _, e := range es {
			names = append(names, e.Props["name"].(string))
		}
		return names
	}
	if n := got("tok"); !reflect.DeepEqual(n, []string{"keep", "pending"}) {
		t.Errorf("claim tok reads %v", n)
	}
	if n := got(""); !reflect.DeepEqual(n, []string{"keep", "pending", "sending", "still_sending"}) {
		t.Errorf("the queue reads %v", n)
	}
	if n := got("other"); !reflect.DeepEqual(n, []string{"keep", "pending", "sending"}) {
		t.Errorf("claim other reads %v", n)
	}
}

// TestPutBackStaysWithinCap: lines merged back into a queue never take it
// past the cap; when they do not fit, the oldest go (the claim's, older
// than anything queued), and the claim is gone either way.
func TestPutBackStaysWithinCap(t *testing.T) {
	t.Parallel()
	line := func(i int) string {
		return string(marshalEntry(entry{Event: "usage_rollup", TS: "2026-11-24T00:00:00Z", Props: map[string]any{"kind": "cli_command", "name": fmt.Sprintf("n%06d", i), "count": int64(1)}})) + "\n"
	}
	for _, queued := range []int{QueueCap / 2, QueueCap - 100, QueueCap - 2000} {
		home := testkit.Home(t)
		q := newQueue(statedir.ForHome(home))
		var b strings.Builder
		i := 0
		for b.Len()+len(line(i)) <= queued {
			b.WriteString(line(i))
			i++
		}
		writeQueue(t, home, b.String())
		var c strings.Builder
		for j := 0; j < 200; j++ {
			c.WriteString(line(1_000_000 - 200 + j))
		}
		claim := q.dir.Sending("dead")
		os.WriteFile(claim, []byte(c.String()), 0o600)
		old := time.Now().Add(-2 * StaleClaim)
		os.Chtimes(claim, old, old)
		unlock, err := q.lock()
		if err != nil {
			t.Fatal(err)
		}
		q.mergeStale(q.list().claims, time.Now())
		unlock()
		data, _ := os.ReadFile(q.dir.Queue())
		if len(data) > QueueCap {
			t.Errorf("queue of %d bytes: %d after the put-back", queued, len(data))
		}
		if _, err := os.Lstat(claim); !os.IsNotExist(err) {
			t.Errorf("queue of %d bytes: the claim is still there (%v)", queued, err)
		}
		if !strings.HasSuffix(string(data), b.String()) {
			t.Errorf("queue of %d bytes: its own lines did not stay, last", queued)
		}
		if es, _ := parseLines(data, ""); len(es) < i {
			t.Errorf("queue of %d bytes: %d lines after the put-back, fewer than the %d queued", queued, len(es), i)
		}
	}
}

// TestLeftoversAreRemovedAtAClaim: a flush's claim, under the queue's
// lock, deletes what interrupted rewrites left: this version's temporary
// files at once (they are written under that lock, so the writer is dead),
// an earlier version's spare copy of the queue at once, its other files
// once an hour old (it takes no lock of ours and may still be running).
// The queue and directories are left alone.
func TestLeftoversAreRemovedAtAClaim(t *testing.T) {
	t.Parallel()
	home := testkit.Home(t)
	writeQueue(t, home, `{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`+"\n")
	q := newQueue(statedir.ForHome(home))
	dir := q.dir.Root()
	gone := []string{
		dir + "/.telemetry-queue.jsonl.codegraph-tmp-123",
		dir + "/.telemetry-queue.sending.abc.jsonl.codegraph-tmp-456",
		q.dir.QueueTemp("spare"),
		q.dir.QueueTemp("dead"),
	}
	kept := []string{q.dir.QueueTemp("live")}
	for _, p := range append(gone, kept...) {
		os.WriteFile(p, []byte("copy\n"), 0o600)
	}
	old := time.Now().Add(-2 * StaleClaim)
	os.Chtimes(q.dir.QueueTemp("dead"), old, old)
	os.Mkdir(dir+"/.telemetry-queue.jsonl.codegraph-tmp-789", 0o700)
	kept = append(kept, dir+"/.telemetry-queue.jsonl.codegraph-tmp-789", q.path)
	if cl, _, _ := q.claim(time.Now(), func([]entry) bool { return false }); cl != nil {
		t.Fatal("claimed though nothing was due")
	}
	for _, p := range gone {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s is still there", p)
		}
	}
	for _, p := range kept {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed", p)
		}
	}
}
