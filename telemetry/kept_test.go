//go:build unix && !pro && !telemetry_portable

package telemetry

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestCompactionThroughTheKeptFileForgetsIt: a long-lived process (serve
// --mcp) keeps the queue open between persists. When a persist through
// that kept descriptor compacts the queue, the descriptor is closed, and
// the process must forget it: the kernel hands its number to the next
// file the process opens (any file: the user's, codegraph's own), and a
// later persist would lock that file and append telemetry lines to it.
//
// Not parallel: the test opens files until one gets the closed number,
// which other tests opening files at the same time could take first.
func TestCompactionThroughTheKeptFileForgetsIt(t *testing.T) {
	home := t.TempDir()
	setChoiceOn(t, home)
	// A queue with room for one more line, not two: the first persist
	// appends and keeps the file, the second compacts through it.
	fillQueueLeavingRoomFor(t, home, rollupLine("first", day1))

	c := New(Options{Home: home, Getenv: func(string) string { return "" }, Now: func() time.Time { return day1 }})
	defer c.Close()
	c.Counter(schema.UsageCLICommand, "first").Record(true)
	c.Persist()
	k := c.queue.kept
	if !k.open {
		t.Fatal("the first persist did not keep the queue open")
	}
	closed := k.h.fd
	c.Counter(schema.UsageCLICommand, "second").Record(true)
	c.Persist()
	if got := readDisk(t, home).pending; got["second"] != 1 {
		t.Fatalf("the second persist did not compact into the queue: %v", got["second"])
	}
	// What the process still keeps must be open, and be the queue.
	if k.open {
		var kept, queue syscall.Stat_t
		if err := syscall.Fstat(k.h.fd, &kept); err != nil {
			t.Errorf("descriptor %d is kept but closed: %v", k.h.fd, err)
		} else if err := syscall.Stat(statedir.ForHome(home).Queue(), &queue); err != nil || kept.Ino != queue.Ino || kept.Dev != queue.Dev {
			t.Errorf("descriptor %d is kept but is not the queue", k.h.fd)
		}
	}

	// Someone else's file takes the number the compaction closed.
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
		if int(f.Fd()) == closed {
			break
		}
	}
	if int(opened[len(opened)-1].Fd()) != closed {
		// Another goroutine of the process took it first: the check of
		// the kept descriptor above still stands.
		t.Skipf("descriptor %d was not handed out again", closed)
	}

	c.Counter(schema.UsageCLICommand, "third").Record(true)
	c.Persist()
	if b, _ := os.ReadFile(victim); string(b) != content {
		t.Errorf("a persist wrote into another file of the process:\n%s", b)
	}
	if got := readDisk(t, home).pending; got["third"] != 1 {
		t.Errorf("the third persist's line is not in the queue (%d times)", got["third"])
	}
	// The victim's descriptor is still the victim's.
	if _, err := opened[len(opened)-1].Stat(); err != nil {
		t.Errorf("a persist closed another file's descriptor: %v", err)
	}
}
