package schema

import (
	"fmt"
	"sync"
)

// knownWords returns, read-only, every key and closed-set value the schema
// defines. The parser looks there first, so a body made of the schema's own
// words needs no per-request intern table and no allocation for them. It is
// a small open-addressing table rather than a Go map: a lookup is a few byte
// reads and one comparison instead of a full string hash, and it runs for
// nearly every key and value received. It is built on first use, so a
// process that never parses a body or a queue line never pays for it.
var knownWords = sync.OnceValue(buildKnown)

// knownSlots is a power of two comfortably above the schema's ~80 words,
// so probe runs stay short.
const knownSlots = 512

type knownTable struct {
	keys [knownSlots]string
	vals [knownSlots]any // the boxed value, for closed-set values
	isV  [knownSlots]bool
	isK  [knownSlots]bool
}

// knownHash mixes the length and three bytes: enough to spread the
// schema's words, cheap enough to beat hashing the whole string.
func knownHash(b []byte) uint {
	n := uint(len(b))
	if n == 0 {
		return 0
	}
	return (n*131 + uint(b[0])*31 + uint(b[n-1])*7 + uint(b[n/2])*3) & (knownSlots - 1)
}

func (t *knownTable) slot(b []byte) (int, bool) {
	for i, probes := knownHash(b), 0; probes < knownSlots; i, probes = (i+1)&(knownSlots-1), probes+1 {
		if t.keys[i] == "" {
			return int(i), false
		}
		if t.keys[i] == string(b) { // compared without allocating
			return int(i), true
		}
	}
	return 0, false
}

func (t *knownTable) add(word string, asKey, asValue bool) {
	i, found := t.slot([]byte(word))
	if !found {
		t.keys[i] = word
		t.vals[i] = word
	}
	t.isK[i] = t.isK[i] || asKey
	t.isV[i] = t.isV[i] || asValue
}

// key returns the schema's own string for a key spelled b.
func (t *knownTable) key(b []byte) (string, bool) {
	i, found := t.slot(b)
	if !found || !t.isK[i] {
		return "", false
	}
	return t.keys[i], true
}

// value returns the schema's boxed string for a closed-set value spelled b.
func (t *knownTable) value(b []byte) (any, bool) {
	i, found := t.slot(b)
	if !found || !t.isV[i] {
		return nil, false
	}
	return t.vals[i], true
}

func buildKnown() *knownTable {
	buildIndexes() // see eventIndex: the rules are read after it
	t := &knownTable{}
	for _, k := range []string{KeyEvents, KeyEvent, KeyTS, KeyProps} {
		t.add(k, true, false)
	}
	fields := append([]Field(nil), envelope...)
	for _, e := range events {
		t.add(e.Name, false, true)
		fields = append(fields, e.Props...)
	}
	for _, f := range fields {
		t.add(f.Name, true, false)
		for _, v := range f.Enum {
			t.add(v, false, true)
		}
	}
	n := 0
	for _, k := range t.keys {
		if k != "" {
			n++
		}
	}
	if n > knownSlots/2 {
		panic(fmt.Sprintf("schema: %d schema words need a larger known table", n))
	}
	return t
}
