package yamlcfg

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
	where                     Where
}

var hostileShapes = []hostileShape{
	{"tiny-keys", "", "k%d: 1\n", "", goose},
	{"sequence", "a:\n", "- a\n", "", goose},
	{"nested-sequences", "a:\n", "- - - a\n", "", goose},
	{"flow-sequences", "a: [", "[],", "[]]\n", goose},
	{"flow-mappings", "a: [", "{},", "{}]\n", goose},
	{"aliases", "a: &x 1\nb: [", "*x,", "*x]\n", goose},
	{"block-scalar", "a: |\n", "  line\n", "", goose},
	{"comments", "", "#\n", "", goose},
	{"blank-lines", "", "\n", "", goose},
	{"long-string", "", "", "", goose},
	{"many-servers", "mcp_servers:\n", "  s%d:\n    command: npx\n    args: [-y, x]\n", "", hermes},
	{"many-list-items", "mcpServers:\n", "  - name: s%d\n    command: npx\n", "", cont},
	{"existing-entry", "extensions:\n  codegraph:\n    cmd: old\n    args: [old]\n    type: sse\n    name: old\n    enabled: false\n    timeout: 1\n    envs: {A: b}\n    env_keys: [A]\n", "k%d: 1\n", "", goose},
}

// worstDocument is the costliest document of the shape that the limits
// accept: units until the next would pass MaxCost (or MaxSize), then a
// long string up to MaxSize, which costs the parser little but is memory.
func worstDocument(sh hostileShape, size int) []byte {
	var b bytes.Buffer
	pad := len("pad: \"\"\n")
	b.WriteString(sh.open)
	cost, _ := parseCost([]byte(sh.open), 2*MaxCost)
	for i := 0; sh.unit != ""; i++ {
		u := strings.ReplaceAll(sh.unit, "%d", strconv.Itoa(i))
		c, _ := parseCost([]byte(u), 2*MaxCost)
		if cost+c+100 > MaxCost || b.Len()+len(u)+len(sh.closing)+pad > size {
			break
		}
		cost += c
		b.WriteString(u)
	}
	b.WriteString(sh.closing)
	fill := max(size-b.Len()-pad, 0)
	return append([]byte("pad: \""+strings.Repeat("x", fill)+"\"\n"), b.Bytes()...)
}

// BenchmarkHostileSetRevert edits the costliest document of every hostile
// shape that the limits accept, at MaxSize: Set (which parses its input,
// its output, and the output again after each field it changes) and then
// Revert, as an install and an uninstall do. alloc-B/in-B is the memory
// allocated per input byte; ns/op the time.
//
//	go test -run '^$' -bench HostileSetRevert -benchtime 3x ./installer/yamlcfg
func BenchmarkHostileSetRevert(b *testing.B) {
	for _, sh := range hostileShapes {
		doc := worstDocument(sh, MaxSize)
		b.Run(sh.name, func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				setRevert(b, sh.where, doc)
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(doc)), "alloc-B/in-B")
		})
	}
}

func setRevert(tb testing.TB, w Where, doc []byte) {
	fields := gooseFields
	if w != goose {
		fields = plainFields
	}
	out, undo, changed, err := Set(doc, w, fields)
	if err != nil || !changed {
		tb.Fatalf("Set: changed=%v err=%v", changed, err)
	}
	back, _, err := Revert(out, undo)
	if err != nil || !bytes.Equal(back, doc) {
		tb.Fatalf("Revert: %v", err)
	}
}

// TestHostileAllocationBounded: an edit and its undo (three parses: the
// input, Set's check of its output, and Revert's) of the costliest accepted
// document of any shape allocate at most 40 MiB in all, whatever the file
// (memory is deterministic, so this holds on any machine; the benchmark
// above shows the time). The YAML parser allocates about 11 bytes per byte
// of a long string and 15 to 25 per byte of tiny entries, each parse, so
// the bound is on the largest file the limits accept (MaxSize, MaxCost),
// not on each byte of a smaller one. Not parallel: the process-wide
// allocation counter must see only this test.
func TestHostileAllocationBounded(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates for itself: bounded in the run without -race")
	}
	for _, sh := range hostileShapes {
		doc := worstDocument(sh, MaxSize)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		setRevert(t, sh.where, doc)
		runtime.ReadMemStats(&after)
		if total := after.TotalAlloc - before.TotalAlloc; total > 40<<20 {
			t.Errorf("%s: %d MiB allocated for a %d-byte file, want at most 40 MiB", sh.name, total>>20, len(doc))
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
		_, _, _, err := Set(doc, sh.where, plainFields)
		var le *configerr.LimitError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "too large to parse safely") {
			t.Errorf("%s: err = %v, want the cost limit", sh.name, err)
		}
	}
	_, _, _, err := Set(bytes.Repeat([]byte("\n"), MaxSize+1), goose, plainFields)
	var le *configerr.LimitError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "larger than 512 KiB") {
		t.Errorf("a file over MaxSize: err = %v", err)
	}
}

// BenchmarkRefuseDeepNesting is the cost of refusing each of deepDocuments
// as an install's Set does.
//
//	go test -run '^$' -bench RefuseDeepNesting ./installer/yamlcfg
func BenchmarkRefuseDeepNesting(b *testing.B) {
	for name, src := range deepDocuments() {
		doc := []byte(src)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, _, _, err := Set(doc, goose, plainFields); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
