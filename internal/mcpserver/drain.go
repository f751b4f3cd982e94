package mcpserver

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
	"time"
)

// DrainTimeout bounds how long the end of input waits for the answers to
// requests already read: a host that closes stdin waits about 2 s before
// it sends SIGTERM (see Serve), so the process is gone before that.
const DrainTimeout = 1500 * time.Millisecond

// The SDK ends the session as soon as its reader meets the end of input,
// cancelling what is still running: `initialize`, `notifications/initialized`
// and `tools/list` piped in one write got only the first answer. So the
// transport's reader holds the end of input back until every request read
// has been answered (or DrainTimeout has passed), counting requests as
// they are read and answers as they are written. Both sides see one whole
// JSON-RPC message per line (the stdio transport's framing, MCP
// specification 2025-06-18, "Transports": "Messages are delimited by
// newlines").

// inflight counts requests read and not yet answered.
type inflight struct {
	mu      sync.Mutex
	waiting int
	idle    chan struct{} // closed and replaced whenever waiting drops to 0
}

func newInflight() *inflight { return &inflight{idle: make(chan struct{})} }

func (f *inflight) add(n int) {
	if n == 0 {
		return
	}
	f.mu.Lock()
	f.waiting += n
	f.mu.Unlock()
}

func (f *inflight) done(n int) {
	if n == 0 {
		return
	}
	f.mu.Lock()
	f.waiting -= n
	if f.waiting <= 0 {
		f.waiting = 0
		close(f.idle)
		f.idle = make(chan struct{})
	}
	f.mu.Unlock()
}

// wait returns once nothing is waiting for an answer, or after d.
func (f *inflight) wait(d time.Duration) {
	f.mu.Lock()
	if f.waiting == 0 {
		f.mu.Unlock()
		return
	}
	idle := f.idle
	f.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	}
}

// message is what counting needs of a JSON-RPC message.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// count returns the requests (a method and an id) and the responses (an id
// and a result or an error, no method) in one line: a message or a batch.
func count(line []byte) (requests, responses int) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return 0, 0
	}
	var msgs []message
	if line[0] == '[' {
		if json.Unmarshal(line, &msgs) != nil {
			return 0, 0
		}
	} else {
		var m message
		if json.Unmarshal(line, &m) != nil {
			return 0, 0
		}
		msgs = []message{m}
	}
	for _, m := range msgs {
		hasID := len(m.ID) > 0 && string(m.ID) != "null"
		switch {
		case m.Method != "" && hasID:
			requests++
		case m.Method == "" && hasID && (m.Result != nil || m.Error != nil):
			responses++
		}
	}
	return requests, responses
}

// lines splits what passes through into whole lines for fn, keeping a
// partial line until its end arrives.
type lines struct {
	partial []byte
}

func (l *lines) feed(b []byte, fn func(line []byte)) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.partial = append(l.partial, b...)
			return
		}
		if len(l.partial) > 0 {
			fn(append(l.partial, b[:i]...))
			l.partial = l.partial[:0]
		} else {
			fn(b[:i])
		}
		b = b[i+1:]
	}
}

// drainingReader is the client's side: it counts requests, and holds the
// end of input back until they are answered.
type drainingReader struct {
	r       io.Reader
	f       *inflight
	timeout time.Duration
	split   lines
	eof     error // met, not yet returned
}

func (d *drainingReader) Read(b []byte) (int, error) {
	if d.eof != nil {
		d.f.wait(d.timeout)
		return 0, d.eof
	}
	n, err := d.r.Read(b)
	d.split.feed(b[:n], func(line []byte) {
		req, _ := count(line)
		d.f.add(req)
	})
	if err != nil {
		// A last line without its newline is read as a message too.
		if req, _ := count(d.split.partial); req > 0 {
			d.f.add(req)
			d.split.partial = d.split.partial[:0]
		}
		if n > 0 {
			// The bytes first: the server must read them before there
			// is anything to wait for.
			d.eof = err
			return n, nil
		}
		d.f.wait(d.timeout)
	}
	return n, err
}

// countingWriter is the server's side: it counts the answers written, and
// calls first (if set) once the first one is out.
type countingWriter struct {
	w     io.Writer
	f     *inflight
	split lines
	first func()
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.split.feed(b[:n], func(line []byte) {
		_, resp := count(line)
		c.f.done(resp)
		if resp > 0 && c.first != nil {
			first := c.first
			c.first = nil
			first()
		}
	})
	return n, err
}
