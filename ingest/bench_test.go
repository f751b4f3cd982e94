package ingest

import (
	"testing"
)

// BenchmarkValidateBatch parses and validates a realistic full request:
// 100 mixed events, the most one request may carry.
func BenchmarkValidateBatch(b *testing.B) {
	in := []byte(body("", mixedEvents(100)...))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		batch, _, derr, ok := Decode(in, fixedNow)
		if !ok || len(batch.Events) != 100 {
			b.Fatalf("decode: %v, %d events", derr, len(batch.Events))
		}
	}
	b.ReportMetric(float64(b.N)*100/b.Elapsed().Seconds(), "events/s")
}
