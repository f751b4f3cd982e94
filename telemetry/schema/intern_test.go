package schema

import (
	"testing"
)

// TestKnownTableHasEverySchemaWordAndNothingElse: every key and closed-set
// value of the schema is found, as the right kind; near misses are not.
func TestKnownTableHasEverySchemaWordAndNothingElse(t *testing.T) {
	t.Parallel()
	known := knownWords()
	fields := Envelope()
	for _, e := range Events() {
		if v, ok := known.value([]byte(e.Name)); !ok || v != e.Name {
			t.Errorf("event name %q not known as a value", e.Name)
		}
		fields = append(fields, e.Props...)
	}
	for _, f := range fields {
		if k, ok := known.key([]byte(f.Name)); !ok || k != f.Name {
			t.Errorf("key %q not known", f.Name)
		}
		for _, v := range f.Enum {
			if got, ok := known.value([]byte(v)); !ok || got != v {
				t.Errorf("value %q not known", v)
			}
		}
	}
	for _, miss := range []string{"", "event_", "Event", "tss", "machine_i", "go ", "<100 ", "usage_rollup\x00"} {
		if _, ok := known.key([]byte(miss)); ok && miss != "" {
			t.Errorf("%q known as a key", miss)
		}
		if _, ok := known.value([]byte(miss)); ok {
			t.Errorf("%q known as a value", miss)
		}
	}
	// A key is not a value and the other way round.
	if _, ok := known.value([]byte("machine_id")); ok {
		t.Error("machine_id known as a value")
	}
	if _, ok := known.key([]byte("install")); ok {
		t.Error("install known as a key")
	}
}
