// Package harness builds and runs this repository's real binaries for the
// tests that run them (CLI scripts, end to end) and the privacy audit
// (make audit): the codegraph binary,
// the ingest server on a loopback port of its own, commands traced with strace,
// and a scripted MCP session.
//
// It never talks to anything but 127.0.0.1 and never touches the real home
// directory: every run gets the environment its caller builds.
package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// RepoRoot is the module's root directory, found from this source file.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Binaries are the paths of freshly built binaries, all in one directory
// (put it first on PATH to run them by name).
type Binaries struct {
	Dir       string
	Install   string // codegraph-install
	Codegraph string // the same binary under its other name, codegraph
	Ingest    string // codegraph-ingest
}

// Build compiles codegraph-install (with the given build tags, e.g.
// testclock or pro) and codegraph-ingest into dir, and copies the installer
// to the name codegraph. It is the one way tests and the audit get the real
// binaries.
func Build(ctx context.Context, dir string, tags ...string) (Binaries, error) {
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	b := Binaries{
		Dir:       dir,
		Install:   filepath.Join(dir, "codegraph-install"+exe),
		Codegraph: filepath.Join(dir, "codegraph"+exe),
		Ingest:    filepath.Join(dir, "codegraph-ingest"+exe),
	}
	if err := goBuild(ctx, b.Install, "./cmd/codegraph-install", tags); err != nil {
		return b, err
	}
	if err := linkOrCopy(b.Install, b.Codegraph); err != nil {
		return b, err
	}
	return b, goBuild(ctx, b.Ingest, "./cmd/codegraph-ingest", tags)
}

// linkOrCopy gives the binary its second name with a hard link, as
// `make install`'s symlink does, so both names run the very same file; a
// copy where links are not allowed. (A freshly written copy also measures
// differently: its page-cache pages count up to 5 MiB more resident memory
// than the linker's output until they are written back.)
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o755)
}

// BuildFlags are the go build flags of the binaries users run (as
// internal/release and the Makefile build them): no symbol table or DWARF,
// no local paths. With CGO_ENABLED=0 (BuildEnv) the binary is static: it
// starts without the dynamic loader and libc, which costs every command a
// few milliseconds. Tests, the audit and the start-up benchmarks measure
// what ships.
var BuildFlags = []string{"-trimpath", "-ldflags=-s -w"}

// BuildEnv is added to the environment of go build: see BuildFlags.
var BuildEnv = []string{"CGO_ENABLED=0"}

func goBuild(ctx context.Context, out, pkg string, tags []string) error {
	args := append([]string{"build", "-o", out}, BuildFlags...)
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = RepoRoot()
	cmd.Env = append(os.Environ(), BuildEnv...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return nil
}

// SyncBuffer is a bytes.Buffer safe for a writer and a reader goroutine:
// a server's log or a terminal's screen, read by the test while the
// process (or goroutine) still writes it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *SyncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *SyncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// ListenAddr is what `codegraph-ingest serve` is started with in tests:
// the kernel picks the port as it binds, so two servers never race for
// one. (A port found free a moment earlier can be taken in between by
// another test's server or by an outgoing connection.)
const ListenAddr = "127.0.0.1:0"

// WaitListening returns the address serve logged as listening on, read
// from its JSON log lines, or an error when it exits first (exited is
// closed) or logs nothing within timeout.
func WaitListening(log *SyncBuffer, exited <-chan struct{}, timeout time.Duration) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if addr, ok := listeningAddr(log.String()); ok {
			return addr, nil
		}
		select {
		case <-exited:
			if addr, ok := listeningAddr(log.String()); ok {
				return addr, nil
			}
			return "", fmt.Errorf("serve exited before listening:\n%s", log.String())
		case <-deadline.C:
			return "", fmt.Errorf("serve did not listen within %s:\n%s", timeout, log.String())
		case <-tick.C:
		}
	}
}

// listeningAddr finds serve's `"msg":"listening"` line in its log.
func listeningAddr(log string) (string, bool) {
	for _, line := range strings.Split(log, "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" && rec.Addr != "" {
			return rec.Addr, true
		}
	}
	return "", false
}

// Ingest is a running codegraph-ingest serve with its SQLite store.
type Ingest struct {
	Addr    string // host:port it listens on
	DB      string
	cmd     *exec.Cmd
	stderr  SyncBuffer
	exited  chan struct{}
	waitErr error
}

