package telemetry

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"time"
)

// The log of what was sent, ~/.codegraph/telemetry-sent.jsonl, is for the
// user and for auditors (`codegraph telemetry log`): each request that left
// the machine, its body exactly as sent, its time and HTTP status. The
// sender only appends to it, so a damaged or hostile log changes nothing
// that is sent. It is written like the queue: under its lock, whole lines
// appended to a regular file opened without following a link, trimmed by
// an atomic rewrite.
const (
	SentLogCap    = 256 << 10           // past it the oldest lines are dropped
	SentLogAge    = 30 * 24 * time.Hour // how long a request stays in the log
	sentLogTrimTo = SentLogCap / 2      // a full log is rewritten once per 128 KiB of requests
)

// SentRequest is one request that left the machine. Status is the HTTP
// status, 0 when no answer came (the request was handed to a connection
// that then failed: the body may have arrived).
type SentRequest struct {
	Time     time.Time
	Status   int
	Endpoint string
	Body     string // exactly as sent
}

const sentLineStart = `{"time":"`

// appendSentLine renders r as a line of the log, time first (recordSent
// reads the oldest line's time from the file's start), by hand: encoding a
// struct would cost each sending process a first use of its encoder.
func appendSentLine(buf []byte, r SentRequest) []byte {
	buf = r.Time.UTC().AppendFormat(append(buf, sentLineStart...), time.RFC3339Nano)
	if buf = append(buf, `","status":`...); r.Status != 0 {
		buf = strconv.AppendInt(buf, int64(r.Status), 10)
	} else {
		buf = append(buf, "null"...)
	}
	buf = append(append(buf, `,"endpoint":`...), mustJSON(r.Endpoint)...)
	buf = append(append(buf, `,"body":`...), mustJSON(r.Body)...)
	return append(buf, "}\n"...)
}

// parseSentLine reads one line of the log: an object with time (RFC 3339),
// status (an HTTP status, or null), endpoint and body (strings).
func parseSentLine(line []byte) (SentRequest, bool) {
	var l struct {
		Time, Endpoint, Body *string
		Status               *int
	}
	if json.Unmarshal(line, &l) != nil || l.Time == nil || l.Endpoint == nil || l.Body == nil {
		return SentRequest{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, *l.Time)
	r := SentRequest{Time: t.UTC(), Endpoint: *l.Endpoint, Body: *l.Body}
	if l.Status != nil {
		r.Status = *l.Status
	}
	return r, err == nil && (l.Status == nil || r.Status >= 100 && r.Status <= 599)
}

// sentLines calls keep for each line of data that parses.
func sentLines(data []byte, keep func(line []byte, r SentRequest)) {
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if r, ok := parseSentLine(line); ok {
			keep(line, r)
		}
	}
}

// youngerThan reports whether the log's first (oldest) line is dated at or
// after cutoff, reading only the file's start.
func youngerThan(f *os.File, cutoff time.Time) bool {
	buf := make([]byte, len(sentLineStart)+len(time.RFC3339Nano)+1)
	n, _ := f.ReadAt(buf, 0)
	rest, ok := bytes.CutPrefix(buf[:n], []byte(sentLineStart))
	ts, _, found := bytes.Cut(rest, []byte{'"'})
	t, err := time.Parse(time.RFC3339Nano, string(ts))
	return ok && found && err == nil && !t.Before(cutoff)
}

// recordSent appends r to the log. When that would take the log past
// SentLogCap, or its oldest line is older than SentLogAge (or does not
// parse), it is rewritten with only the newest lines that fit in
// sentLogTrimTo and are young enough.
func (q queue) recordSent(r SentRequest) error {
	line := appendSentLine(nil, r)
	unlock, err := q.lock()
	if err != nil {
		return err
	}
	defer unlock()
	path := q.dir.SentLog()
	f, fi, err := openFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE)
	if err != nil {
		return err
	}
	cutoff := r.Time.Add(-SentLogAge)
	if fi.Size() == 0 || fi.Size()+int64(len(line)) <= SentLogCap && youngerThan(f, cutoff) {
		_, err := f.Write(line)
		f.Close()
		return err
	}
	data, err := readTail(f, fi.Size(), max(0, sentLogTrimTo-len(line)))
	f.Close()
	if err != nil {
		return err
	}
	var kept []byte
	sentLines(data, func(l []byte, old SentRequest) {
		if !old.Time.Before(cutoff) {
			kept = append(append(kept, l...), '\n')
		}
	})
	return q.rewrite(path, append(kept, line...), "sentlog")
}

// Sent returns the requests in the log, oldest first, skipping lines that
// do not parse; of a log larger than SentLogCap only its newest lines. The
// error describes a file standing in its place that cannot be read (a
// link, a FIFO, a directory); no log is no error.
func (c *Client) Sent() ([]SentRequest, error) {
	if c == nil {
		return nil, nil
	}
	if err := c.dir.Check(); err != nil {
		return nil, err // nothing is read through it
	}
	data, _, err := readFile(c.dir.SentLog(), SentLogCap)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var out []SentRequest
	sentLines(data, func(_ []byte, r SentRequest) { out = append(out, r) })
	return out, err
}
