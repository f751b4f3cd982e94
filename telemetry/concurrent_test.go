//go:build unix && !pro

package telemetry

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestConcurrentPersistsNearCap: clients persisting at once into a queue
// at its cap, so that compactions (and their swaps of the queue file) keep
// happening under the others' feet. A compaction drops a prefix of the
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
