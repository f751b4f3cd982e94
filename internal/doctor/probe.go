package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// probeFailure is why a started server did not complete the handshake.
type probeFailure struct {
	problem string
	hint    string // the next step, %s is the command line
}

func (p *probeFailure) next(cmdline string) string {
	if strings.Contains(p.hint, "%s") {
		return fmt.Sprintf(p.hint, cmdline)
	}
	return p.hint
}

// probe starts bin with args, env and working directory dir, and completes
// an MCP initialize and tools/list within timeout, with the official Go SDK
// as the client. It returns the number of tools listed, or why it failed:
// the program could not start, it exited first, it wrote something other
// than MCP to stdout, or it did not answer in time.
func probe(ctx context.Context, bin string, args, env []string, dir string, timeout time.Duration, version string) (int, *probeFailure) {
	// Our own pipes, not cmd.StdoutPipe: Wait must not close the reading
	// end under the client when a server exits at once.
	inR, inW, err := os.Pipe()
	if err != nil {
		return 0, &probeFailure{problem: err.Error(), hint: "run codegraph doctor again"}
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return 0, &probeFailure{problem: err.Error(), hint: "run codegraph doctor again"}
	}
	stderr := &tail{max: 2048}
	cmd := exec.Command(bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, stderr
	cmd.Env, cmd.Dir = env, dir
	ownGroup(cmd)
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return 0, startFailure(bin, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		killGroup(cmd)
		<-exited
	}

	out := &recorder{r: outR, max: 4096}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "codegraph-doctor", Version: version}, nil)
	stage := "initialize"
	session, err := client.Connect(ctx, &mcp.IOTransport{Reader: out, Writer: inW}, nil)
	tools := 0
	if err == nil {
		stage = "tools/list"
		var res *mcp.ListToolsResult
		if res, err = session.ListTools(ctx, nil); err == nil {
			tools = len(res.Tools)
		}
	}
	if err == nil {
		// Done: close stdin, as an agent quitting does; a well-behaved
		// server exits within 2 s.
		_ = session.Close()
		select {
		case <-exited:
		case <-time.After(2 * time.Second):
			stop()
		}
		return tools, nil
	}
	// Failed: let an exiting server finish dying, so its status is known.
	select {
	case <-exited:
	case <-time.After(200 * time.Millisecond):
	}
	var f *probeFailure
	select {
	case <-exited:
		if junk := out.junk(); junk != "" {
			f = junkFailure(junk)
		} else {
			f = &probeFailure{problem: fmt.Sprintf("the server exited (%s) before answering %s%s", exitStatus(waitErr), stage, stderr.last()),
				hint: "run `%s` in a terminal to see why it stops"}
		}
	default:
		switch {
		case out.junk() != "":
			f = junkFailure(out.junk())
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			f = &probeFailure{problem: fmt.Sprintf("no answer to %s within %s%s", stage, timeout, stderr.last()),
				hint: "run `%s` in a terminal: it must answer MCP on stdin and stdout"}
		default:
			f = &probeFailure{problem: fmt.Sprintf("the MCP %s failed: %v%s", stage, err, stderr.last()),
				hint: "run `%s` in a terminal to see what it does"}
		}
		stop()
	}
	inW.Close()
	outR.Close()
	return 0, f
}

func junkFailure(junk string) *probeFailure {
	return &probeFailure{problem: fmt.Sprintf("the server wrote something other than MCP to stdout: %q", junk),
		hint: "stdout must carry protocol messages only; run `%s` in a terminal to see what it prints"}
}

func startFailure(bin string, err error) *probeFailure {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &probeFailure{problem: bin + " does not exist", hint: "install codegraph again (make install), then run codegraph-install again"}
	case errors.Is(err, os.ErrPermission):
		return &probeFailure{problem: bin + " is not executable", hint: "make it executable (chmod +x), or run codegraph-install again"}
	case errors.Is(err, syscall.ENOEXEC):
		return &probeFailure{problem: bin + " is not a program this system can run", hint: "install codegraph for this system, then run codegraph-install again"}
	}
	return &probeFailure{problem: fmt.Sprintf("%s could not start: %v", bin, err), hint: "run `%s` in a terminal to see why"}
}

func exitStatus(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.Exited() {
			return fmt.Sprintf("status %d", ee.ExitCode())
		}
		return ee.String()
	}
	if err == nil {
		return "status 0"
	}
	return err.Error()
}

// recorder passes the server's stdout to the client and keeps its first
// bytes, to tell a server that writes something else from one that is
// silent.
type recorder struct {
	r   io.ReadCloser
	max int
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.mu.Lock()
	if room := r.max - r.buf.Len(); room > 0 {
		r.buf.Write(p[:min(n, room)])
	}
	r.mu.Unlock()
	return n, err
}

func (r *recorder) Close() error { return r.r.Close() }

// junk returns the first line of stdout that is not a JSON-RPC message
// (cut to 80 bytes), or "" when everything seen so far is protocol.
func (r *recorder) junk() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	data := r.buf.Bytes()
	for len(data) > 0 {
		line := data
		complete := false
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data, complete = data[:i], data[i+1:], true
		} else {
			data = nil
		}
		t := bytes.TrimSpace(line)
		if len(t) == 0 {
			continue
		}
		var msg struct {
			JSONRPC string `json:"jsonrpc"`
		}
		bad := t[0] != '{' || complete && (json.Unmarshal(t, &msg) != nil || msg.JSONRPC != "2.0")
		if bad {
			if len(t) > 80 {
				t = t[:80]
			}
			return string(t)
		}
	}
	return ""
}

// tail keeps the last max bytes written to it (the server's stderr).
type tail struct {
	max int
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

// last is the last line the server wrote to stderr, as ": line", or "".
func (t *tail) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	l := strings.TrimSpace(lines[len(lines)-1])
	if l == "" {
		return ""
	}
	if len(l) > 160 {
		l = l[:160] + "…"
	}
	return "; it said: " + l
}
