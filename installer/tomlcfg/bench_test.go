package tomlcfg

import (
	"bytes"
	"errors"
	"github.com/getcodegraph/codegraph-install/installer/configerr"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// hostileShape is a document of one hostile kind: open, then unit repeated
// (with %d replaced by a counter, for distinct names), then closing.
type hostileShape struct {
	name, open, unit, closing string
}

var hostileShapes = []hostileShape{
	{"tiny-keys", "", "k%d=1\n", ""},
	{"tables", "", "[t%d]\n", ""},
	{"array-of-tables", "", "[[a]]\n", ""},
	{"dotted-keys", "", "a.b.c.k%d=1\n", ""},
	{"deep-table-keys", "[" + strings.Repeat("d.", 200) + "x]\n", "k%d=1\n", ""},
	{"tiny-arrays", "a = [", "[],", "[]]\n"},
	{"inline-tables", "a = [", "{},", "{}]\n"},
	{"numbers", "a = [", "1,", "1]\n"},
	{"empty-strings", "a = [", "'',", "'']\n"},
	{"comments", "", "#\n", ""},
	{"blank-lines", "", "\n", ""},
	{"long-string", "", "", ""},
	{"many-servers", "", "[mcp_servers.s%d]\ncommand = \"x\"\n", ""},
	{"projects", "", "[projects.\"/home/me/src/repo%d\"]\ntrust_level = \"trusted\"\n\n", ""},
}

// worstDocument is the costliest document of the shape that the limits
// accept: units until the next would pass MaxCost (or MaxSize), then a
// long string up to MaxSize, which costs the parser little but is memory.
func worstDocument(sh hostileShape, size int) []byte {
	var b bytes.Buffer
	b.Grow(size)
	pad := len("pad = \"\"\n")
	b.WriteString(sh.open)
	cost, _ := parseCost([]byte(sh.open), MaxCost*2)
	for i := 0; sh.unit != ""; i++ {
		u := strings.ReplaceAll(sh.unit, "%d", strconv.Itoa(i))
		c, _ := parseCost([]byte(sh.open+u+u), MaxCost*2)
		c1, _ := parseCost([]byte(sh.open+u), MaxCost*2)
		if cost+(c-c1)+50 > MaxCost || b.Len()+len(u)+len(sh.closing)+pad > size {
			break
		}
		cost += c - c1
		b.WriteString(u)
	}
	b.WriteString(sh.closing)
	body := b.Bytes()
	// The padding goes first, in the root table.
	fill := size - len(body) - pad
	return append([]byte("pad = \""+strings.Repeat("x", max(fill, 0))+"\"\n"), body...)
}

// BenchmarkHostileSetRevert edits the costliest document of every hostile
// shape that the limits accept, at MaxSize: Set (which validates its
// input and its output) and then Revert, as an install and an uninstall
// do. alloc-B/in-B is the memory allocated per input byte; ns/op the time.
//
//	go test -run '^$' -bench HostileSetRevert -benchtime 3x ./installer/tomlcfg
func BenchmarkHostileSetRevert(b *testing.B) {
	for _, sh := range hostileShapes {
		doc := worstDocument(sh, MaxSize)
		b.Run(sh.name, func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				setRevert(b, doc)
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(doc)), "alloc-B/in-B")
		})
	}
}

func setRevert(tb testing.TB, doc []byte) {
	out, undo, changed, err := Set(doc, "codegraph", kvs)
	if err != nil || !changed {
		tb.Fatalf("Set: changed=%v err=%v", changed, err)
	}
	back, err := Revert(out, undo)
	if err != nil || !bytes.Equal(back, doc) {
		tb.Fatalf("Revert: %v", err)
	}
}

// TestHostileAllocationBounded: an edit and its undo of the costliest
// accepted document of any shape allocate at most 20 bytes per byte of
// MaxSize, about 80 MB whatever the file (memory is deterministic, so this
// holds on any machine; the benchmark above shows the time). The TOML
// parser itself allocates 35 to 50 bytes per byte of an ordinary config,
// so the bound is on the largest file the limits accept, not on each byte
// of a smaller one. Not parallel: the process-wide allocation counter must
// see only this test.
func TestHostileAllocationBounded(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates for itself: bounded in the run without -race")
	}
	for _, sh := range hostileShapes {
		doc := worstDocument(sh, MaxSize)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		setRevert(t, doc)
		runtime.ReadMemStats(&after)
		if total := after.TotalAlloc - before.TotalAlloc; total > 20*MaxSize {
			t.Errorf("%s: %d MiB allocated for a %d-byte file, want at most %d MiB", sh.name, total>>20, len(doc), 20*MaxSize>>20)
		}
	}
}

// TestLimitsRefuseCheaply: documents past the size or the cost limit are
// refused with a configerr.LimitError by the scans, the parser never run.
func TestLimitsRefuseCheaply(t *testing.T) {
	for _, sh := range hostileShapes {
		if sh.unit == "" || sh.unit == "\n" {
			continue
		}
		doc := []byte(sh.open + strings.Repeat(strings.ReplaceAll(sh.unit, "%d", "1"), MaxCost+1) + sh.closing)
		if len(doc) > MaxSize {
			doc = doc[:MaxSize]
		}
		_, _, _, err := Set(doc, "codegraph", kvs)
		var le *configerr.LimitError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "too large to parse safely") {
			t.Errorf("%s: err = %v, want the cost limit", sh.name, err)
		}
	}
	_, _, _, err := Set(make([]byte, MaxSize+1), "codegraph", kvs)
	var le *configerr.LimitError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "larger than 4 MiB") {
		t.Errorf("a file over MaxSize: err = %v", err)
	}
}

// BenchmarkRefuseDeepNesting is the cost of refusing each of deepDocuments
// (an install's Set and an uninstall's Revert), which the parser alone
// would take tens of seconds over.
//
//	go test -run '^$' -bench RefuseDeepNesting ./installer/tomlcfg
func BenchmarkRefuseDeepNesting(b *testing.B) {
	for name, src := range deepDocuments() {
		doc := []byte(src)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				_, _, _, err := Set(doc, "codegraph", []KV{{Key: "command", Value: "codegraph"}})
				_, rerr := Revert(doc, Undo{Table: "codegraph", Appended: true})
				if err == nil || rerr == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
