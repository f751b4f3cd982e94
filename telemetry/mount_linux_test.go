//go:build linux && !pro

package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// mountStateDir mounts a small tmpfs as HOME/.codegraph, or skips the test
// where mounting is not allowed (not root, no CAP_SYS_ADMIN).
func mountStateDir(t *testing.T, size string) (home string, dir statedir.Dir) {
	t.Helper()
	home = t.TempDir()
	dir = statedir.ForHome(home)
	if err := os.Mkdir(dir.Root(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir.Root(), "tmpfs", 0, "size="+size+",mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs as the state directory here (%v): the full-disk and read-only cases need one", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir.Root(), syscall.MNT_DETACH) })
	return home, dir
}

// fillDisk writes a file until the file system is full and returns what
// frees the space again.
func fillDisk(t *testing.T, dir statedir.Dir) (free func()) {
	t.Helper()
	// Errorf, not Fatal: an endpoint's handler calls it too.
	path := filepath.Join(dir.Root(), "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Errorf("filler: %v", err)
		return func() {}
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("filler: %v", err)
			}
			break
		}
	}
	// Fill the last partial page too.
	for {
		if _, err := f.Write(chunk[:1]); err != nil {
			break
		}
	}
	f.Close()
	return func() { os.Remove(path) }
}

// longNames are names of the longest kind, so that a few of them need more
// than one page of a full file system.
func longNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%05d_%s", prefix, i, strings.Repeat("x", 50))
	}
	return out
}

// TestFullDiskLosesNoLine fills the state directory's file system at each
// write the queue makes (an append, a compaction, the rewrite of a claim
// before sending, the put-back after sending) and checks that no line
// queued before is lost, that lines not written stay in memory, and that
// once space is back every line reaches the endpoint exactly once (only the
// oldest may be dropped by the cap).
func TestFullDiskLosesNoLine(t *testing.T) {
	t.Parallel()
	old := day1.Add(-72 * time.Hour)
	for _, tc := range []struct {
		name    string
		initial []string // queued before
	}{
		{"append", names("a", 50)},
		{"compact", names("f", QueueCap/len(rollupLine("f00000", old))-1)},
		{"divide", names("d", 150)},
		{"put-back", names("d", 150)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			home, dir := mountStateDir(t, "2m")
			setChoiceOn(t, home)
			srv := newCollector(t, http.StatusNoContent)
			env := map[string]string{EnvEndpoint: srv.srv.URL}
			clientAt := func(now time.Time) *Client {
				return New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return now }})
			}
			// Today's lines stay after a flush: something to put back.
			today := names("t", 5)
			writeQueue(t, home, linesOf(tc.initial, old)+linesOf(today, day1.Add(48*time.Hour)))
			all := append(append([]string{}, tc.initial...), today...)
			writer := clientAt(day1)
			var extra []string
			switch tc.name {
			case "append", "compact":
				free := fillDisk(t, dir)
				extra = longNames("m", 40)
				for _, n := range extra {
					writer.Counter(schema.UsageCLICommand, n).Record(true)
				}
				within(t, "Persist on a full disk", writer.Persist)
				at := readDisk(t, home)
				for _, n := range all {
					if at.pending[n] != 1 {
						t.Fatalf("line %s on disk %d times after a failed %s", n, at.pending[n], tc.name)
					}
				}
				if l := newQueue(dir).list(); len(l.ours)+len(l.earlier) > 0 {
					t.Errorf("files written aside left behind: %v %v", l.ours, l.earlier)
				}
				written := 0
				for _, n := range extra {
					written += at.pending[n]
				}
				if written == len(extra) {
					t.Fatalf("the disk was not full: all %d new lines were written", written)
				}
				free()
				writer.Persist() // the lines kept in memory
			case "divide":
				free := fillDisk(t, dir)
				within(t, "Flush on a full disk", func() { clientAt(day1.Add(48 * time.Hour)).Flush(context.Background()) })
				if n := len(srv.requests()); n != 0 {
					t.Errorf("%d requests though no batch could be marked as sending", n)
				}
				if claims, _ := filepath.Glob(dir.SendingPattern()); len(claims) != 1 {
					t.Errorf("claims %v, want the one whose rewrite failed kept", claims)
				}
				free()
			case "put-back":
				// The disk fills up while the request is on its way.
				srv.mu.Lock()
				srv.onRequest = func() { fillDisk(t, dir) }
				srv.mu.Unlock()
				within(t, "Flush", func() { clientAt(day1.Add(48 * time.Hour)).Flush(context.Background()) })
				srv.mu.Lock()
				srv.onRequest = nil
				srv.mu.Unlock()
				at := readDisk(t, home)
				for _, n := range today {
					if at.pending[n] != 1 {
						t.Errorf("line %s, to be put back, is on disk %d times after the put-back failed", n, at.pending[n])
					}
				}
				if claims, _ := filepath.Glob(dir.SendingPattern()); len(claims) != 1 || len(srv.requests()) == 0 {
					t.Errorf("claims %v after %d requests, want the claim kept by the failed put-back", claims, len(srv.requests()))
				}
				os.Remove(filepath.Join(dir.Root(), "filler"))
			}
			all = append(all, extra...)
			recoverQueue(t, home, srv.srv.URL)
			got := receivedNames(srv)
			after := readDisk(t, home)
			dropped := 0
			for _, n := range all {
				switch k := got[n] + after.pending[n]; {
				case k > 1:
					t.Errorf("line %s received %d times and queued %d times", n, got[n], after.pending[n])
				case k == 0 && tc.name == "compact" && strings.HasPrefix(n, "f"):
					dropped++ // the oldest, to the cap
				case k == 0:
					t.Errorf("line %s lost", n)
				}
			}
			if tc.name == "compact" && dropped == 0 {
				t.Errorf("the compaction dropped nothing")
			}
		})
	}
}

