package telemetry

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"
)

// The log of what was sent, ~/.codegraph/telemetry-sent.jsonl, is for the
// user and for auditors (`codegraph telemetry log`): each request that
// left the machine, its body exactly as sent, the time and the HTTP status.
// The sender only ever appends to it: nothing in it is read back into a
// request, so a damaged or hostile log changes nothing that is sent.
//
// It is bounded like the queue and written with the same care: under the
// queue's lock, whole lines appended to a regular file opened without
// following a symlink, and trimmed (the oldest lines dropped) by an atomic
// rewrite. `telemetry off` and `reset` delete it with the queue.
const (
	// SentLogCap bounds the log file; past it the oldest lines are dropped.
	SentLogCap = 256 << 10
	// SentLogAge is how long a request stays in the log.
	SentLogAge = 30 * 24 * time.Hour
	// sentLogTrimTo is what a trim keeps: a full log is rewritten once per
	// 128 KiB of requests, not at every request.
	sentLogTrimTo = SentLogCap / 2
)

// SentRequest is one request that left the machine, as the log keeps it.
type SentRequest struct {
	Time time.Time
	// Status is the endpoint's HTTP status; 0 when no answer came (the
	// request was handed to a connection, which then failed: the body may
	// have arrived).
	Status   int
	Endpoint string
	// Body is the request body exactly as sent.
	Body string
}

// sentLine is one line of the log; the field order is the line's, time
// first (recordSent reads the oldest line's time from the file's start).
type sentLine struct {
	Time     *string `json:"time"`
	Status   *int    `json:"status"`
	Endpoint *string `json:"endpoint"`
	Body     *string `json:"body"`
}

const sentLineStart = `{"time":"`

// appendSentLine renders one request as a line of the log, the keys in
// sentLine's order. The body is a JSON string: decoding it gives back the
// bytes that were sent (bodies are JSON themselves, so valid UTF-8). It is
// written by hand, not by encoding sentLine, which would cost each sending
// process the first use of a struct encoder.
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

// parseSentLine reads one line of the log: a JSON object with exactly the
// keys time (RFC 3339), status (an HTTP status, or null for no answer),
// endpoint and body (strings). Anything else is skipped by its callers.
func parseSentLine(line []byte) (SentRequest, bool) {
	var l sentLine
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if dec.Decode(&l) != nil || l.Time == nil || l.Endpoint == nil || l.Body == nil {
		return SentRequest{}, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return SentRequest{}, false // trailing data
	}
	t, err := time.Parse(time.RFC3339Nano, *l.Time)
	if err != nil {
		return SentRequest{}, false
	}
	r := SentRequest{Time: t.UTC(), Endpoint: *l.Endpoint, Body: *l.Body}
	if l.Status != nil {
		if *l.Status < 100 || *l.Status > 599 {
			return SentRequest{}, false
		}
		r.Status = *l.Status
	}
	return r, true
}

// parseSentLog returns the requests of a log's content in order, skipping
// lines that do not parse.
func parseSentLog(data []byte) []SentRequest {
	var out []SentRequest
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if r, ok := parseSentLine(line); ok {
			out = append(out, r)
		}
	}
	return out
}

// youngerThan reports whether the log's first (oldest) line is dated at
// or after cutoff, reading its time from the file's start only.
func youngerThan(f *os.File, cutoff time.Time) bool {
	buf := make([]byte, len(sentLineStart)+len(time.RFC3339Nano)+1)
	n, _ := f.ReadAt(buf, 0)
	rest, ok := bytes.CutPrefix(buf[:n], []byte(sentLineStart))
	ts, _, found := bytes.Cut(rest, []byte{'"'})
	if !ok || !found {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, string(ts))
	return err == nil && !t.Before(cutoff)
}

// recordSent appends r to the log under the queue's lock. When the line
// would take the log past SentLogCap, or its oldest line is older than
// SentLogAge (or does not parse), the log is rewritten first with only the
// newest lines that fit in sentLogTrimTo and are young enough.
func (q queue) recordSent(r SentRequest) error {
	line := appendSentLine(nil, r)
	if len(line) > SentLogCap {
		return errors.New("too large for the log") // cannot happen: a body is at most 64 KiB
	}
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
	data, err := readTail(f, fi.Size(), sentLogTrimTo-len(line))
	f.Close()
	if err != nil {
		return err
	}
	var kept []byte
	for len(data) > 0 {
		var l []byte
		l, data, _ = bytes.Cut(data, []byte{'\n'})
		if old, ok := parseSentLine(l); ok && !old.Time.Before(cutoff) {
			kept = append(append(kept, l...), '\n')
		}
	}
	return q.rewrite(path, append(kept, line...), "sentlog")
}

// Sent returns the requests that left this machine in the last SentLogAge,
// oldest first, as the log keeps them (`codegraph telemetry log`). Lines
// that do not parse are skipped; of a log larger than SentLogCap only the
// newest lines within it are read. The error describes a file that stands
// in the log's place and cannot be read (a link, a FIFO, a directory);
// no log is no error.
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
	if err != nil {
		return nil, err
	}
	return parseSentLog(data), nil
}
