package jsonc

import (
	"bytes"
	"runtime"
	"strconv"
	"testing"
)

// maxConfigSize mirrors installer.MaxConfigSize, the largest file the
// installer reads (this package cannot import installer: it imports us).
const maxConfigSize = 64 << 20

// hostileShapes are documents of about size bytes, each shape the worst of
// its kind for a parser: a value or member every few bytes, long strings,
// comments, nesting as deep as allowed, and the path's own objects huge.
func hostileShapes(size int) []struct {
	name string
	doc  []byte
} {
	fill := func(open, unit, last, closing string) []byte {
		n := (size - len(open) - len(last) - len(closing)) / len(unit)
		var b bytes.Buffer
		b.Grow(size)
		b.WriteString(open)
		for range n {
			b.WriteString(unit)
		}
		b.WriteString(last + closing)
		return b.Bytes()
	}
	keys := func(open, closing string) []byte {
		var b bytes.Buffer
		b.Grow(size)
		b.WriteString(open)
		for i := 0; b.Len() < size-len(closing)-32; i++ {
			b.WriteString(`"k` + strconv.Itoa(i) + `":0,`)
		}
		b.WriteString(`"z":0` + closing)
		return b.Bytes()
	}
	deep := string(bytes.Repeat([]byte("["), MaxDepth-2)) + string(bytes.Repeat([]byte("]"), MaxDepth-2))
	return []struct {
		name string
		doc  []byte
	}{
		{"tiny-arrays", fill(`{"a":[`, `[],`, `[]`, `]}`)},
		{"tiny-objects", fill(`{"a":[`, `{},`, `{}`, `]}`)},
		{"numbers", fill(`{"a":[`, `0,`, `0`, `]}`)},
		{"empty-strings", fill(`{"a":[`, `"",`, `""`, `]}`)},
		{"long-string", fill(`{"a":"`, `x`, ``, `"}`)},
		{"many-keys", keys(`{`, `}`)},
		{"many-servers", keys(`{"mcpServers":{`, `}}`)},
		{"escaped-names", fill(`{"mcpServers":{`, `"\u0061":0,`, `"b":0`, `}}`)},
		{"deep-nesting", fill(`{"a":[`, deep+`,`, `[]`, `]}`)},
		{"line-comments", fill(`{"a":0`, "//\n", ``, `}`)},
		{"block-comments", fill(`{"a":0`, `/**/`, ``, `}`)},
		{"blank-lines", fill(`{"a":0`, "\n", ``, `}`)},
		{"huge-entry-field", fill(`{"mcpServers":{"codegraph":{"args":[`, `[],`, `[]`, `]}}}`)},
	}
}

// BenchmarkHostileSetRevert edits a file of the largest size the installer
// reads, of every hostile shape: Set (with its own check by Revert) and then
// Revert, as an install and an uninstall do. alloc-B/in-B is the memory
// allocated per input byte (the target is at most about 20); ns/op the
// time of both (the target is under 2 s).
//
//	go test -run '^$' -bench HostileSetRevert -benchtime 3x ./installer/jsonc
func BenchmarkHostileSetRevert(b *testing.B) {
	for _, sh := range hostileShapes(maxConfigSize) {
		b.Run(sh.name, func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				setRevert(b, sh.doc)
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(sh.doc)), "alloc-B/in-B")
		})
	}
}

func setRevert(tb testing.TB, doc []byte) {
	out, undo, changed, err := Set(doc, mcpPath, claudeFields)
	if err != nil || !changed {
		tb.Fatalf("Set: changed=%v err=%v", changed, err)
	}
	back, _, err := Revert(out, undo)
	if err != nil || !bytes.Equal(back, doc) {
		tb.Fatalf("Revert: %v", err)
	}
}

// TestHostileAllocationBounded: an edit of a 1 MiB hostile document of any
// shape allocates at most 20 bytes per input byte (memory is deterministic,
// so this holds on any machine; the benchmark above shows the time). Not
// parallel: the process-wide allocation counter must see only this test.
func TestHostileAllocationBounded(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates for itself: bounded in the run without -race")
	}
	for _, sh := range hostileShapes(1 << 20) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		setRevert(t, sh.doc)
		runtime.ReadMemStats(&after)
		if perByte := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(sh.doc)); perByte > 20 {
			t.Errorf("%s: %.1f bytes allocated per input byte, want at most 20", sh.name, perByte)
		}
	}
}

// BenchmarkRefuseDeepNesting is the cost of refusing deepDocument, as an
// install's Set, an uninstall's Revert and doctor's Validate do.
//
//	go test -run '^$' -bench RefuseDeepNesting ./installer/jsonc
func BenchmarkRefuseDeepNesting(b *testing.B) {
	deep := deepDocument()
	for b.Loop() {
		_, _, _, err := Set(deep, mcpPath, claudeFields)
		_, _, rerr := Revert(deep, Undo{Path: mcpPath})
		if err == nil || rerr == nil || Validate(deep) == nil {
			b.Fatal("accepted")
		}
	}
}