// TestReadOnlyStateDir: with the state directory on a read-only mount,
// every call ends within 2 s, nothing is sent (nothing can be claimed),
// the queue is still counted and shown, and nothing changes.
func TestReadOnlyStateDir(t *testing.T) {
	t.Parallel()
	home, dir := mountStateDir(t, "1m")
	setChoiceOn(t, home)
	old := day1.Add(-72 * time.Hour)
	writeQueue(t, home, linesOf(names("q", 20), old))
	os.WriteFile(dir.Sending("dead"), []byte(linesOf(names("c", 5), old)), 0o600)
	stale := time.Now().Add(-2 * StaleClaim)
	os.Chtimes(dir.Sending("dead"), stale, stale)
	before := snapshot(t, dir.Root())
	if err := syscall.Mount("", dir.Root(), "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("remount read-only: %v", err)
	}
	srv := newCollector(t, http.StatusNoContent)
	env := map[string]string{EnvEndpoint: srv.srv.URL}
	c := New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return time.Now().Add(2 * StaleClaim) }})
	within(t, "Persist", func() {
		c.Counter(schema.UsageCLICommand, "init").Record(true)
		c.Persist()
	})
	within(t, "Flush", func() { c.Flush(context.Background()) })
	var pending int
	within(t, "PendingEvents", func() { pending = pendingEvents(c) })
	var shown [][]byte
	within(t, "Show", func() { shown = c.Show() })
	var problem, delErr error
	within(t, "QueueProblem", func() { problem = c.Snapshot().QueueProblem })
	within(t, "DeleteQueue", func() { delErr = c.DeleteQueue() })
	if n := srv.conns.Load(); n != 0 {
		t.Errorf("%d connections: nothing could be claimed", n)
	}
	if pending != 25 || len(shown) != 1 {
		t.Errorf("pending %d, shown %d requests; want 25 and 1", pending, len(shown))
	}
	if problem != nil {
		t.Errorf("QueueProblem = %v for readable files", problem)
	}
	if delErr == nil || strings.Count(delErr.Error(), dir.Queue()) != 1 {
		t.Errorf("DeleteQueue on a read-only mount: %v", delErr)
	}
	if after := snapshot(t, dir.Root()); after != before {
		t.Errorf("the read-only state directory changed:\nbefore %s\nafter  %s", before, after)
	}
}

// TestDiskFillsMidCompaction: the state directory's file system has room
// for appends but not for the copy a compaction writes, so the copy fails
// part-way. Nothing queued is lost, no partial copy stays, the lines of
// the failed persist stay in memory, and once there is room again every
// line reaches the endpoint once (only the oldest dropped by the cap).
func TestDiskFillsMidCompaction(t *testing.T) {
	t.Parallel()
	home, dir := mountStateDir(t, "1m")
	setChoiceOn(t, home)
	old := day1.Add(-72 * time.Hour)
	initial := names("f", (QueueCap-1000)/(len(rollupLine("f00000", old))+1))
	writeQueue(t, home, linesOf(initial, old))
	free := fillDisk(t, dir)
	// 32 KiB free: a few appends fit, the compaction's 128 KiB copy does not.
	filler := filepath.Join(dir.Root(), "filler")
	fi, err := os.Stat(filler)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filler, fi.Size()-32<<10); err != nil {
		t.Fatal(err)
	}
	srv := newCollector(t, http.StatusNoContent)
	env := map[string]string{EnvEndpoint: srv.srv.URL}
	writer := New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return day1 }})
	extra := longNames("m", 40)
	for _, n := range extra {
		writer.Counter(schema.UsageCLICommand, n).Record(true)
	}
	within(t, "Persist", writer.Persist)
	at := readDisk(t, home)
	for _, n := range initial {
		if at.pending[n] != 1 {
			t.Fatalf("line %s on disk %d times after the compaction failed", n, at.pending[n])
		}
	}
	for _, n := range extra {
		if at.pending[n] != 0 {
			t.Fatalf("line %s written though the compaction failed", n)
		}
	}
	if l := newQueue(dir).list(); len(l.ours)+len(l.earlier) > 0 {
		t.Errorf("a partial copy left behind: %v %v", l.ours, l.earlier)
	}
	if st, _ := os.Stat(dir.Queue()); st.Size() > QueueCap {
		t.Errorf("the queue is %d bytes", st.Size())
	}
	free()
	writer.Persist() // the lines kept in memory
	recoverQueue(t, home, srv.srv.URL)
	got := receivedNames(srv)
	after := readDisk(t, home)
	// Of the initial lines, the cap drops the oldest: what is left is a
	// run of the newest. Every new line is there.
	survived := false
	for i, n := range append(append([]string{}, initial...), extra...) {
		k := got[n] + after.pending[n]
		if k > 1 {
			t.Errorf("line %s received %d times and queued %d times", n, got[n], after.pending[n])
		}
		if k == 0 && (survived || i >= len(initial)) {
			t.Errorf("line %s lost", n)
		}
		survived = survived || k == 1
	}
	if got[initial[0]]+after.pending[initial[0]] != 0 {
		t.Errorf("the compaction after the disk was freed dropped nothing")
	}
}
