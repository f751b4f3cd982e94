//go:build unix && !pro

package telemetry

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestConcurrentPersistsNearCap: clients persisting at once into a queue
// at its cap, so that compactions (and their renames over the queue file)
// keep happening under the others' feet. A compaction drops a prefix of the
// file, so of each writer's lines, appended in order, what survives is a
// suffix: a hole would be a line appended to a file that was no longer
// the queue. No line may appear twice.
func TestConcurrentPersistsNearCap(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	setChoiceOn(t, home)
	old := day1.Add(-72 * time.Hour)
	writeQueue(t, home, linesOf(names("f", (QueueCap-200)/len(rollupLine("f00000", old))), old))
	const writers, each = 4, 600
	pad := strings.Repeat("x", 40)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := New(Options{Home: home, Getenv: func(string) string { return "" }, Now: func() time.Time { return day1 }})
			for i := 0; i < each; i++ {
				c.Counter(schema.UsageCLICommand, fmt.Sprintf("w%d_%05d_%s", w, i, pad)).Record(true)
				c.Persist()
			}
		}()
	}
	wg.Wait()
	d := readDisk(t, home)
	if len(d.malformed) > 0 {
		t.Errorf("malformed lines: %q", d.malformed[:min(3, len(d.malformed))])
	}
	seen := make([][]bool, writers)
	for w := range seen {
		seen[w] = make([]bool, each)
	}
	for name, n := range d.pending {
		if n > 1 {
			t.Errorf("line %s appears %d times", name, n)
		}
		if !strings.HasPrefix(name, "w") {
			continue
		}
		parts := strings.SplitN(name[1:], "_", 3)
		w, _ := strconv.Atoi(parts[0])
		i, _ := strconv.Atoi(parts[1])
		seen[w][i] = true
	}
	dropped := 0
	for w, s := range seen {
		first := each
		for i, ok := range s {
			if ok {
				first = i
				break
			}
		}
		dropped += first
		for i := first; i < each; i++ {
			if !s[i] {
				t.Errorf("writer %d: line %d lost while later ones survived", w, i)
			}
		}
	}
	if dropped == 0 && d.pending["f00000"] > 0 {
		t.Errorf("no compaction happened")
	}
}

// TestKeptQueueFileFollowsTheName: a long-lived process persists again and
// again. Whatever another process did to the queue meanwhile (compacted
// it, with or without an earlier version's spare copy beside it, claimed
// and sent it, claimed it and put it back, deleted it), the next line goes
// to the queue, not to the file that was the queue.
func TestKeptQueueFileFollowsTheName(t *testing.T) {
	t.Parallel()
	old := day1.Add(-72 * time.Hour)
	for name, meanwhile := range map[string]func(t *testing.T, home string, other *Client, srv *collector){
		"compacted": func(t *testing.T, home string, other *Client, _ *collector) {
			other.Counter(schema.UsageCLICommand, "other").Record(true)
			other.Persist()
		},
		"compacted past a spare copy": func(t *testing.T, home string, other *Client, _ *collector) {
			os.WriteFile(statedir.ForHome(home).QueueTemp("spare"), []byte(linesOf(names("s", 20), old)), 0o600)
			other.Counter(schema.UsageCLICommand, "other").Record(true)
			other.Persist()
		},
		"claimed and sent": func(t *testing.T, home string, other *Client, _ *collector) {
			other.Flush(context.Background())
		},
		"claimed and put back": func(t *testing.T, home string, other *Client, srv *collector) {
			srv.srv.Close() // refused: the lines go back
			other.Flush(context.Background())
		},
		"deleted": func(t *testing.T, home string, other *Client, _ *collector) {
			other.DeleteQueue()
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			setChoiceOn(t, home)
			srv := newCollector(t, http.StatusNoContent)
			env := map[string]string{EnvEndpoint: srv.srv.URL}
			at := func(now time.Time) *Client {
				return New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return now }})
			}
			long := at(day1.Add(48 * time.Hour)) // serve --mcp, on the 26th
			if strings.HasPrefix(name, "compacted") {
				// So full that the line "before" fits and the next one does not.
				fillQueueLeavingRoomFor(t, home, rollupLine("before", day1.Add(48*time.Hour)))
			} else {
				writeQueue(t, home, linesOf(names("q", 20), old))
			}
			long.Counter(schema.UsageCLICommand, "before").Record(true)
			long.Persist()
			meanwhile(t, home, at(day1.Add(48*time.Hour)), srv)
			long.Counter(schema.UsageCLICommand, "after").Record(true)
			long.Persist()
			d := readDisk(t, home)
			got := receivedNames(srv)
			if strings.HasPrefix(name, "compacted") && d.pending["f00000"] != 0 {
				t.Fatalf("no compaction happened")
			}
			for _, n := range []string{"before", "after", "other"} {
				if n == "before" && name == "deleted" || n == "other" && !strings.HasPrefix(name, "compacted") {
					continue
				}
				if d.pending[n]+got[n] != 1 {
					t.Errorf("line %s: queued %d times, sent %d times", n, d.pending[n], got[n])
				}
			}
			q, _ := os.ReadFile(statedir.ForHome(home).Queue())
			if !strings.Contains(string(q), `"after"`) {
				t.Errorf("the line persisted afterwards is not in the queue")
			}
			long.Close()
		})
	}
}
