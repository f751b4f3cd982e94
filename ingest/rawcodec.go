package ingest

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// The props of a raw row are one BLOB in a compact binary form, about a
// third the size of their JSON: each prop is a header varint, key<<3|tag,
// followed by its value. Keys, event names and values from the schema's
// closed sets are numbers from the words table (bounded by the schema, so
// nobody can grow it); free-form strings (tool names, client labels,
// targets) are written inline, so deleting a row frees all it held.
//
//	tag 0  string, inline: uvarint length, bytes
//	tag 1  string, a word: uvarint word id
//	tag 2  integer: zig-zag varint
//	tag 3  false
//	tag 4  true
//	tag 5  list of inline strings: uvarint count, then each as in tag 0
//	tag 6  list of words: uvarint count, then uvarint word ids
//
// Props are written in key order, so equal props give equal bytes.
const (
	tagString     = 0
	tagWord       = 1
	tagInt        = 2
	tagFalse      = 3
	tagTrue       = 4
	tagStringList = 5
	tagWordList   = 6
)

// propOrder lists, per event, the schema's props in name order, each with
// whether its values come from a closed set (and are therefore stored as
// words): encodeProps walks it instead of sorting each event's keys.
var propOrder = func() map[string][]propSpec {
	out := map[string][]propSpec{}
	for _, e := range schema.Events() {
		var ps []propSpec
		for _, p := range e.Props {
			ps = append(ps, propSpec{p.Name, len(p.Enum) > 0})
		}
		slices.SortFunc(ps, func(a, b propSpec) int { return strings.Compare(a.name, b.name) })
		out[e.Name] = ps
	}
	return out
}()

type propSpec struct {
	name   string
	closed bool
}

// wordTable maps the schema-bounded strings of raw rows to small numbers.
// Request goroutines look words up while preparing rows (a lock-free read
// of an immutable snapshot); a new word gets the next id under the lock and
// waits in pending until the writer stores it, in the transaction of the
// first rows that use it or an earlier one.
type wordTable struct {
	ids     atomic.Pointer[map[string]int64]
	mu      sync.Mutex
	next    int64
	pending []word
}

type word struct {
	id   int64
	word string
}

// loadWords reads the words table.
func loadWords(ctx context.Context, conn *sql.Conn) (*wordTable, error) {
	t := &wordTable{next: 1}
	m := map[string]int64{}
	rows, err := conn.QueryContext(ctx, `SELECT id, word FROM words`)
	if err != nil {
		return nil, fmt.Errorf("read words: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var w word
		if err := rows.Scan(&w.id, &w.word); err != nil {
			return nil, fmt.Errorf("read words: %w", err)
		}
		m[w.word] = w.id
		t.next = max(t.next, w.id+1)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read words: %w", err)
	}
	t.ids.Store(&m)
	return t, nil
}

func (t *wordTable) word(s string) int64 {
	if id, ok := (*t.ids.Load())[s]; ok {
		return id
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.ids.Load()
	if id, ok := old[s]; ok {
		return id
	}
	m := maps.Clone(old)
	id := t.next
	t.next++
	m[s] = id
	t.ids.Store(&m)
	t.pending = append(t.pending, word{id, s})
	return id
}

// takePending hands the words not yet stored to the writer.
func (t *wordTable) takePending() []word {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.pending
	t.pending = nil
	return p
}

// putBack returns words whose transaction failed.
func (t *wordTable) putBack(words []word) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(words, t.pending...)
}

// encodeProps appends the compact form of one event's cleaned props to dst.
// Values are what schema.CleanEvent leaves: string, int64, bool, []string,
// under the event's allowlisted keys.
func encodeProps(dst []byte, event string, props map[string]any, words *wordTable) ([]byte, error) {
	specs := propOrder[event]
	found := 0
	for _, p := range specs {
		v, ok := props[p.name]
		if !ok {
			continue
		}
		found++
		key := uint64(words.word(p.name)) << 3
		switch v := v.(type) {
		case string:
			if p.closed {
				dst = binary.AppendUvarint(dst, key|tagWord)
				dst = binary.AppendUvarint(dst, uint64(words.word(v)))
			} else {
				dst = binary.AppendUvarint(dst, key|tagString)
				dst = appendString(dst, v)
			}
		case int64:
			dst = binary.AppendUvarint(dst, key|tagInt)
			dst = binary.AppendVarint(dst, v)
		case bool:
			tag := uint64(tagFalse)
			if v {
				tag = tagTrue
			}
			dst = binary.AppendUvarint(dst, key|tag)
		case []string:
			if p.closed {
				dst = binary.AppendUvarint(dst, key|tagWordList)
				dst = binary.AppendUvarint(dst, uint64(len(v)))
				for _, s := range v {
					dst = binary.AppendUvarint(dst, uint64(words.word(s)))
				}
			} else {
				dst = binary.AppendUvarint(dst, key|tagStringList)
				dst = binary.AppendUvarint(dst, uint64(len(v)))
				for _, s := range v {
					dst = appendString(dst, s)
				}
			}
		default:
			return nil, fmt.Errorf("prop %s of %s: unexpected type %T", p.name, event, v)
		}
	}
	if found != len(props) {
		return nil, fmt.Errorf("event %s: props outside the schema", event)
	}
	return dst, nil
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

var errCorruptProps = errors.New("corrupt props blob")

// decodeProps reverses encodeProps.
func decodeProps(b []byte, words map[int64]string) (map[string]any, error) {
	out := map[string]any{}
	uv := func() (uint64, error) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, errCorruptProps
		}
		b = b[n:]
		return v, nil
	}
	str := func() (string, error) {
		n, err := uv()
		if err != nil || n > uint64(len(b)) {
			return "", errCorruptProps
		}
		s := string(b[:n])
		b = b[n:]
		return s, nil
	}
	word := func() (string, error) {
		id, err := uv()
		if err != nil {
			return "", err
		}
		w, ok := words[int64(id)]
		if !ok {
			return "", fmt.Errorf("%w: unknown word %d", errCorruptProps, id)
		}
		return w, nil
	}
	for len(b) > 0 {
		h, err := uv()
		if err != nil {
			return nil, err
		}
		key, ok := words[int64(h>>3)]
		if !ok {
			return nil, fmt.Errorf("%w: unknown key %d", errCorruptProps, h>>3)
		}
		switch h & 7 {
		case tagString:
			out[key], err = str()
		case tagWord:
			out[key], err = word()
		case tagInt:
			v, n := binary.Varint(b)
			if n <= 0 {
				return nil, errCorruptProps
			}
			b = b[n:]
			out[key] = v
		case tagFalse:
			out[key] = false
		case tagTrue:
			out[key] = true
		case tagStringList, tagWordList:
			n, err := uv()
			if err != nil || n > uint64(len(b)) {
				return nil, errCorruptProps
			}
			list := make([]string, 0, n)
			for range n {
				var s string
				if h&7 == tagStringList {
					s, err = str()
				} else {
					s, err = word()
				}
				if err != nil {
					return nil, err
				}
				list = append(list, s)
			}
			out[key] = list
		default:
			return nil, fmt.Errorf("%w: tag %d", errCorruptProps, h&7)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