// StartIngest runs `codegraph-ingest serve` on a loopback port of its own
// with a SQLite file in dir, and waits until /healthz answers.
func StartIngest(ctx context.Context, bin, dir string) (*Ingest, error) {
	in := &Ingest{DB: filepath.Join(dir, "telemetry.db"), exited: make(chan struct{})}
	in.cmd = exec.CommandContext(ctx, bin, "serve", "--addr", ListenAddr, "--db", in.DB)
	in.cmd.Stderr = &in.stderr
	if err := in.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		in.waitErr = in.cmd.Wait()
		close(in.exited)
	}()
	addr, err := WaitListening(&in.stderr, in.exited, 15*time.Second)
	if err != nil {
		in.Stop()
		return nil, err
	}
	in.Addr = addr
	if err := WaitHealthy(in.Addr, 15*time.Second); err != nil {
		in.Stop()
		return nil, fmt.Errorf("%w:\n%s", err, in.stderr.String())
	}
	return in, nil
}

// WaitHealthy polls the ingest's /healthz at addr until it answers 200,
// for up to timeout.
func WaitHealthy(addr string, timeout time.Duration) error {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("ingest did not become healthy on %s within %s", addr, timeout)
}

// Endpoint is the events URL clients are pointed at.
func (in *Ingest) Endpoint() string { return "http://" + in.Addr + "/v1/events" }

// Log is what the ingest wrote to stderr.
func (in *Ingest) Log() string { return in.stderr.String() }

// Stop sends SIGTERM and waits for the server to drain and exit.
func (in *Ingest) Stop() error {
	in.cmd.Process.Signal(syscall.SIGTERM)
	<-in.exited
	return in.waitErr
}

// Result is one finished command.
type Result struct {
	Args   []string
	Code   int
	Stdout string
	Stderr string
	// Connects are the connect(2) calls strace saw, when traced.
	Connects []string
}

func (r Result) String() string {
	return fmt.Sprintf("%v exit %d\nstdout:\n%s\nstderr:\n%s", r.Args, r.Code, r.Stdout, r.Stderr)
}

// Cmd describes one run of a binary.
type Cmd struct {
	Bin   string
	Args  []string
	Env   []string // the whole environment
	Dir   string
	Stdin string
	// Trace runs the command under `strace -f -e trace=connect`.
	Trace bool
}

// HaveStrace reports whether strace is on PATH.
func HaveStrace() bool {
	_, err := exec.LookPath("strace")
	return err == nil
}

// Run executes c and returns its outcome; a non-zero exit is not an error.
func Run(ctx context.Context, c Cmd) (Result, error) {
	name, args := c.Bin, c.Args
	var traceFile string
	if c.Trace {
		f, err := os.CreateTemp("", "codegraph-strace-*.txt")
		if err != nil {
			return Result{}, err
		}
		f.Close()
		traceFile = f.Name()
		defer os.Remove(traceFile)
		args = append([]string{"-f", "-e", "trace=connect", "-qq", "-o", traceFile, c.Bin}, c.Args...)
		name = "strace"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = c.Env, c.Dir
	cmd.Stdin = strings.NewReader(c.Stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Args: c.Args, Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	case err != nil:
		return r, err
	}
	if c.Trace {
		data, err := os.ReadFile(traceFile)
		if err != nil {
			return r, err
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "connect(") {
				r.Connects = append(r.Connects, line)
			}
		}
	}
	return r, nil
}

var portRE = regexp.MustCompile(`sin6?_port=htons\((\d+)\)`)

// ConnectsToPort returns the traced connect calls that went to port.
func ConnectsToPort(connects []string, port int) []string {
	var out []string
	for _, c := range connects {
		if m := portRE.FindStringSubmatch(c); m != nil && m[1] == strconv.Itoa(port) {
			out = append(out, c)
		}
	}
	return out
}

// Endpoint is a loopback stand-in for the telemetry endpoint: it counts
// the TCP connections it accepts (the evidence for "off means no
// connection"), keeps every request body, and answers each request 204.
type Endpoint struct {
	ln       net.Listener
	srv      *http.Server
	accepted atomic.Int64
	mu       sync.Mutex
	bodies   [][]byte
}

// NewEndpoint listens on a free 127.0.0.1 port.
func NewEndpoint() (*Endpoint, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e := &Endpoint{ln: ln}
	e.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			e.mu.Lock()
			e.bodies = append(e.bodies, body)
			e.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				e.accepted.Add(1)
			}
		},
		ReadTimeout: 5 * time.Second,
	}
	go e.srv.Serve(ln)
	return e, nil
}

