//go:build unix && !pro

package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/safefile"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestHostileStateFiles puts, where the queue, a claim, the lock file of
// systems without flock, a file written aside or the log of what was sent
// belongs, each thing that a
// careless or hostile program could leave there: a symlink to someone
// else's file, a FIFO, a socket, a directory (empty or not), an empty file,
// a 20 GiB sparse file and a read-only file. Persist, Flush, Pending,
// Show, Snapshot and DeleteQueue each end within 2 s without a panic,
// nothing outside the state directory changes, a refused queue is
// described with the path once and what to do, and a bad claim, lock or
// temporary file does not keep the queue from being sent.
func TestHostileStateFiles(t *testing.T) {
	t.Parallel()
	due := `{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{"targets":["codex"]}}`
	targets := map[string]func(statedir.Dir) string{
		"queue": statedir.Dir.Queue,
		"claim": func(d statedir.Dir) string { return d.Sending("x") },
		"lock":  statedir.Dir.QueueLock,
		"temp":  func(d statedir.Dir) string { return d.QueueTemp("x") },
		"spare": func(d statedir.Dir) string { return d.QueueTemp("spare") },
		// The log of what was sent: never read by the sender, so nothing
		// standing there keeps the queue from being sent.
		"sentlog": statedir.Dir.SentLog,
	}
	kinds := []string{"symlink", "hardlink", "fifo", "socket", "dir", "nonempty-dir", "empty", "sparse", "read-only"}
	for target, pathOf := range targets {
		for _, kind := range kinds {
			t.Run(target+"/"+kind, func(t *testing.T) {
				t.Parallel()
				// Short paths: a unix socket's name is limited to ~100 bytes.
				home, err := os.MkdirTemp("", "cgq")
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.RemoveAll(home) })
				outside := t.TempDir()
				precious := filepath.Join(outside, "precious")
				if err := os.WriteFile(precious, []byte("someone else's"), 0o644); err != nil {
					t.Fatal(err)
				}
				before := snapshot(t, outside)
				setChoiceOn(t, home)
				dir := statedir.ForHome(home)
				path := pathOf(dir)
				switch target {
				case "queue":
				case "spare", "temp":
					// Near the cap, so that the persist compacts (and
					// comes across what earlier versions left).
					writeQueue(t, home, strings.Repeat(due+"\n", (QueueCap-100)/(len(due)+1)))
				default:
					writeQueue(t, home, due+"\n")
				}
				testkit.PlaceHostile(t, kind, path, precious)
				if target == "claim" && kind != "symlink" && kind != "hardlink" {
					old := time.Now().Add(-2 * StaleClaim)
					os.Chtimes(path, old, old) // stale: the next flush looks at it
				}
				srv := newCollector(t, http.StatusNoContent)
				env := map[string]string{EnvEndpoint: srv.srv.URL}
				// One process records on the 24th, a later one flushes.
				c := New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return day1 }})
				within(t, "Persist", func() {
					c.Counter(schema.UsageCLICommand, "init").Record(true)
					c.Persist()
				})
				c = New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return day1.Add(48 * time.Hour) }})
				within(t, "PendingEvents", func() { pendingEvents(c) })
				within(t, "Show", func() { c.Show() })
				var problem error
				within(t, "QueueProblem", func() { problem = c.Snapshot().QueueProblem })
				within(t, "Flush", func() { c.Flush(context.Background()) })

				unusable := kind == "symlink" || kind == "hardlink" || kind == "fifo" || kind == "socket" || kind == "dir" || kind == "nonempty-dir"
				refused := target == "queue" && unusable
				refusedClaim := target == "claim" && unusable
				switch {
				case refused || refusedClaim:
					if problem == nil {
						t.Errorf("QueueProblem = nil for a %s at the %s", kind, target)
					} else {
						msg := problem.Error()
						if n := strings.Count(msg, path); n != 1 {
							t.Errorf("QueueProblem %q names the path %d times", msg, n)
						}
						if !strings.Contains(msg, "delete") {
							t.Errorf("QueueProblem %q does not say what to do", msg)
						}
						if !errors.Is(problem, safefile.ErrSymlink) && !errors.Is(problem, safefile.ErrNotRegular) && !errors.Is(problem, errHardLinked) {
							t.Errorf("QueueProblem %q wraps neither ErrSymlink nor ErrNotRegular", msg)
						}
					}
				case problem != nil:
					t.Errorf("QueueProblem = %v for a %s at the %s", problem, kind, target)
				}
				if refused {
					if n := srv.conns.Load(); n != 0 {
						t.Errorf("%d connections with no usable queue", n)
					}
				} else if target != "queue" {
					// (The lock file is Windows's: here the state
					// directory itself is locked.)
					if got := receivedNames(srv); len(srv.events()) == 0 {
						t.Errorf("a %s at the %s kept the queue from being sent (got %v)", kind, target, got)
					}
				}
				if target == "queue" && (kind == "sparse" || kind == "empty" || kind == "read-only") {
					// A usable queue: the persist wrote, and the flush sent, the count.
					if evs := srv.events(); len(evs) != 1 || evs[0]["props"].(map[string]any)["name"] != "init" {
						t.Errorf("sent %v, want the persisted count", evs)
					}
					if fi, err := os.Lstat(path); err == nil && fi.Size() > QueueCap {
						t.Errorf("the queue is still %d bytes", fi.Size())
					}
				}

				var delErr error
				within(t, "DeleteQueue", func() { delErr = c.DeleteQueue() })
				if kind == "nonempty-dir" && target != "temp" && target != "spare" {
					if delErr == nil {
						t.Errorf("DeleteQueue removed a non-empty directory")
					} else if n := strings.Count(delErr.Error(), path); n != 1 || !strings.Contains(delErr.Error(), "by hand") {
						t.Errorf("DeleteQueue: %q (path named %d times)", delErr, n)
					}
				} else if kind == "nonempty-dir" {
					// A directory named like a file written aside is not ours
					// either; removing it fails, and says so.
					if delErr == nil {
						t.Errorf("DeleteQueue removed a non-empty directory")
					}
				} else if delErr != nil {
					t.Errorf("DeleteQueue: %v", delErr)
				}
				if after := snapshot(t, outside); after != before {
					t.Errorf("outside the state directory:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	}
}

// within fails the test when fn panics or hangs: a FIFO or a lock that
// blocks it would hold it forever. The bound only tells a hang from a slow
// machine (it is not a speed target: the benchmarks time things).
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		fn()
	}()
	select {
	case p := <-done:
		if p != nil {
			t.Fatalf("%s panicked: %v", what, p)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s hangs: still running after 30 s", what)
	}
}

