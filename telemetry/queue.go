package telemetry

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Queue limits, as TELEMETRY.md states them: the queue file never holds
// more than 256 KiB (oldest lines dropped), and a claim left by a process that
// died is merged back after an hour.
const (
	// QueueCap bounds the queue file; past it the oldest lines are dropped.
	QueueCap = 256 << 10
	// compactTo is what a compaction keeps, so that a full queue is
	// rewritten once per 64 KiB of appends, not on every append.
	compactTo = QueueCap * 3 / 4
	// StaleClaim is when a claim left by a sender that died is merged back.
	StaleClaim = time.Hour
)

// entry is one queue line and one event of a request: the wire shape.
type entry struct {
	Event string         `json:"event"`
	TS    string         `json:"ts"`
	Props map[string]any `json:"props"`
}

// parseLine reads one queue line with the schema's strict parser, the one
// the ingest reads bodies with. Anything that is not an event the schema
// accepts, with a parsable time, is skipped: a damaged or hand-edited queue
// can never make the client send something outside the allowlist. Keys
// other than event, ts and props are ignored (a line is rewritten with
// those three only).
func parseLine(line []byte) (entry, bool) {
	ev, err := schema.ParseEvent(line)
	if err != nil {
		return entry{}, false
	}
	name, _ := ev.Name.(string)
	ts, ok := ev.TS.(string)
	if !ok {
		return entry{}, false
	}
	if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
		return entry{}, false
	}
	var props map[string]any
	switch p := ev.Props.(type) {
	case map[string]any:
		props = p
	case nil:
	default:
		return entry{}, false
	}
	props, _, ok = schema.CleanEvent(name, props)
	if !ok {
		return entry{}, false
	}
	return entry{Event: name, TS: ts, Props: props}, true
}

// marshalEntry renders an entry as one line (keys sorted, so output is stable).
func marshalEntry(e entry) []byte { return appendEntry(nil, e) }

// queue is the file of buffered events of one state directory.
type queue struct{ dir statedir.Dir }

func (q queue) locked(fn func() error) error {
	unlock, err := lockFile(q.dir.QueueLock())
	if errors.Is(err, fs.ErrNotExist) {
		// First use: create the 0700 state directory, then lock. Doing it
		// only here keeps two syscalls off every persist.
		if err := q.dir.Ensure(); err != nil {
			return err
		}
		unlock, err = lockFile(q.dir.QueueLock())
	}
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// appendEntries adds whole lines with O_APPEND and compacts only when the
// file has grown past the cap.
func (q queue) appendEntries(entries []entry) error {
	if len(entries) == 0 {
		return nil
	}
	buf := make([]byte, 0, 256*len(entries))
	for _, e := range entries {
		buf = appendEntry(buf, e)
		buf = append(buf, '\n')
	}
	return q.locked(func() error { return q.appendLocked(buf) })
}

func (q queue) appendLocked(data []byte) error {
	_, err := appendFile(q.dir.Queue(), data)
	return err
}

// keepNewest returns the newest whole lines of data that fit in max bytes.
// It cuts by bytes only: lines are validated when they are read for sending,
// so parsing them here would only make a full queue slow to append to.
func keepNewest(data []byte, max int) []byte {
	if len(data) <= max {
		return data
	}
	cut := len(data) - max
	if i := bytes.IndexByte(data[cut:], '\n'); i >= 0 {
		return data[cut+i+1:]
	}
	return nil
}

// parseLines parses every line once and returns those that parse, both as
// entries and as their raw bytes, in order; corrupt ones are skipped
// without a word.
func parseLines(data []byte) (entries []entry, raw [][]byte) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		if e, ok := parseLine(line); ok {
			entries = append(entries, e)
			raw = append(raw, line)
		}
	}
	return entries, raw
}

// readEntries parses a queue or claim file; a missing file is empty.
func readEntries(path string) []entry {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	entries, _ := parseLines(data)
	return entries
}

// claim renames the queue to a claim file of this sender, after merging back
// claims whose sender died more than an hour ago. It returns "" when there
// is nothing to send.
func (q queue) claim(now time.Time) (string, error) {
	var claimed string
	err := q.locked(func() error {
		q.mergeStaleLocked(now)
		path := q.dir.Sending(uuid.NewString())
		if err := os.Rename(q.dir.Queue(), path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		claimed = path
		return nil
	})
	return claimed, err
}

func (q queue) mergeStaleLocked(now time.Time) {
	matches, _ := filepath.Glob(q.dir.SendingPattern())
	for _, m := range matches {
		fi, err := os.Stat(m)
		if err != nil || now.Sub(fi.ModTime()) < StaleClaim {
			continue
		}
		data, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		var buf bytes.Buffer
		_, lines := parseLines(data)
		for _, l := range lines {
			buf.Write(l)
			buf.WriteByte('\n')
		}
		if buf.Len() == 0 || q.appendLocked(buf.Bytes()) == nil {
			os.Remove(m)
		}
	}
}

// staleClaims returns the claims the next flush would merge back.
func (q queue) staleClaims(now time.Time) []string {
	matches, _ := filepath.Glob(q.dir.SendingPattern())
	var out []string
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && now.Sub(fi.ModTime()) >= StaleClaim {
			out = append(out, m)
		}
	}
	return out
}

// removeAll deletes the queue and every claim: `telemetry off` and reset.
func (q queue) removeAll() error {
	var errs []error
	paths, _ := filepath.Glob(q.dir.SendingPattern())
	paths = append(paths, q.dir.Queue(), q.dir.QueueLock())
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pendingEntries is everything buffered on disk: the queue and all claims.
func (q queue) pendingEntries() []entry {
	paths, _ := filepath.Glob(q.dir.SendingPattern())
	out := readEntries(q.dir.Queue())
	for _, p := range paths {
		out = append(out, readEntries(p)...)
	}
	return out
}
