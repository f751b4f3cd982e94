//go:build unix && !pro

package telemetry

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestCompactionThroughTheKeptFileForgetsIt: a long-lived process (serve
// --mcp) persists again and again, and one of its persists compacts the
// queue. The descriptors that persist closed are handed by the kernel to
// the next files the process opens (any file: the user's, codegraph's
// own); a later persist must write to the queue, never to one of those.
// (An earlier queue kept its file open between persists, and once wrote
// into whatever file took the number it had closed.)
//
// Not parallel: the test opens files to take the numbers just closed,
// which other tests opening files at the same time could take first.
func TestCompactionThroughTheKeptFileForgetsIt(t *testing.T) {
	home := t.TempDir()
	setChoiceOn(t, home)
	// A queue with room for one more line, not two: the first persist
	// appends, the second compacts.
	fillQueueLeavingRoomFor(t, home, rollupLine("first", day1))

	c := New(Options{Home: home, Getenv: func(string) string { return "" }, Now: func() time.Time { return day1 }})
	defer c.Close()
	c.Counter(schema.UsageCLICommand, "first").Record(true)
	c.Persist()
	c.Counter(schema.UsageCLICommand, "second").Record(true)
	c.Persist()
	if got := readDisk(t, home).pending; got["second"] != 1 {
		t.Fatalf("the second persist did not compact into the queue: %v", got["second"])
	}

	// Someone else's files take the lowest free numbers, which include
	// every one the compaction closed.
	victim := filepath.Join(t.TempDir(), "user-file.txt")
	const content = "the user's own content\n"
	if err := os.WriteFile(victim, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var opened []*os.File
	defer func() {
		for _, f := range opened {
			f.Close()
		}
	}()
	for len(opened) < 64 {
		f, err := os.OpenFile(victim, os.O_RDWR|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		opened = append(opened, f)
	}

	c.Counter(schema.UsageCLICommand, "third").Record(true)
	c.Persist()
	if b, _ := os.ReadFile(victim); string(b) != content {
		t.Errorf("a persist wrote into another file of the process:\n%s", b)
	}
	if got := readDisk(t, home).pending; got["third"] != 1 {
		t.Errorf("the third persist's line is not in the queue (%d times)", got["third"])
	}
	// The victim's descriptors are still the victim's.
	for _, f := range opened {
		if _, err := f.Stat(); err != nil {
			t.Errorf("a persist closed another file's descriptor: %v", err)
		}
	}
}