// snapshot lists a directory tree with each entry's type, size, mode, time
// and content digest.
func snapshot(t *testing.T, root string) string {
	t.Helper()
	var out []string
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		line := fmt.Sprintf("%s %v %d %v", strings.TrimPrefix(p, root), fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			line += " " + string(b)
		}
		out = append(out, line)
		return nil
	})
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// TestSparseTwoGiBQueue: a queue file of 2 GiB, sparse but for real lines
// at its end (a runaway writer, a copy gone wrong). Every call ends within
// 2 s and reads only the end: the lines there are counted and sent, the
// next persist cuts the file to the cap, and the process never holds more
// than a few cap's worth of memory for it.
func TestSparseTwoGiBQueue(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	setChoiceOn(t, home)
	old := day1.Add(-72 * time.Hour)
	writeQueue(t, home, "")
	path := statedir.ForHome(home).Queue()
	tail := linesOf(names("e", 20), old)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteAt([]byte(tail), 2<<30-int64(len(tail)))
	f.Close()
	if err != nil {
		t.Skipf("a sparse 2 GiB file: %v", err)
	}
	srv := newCollector(t, http.StatusNoContent)
	env := map[string]string{EnvEndpoint: srv.srv.URL}
	c := New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return day1 }})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var pending int
	within(t, "PendingEvents", func() { pending = pendingEvents(c) })
	within(t, "Persist", func() {
		c.Counter(schema.UsageCLICommand, "init").Record(true)
		c.Persist()
	})
	runtime.ReadMemStats(&after)
	if pending != 20 {
		t.Errorf("pending %d, want the 20 lines at the end", pending)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("%d MiB allocated for a 2 GiB queue: it was read, not its end", got>>20)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() > QueueCap {
		t.Fatalf("the persist did not cut the queue to the cap: %v %v", fi, err)
	}
	c = New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return day1.Add(48 * time.Hour) }})
	within(t, "Flush", func() { c.Flush(context.Background()) })
	got := receivedNames(srv)
	for _, n := range append(names("e", 20), "init") {
		if got[n] != 1 {
			t.Errorf("line %s sent %d times", n, got[n])
		}
	}
}

// TestFIFOInPlaceOfTheQueue: a FIFO where the queue belongs, once without
// a writer and once with one that keeps it open (where a read would wait
// for data). Every call ends within 2 s, the snapshot says what stands
// there, nothing connects, and the counts stay in memory: once the FIFO is
// gone, the same process writes them and a flush sends them.
func TestFIFOInPlaceOfTheQueue(t *testing.T) {
	t.Parallel()
	for _, writer := range []bool{false, true} {
		t.Run(fmt.Sprintf("writer=%v", writer), func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			setChoiceOn(t, home)
			path := statedir.ForHome(home).Queue()
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			if writer {
				// O_RDWR opens a FIFO without waiting for the other end.
				w, err := os.OpenFile(path, os.O_RDWR, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
			}
			srv := newCollector(t, http.StatusNoContent)
			env := map[string]string{EnvEndpoint: srv.srv.URL}
			c := New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return day1.Add(48 * time.Hour) }})
			c.Counter(schema.UsageCLICommand, "init").Record(true)
			within(t, "Persist", c.Persist)
			within(t, "PendingEvents", func() { pendingEvents(c) })
			within(t, "Show", func() { c.Show() })
			within(t, "Flush", func() { c.Flush(context.Background()) })
			var problem error
			within(t, "QueueProblem", func() { problem = c.Snapshot().QueueProblem })
			if !errors.Is(problem, safefile.ErrNotRegular) || !strings.Contains(problem.Error(), "FIFO") {
				t.Errorf("QueueProblem = %v, want a FIFO named as such", problem)
			}
			if n := srv.conns.Load(); n != 0 {
				t.Errorf("%d connections with a FIFO for a queue", n)
			}
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			c.Persist() // what it kept in memory
			// A later day's process: the 26th's count has become due.
			later := New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return day1.Add(72 * time.Hour) }})
			later.Flush(context.Background())
			if got := receivedNames(srv); got["init"] != 1 {
				t.Errorf("the count kept while the FIFO stood there was sent %d times", got["init"])
			}
		})
	}
}