// Port is the listener's port.
func (e *Endpoint) Port() int { return e.ln.Addr().(*net.TCPAddr).Port }

// URL is the events URL clients are pointed at.
func (e *Endpoint) URL() string {
	return "http://127.0.0.1:" + strconv.Itoa(e.Port()) + "/v1/events"
}

// Accepted is the number of connections accepted so far.
func (e *Endpoint) Accepted() int { return int(e.accepted.Load()) }

// Bodies returns a copy of the request bodies received so far, in order.
func (e *Endpoint) Bodies() [][]byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([][]byte(nil), e.bodies...)
}

// Close stops the listener.
func (e *Endpoint) Close() error { return e.srv.Close() }

// MCPSession runs `codegraph serve --mcp` in dir, initialises as the named
// client, lists tools, calls codegraph_status `calls` times, closes stdin
// and returns every stdout line, stderr, and how long the server took to
// exit after stdin closed.
func MCPSession(ctx context.Context, bin string, env []string, dir, clientName, clientVersion string, calls int) (stdout []string, stderr string, exitAfter time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--mcp")
	cmd.Env, cmd.Dir = env, dir
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", 0, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", 0, err
	}
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	if err := cmd.Start(); err != nil {
		return nil, "", 0, err
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	await := func(id int) error {
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return fmt.Errorf("stdout closed before response %d; stderr:\n%s", id, errBuf.String())
				}
				stdout = append(stdout, l)
				var m struct {
					ID    *int            `json:"id"`
					Error json.RawMessage `json:"error"`
				}
				if json.Unmarshal([]byte(l), &m) == nil && m.ID != nil && *m.ID == id {
					if m.Error != nil {
						return fmt.Errorf("request %d failed: %s", id, m.Error)
					}
					return nil
				}
			case <-ctx.Done():
				return fmt.Errorf("no response %d: %w", id, ctx.Err())
			}
		}
	}
	send := func(id int, msg string) error {
		if _, err := io.WriteString(in, msg+"\n"); err != nil {
			return err
		}
		if id == 0 {
			return nil
		}
		return await(id)
	}
	clientInfo, _ := json.Marshal(map[string]string{"name": clientName, "version": clientVersion})
	steps := []struct {
		id  int
		msg string
	}{
		{1, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":` + string(clientInfo) + `}}`},
		{0, `{"jsonrpc":"2.0","method":"notifications/initialized"}`},
		{2, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`},
	}
	for i := 0; i < calls; i++ {
		id := 3 + i
		steps = append(steps, struct {
			id  int
			msg string
		}{id, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"codegraph_status","arguments":{}}}`, id)})
	}
	for _, s := range steps {
		if err := send(s.id, s.msg); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return stdout, errBuf.String(), 0, err
		}
	}
	closed := time.Now()
	in.Close()
	for l := range lines {
		stdout = append(stdout, l)
	}
	err = cmd.Wait()
	return stdout, errBuf.String(), time.Since(closed), err
}

// NotJSONRPC returns the stdout lines that are not JSON-RPC 2.0 messages.
func NotJSONRPC(lines []string) []string {
	var bad []string
	for _, l := range lines {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(l), &m) != nil || string(m["jsonrpc"]) != `"2.0"` {
			bad = append(bad, l)
		}
	}
	return bad
}

// Environ returns a clean environment for a run: PATH and the Go variables
// of this process, a HOME, and the given extra variables. Nothing of the
// caller's telemetry settings leaks in.
func Environ(home string, extra ...string) []string {
	env := []string{"HOME=" + home, "USERPROFILE=" + home}
	for _, k := range []string{"PATH", "GOCACHE", "GOPATH", "GOROOT", "TMPDIR", "GOFLAGS", "GOMODCACHE", "GOPROXY"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return append(env, extra...)
}

// Environ is the package's Environ with the binaries' directory first on
// PATH, as after `make install`: the installer writes a command only for a
// codegraph it can name (on the PATH, or not in a temporary directory,
// where these binaries are built).
func (b Binaries) Environ(home string, extra ...string) []string {
	env := Environ(home, extra...)
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			env[i] = "PATH=" + b.Dir + string(os.PathListSeparator) + strings.TrimPrefix(kv, "PATH=")
			return env
		}
	}
	return append(env, "PATH="+b.Dir)
}
