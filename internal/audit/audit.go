// Package audit checks, on this machine and with evidence, every promise
// TELEMETRY.md makes, using binaries built from this repository:
//
//   - off is off: with DO_NOT_TRACK=1, CODEGRAPH_TELEMETRY=0 or after
//     `codegraph telemetry off`, no command connects to the endpoint
//     (a loopback listener counts connections; strace traces connect(2));
//   - under `serve --mcp`, stdout carries nothing but JSON-RPC messages;
//   - payloads hold only the schema's fields, and no path, file name,
//     user or host name;
//   - the codegraph-pro build contains no endpoint.
//
// It prints each promise with its evidence and reports whether all held.
// `make audit` runs it through cmd/codegraph-audit. Everything stays on
// 127.0.0.1 and in temporary directories.
package audit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

type auditor struct {
	out    io.Writer
	failed int
	tmp    string
	bins   harness.Binaries
}

func (a *auditor) report(ok bool, promise, evidence string) {
	mark := "PASS"
	if !ok {
		mark = "FAIL"
		a.failed++
	}
	fmt.Fprintf(a.out, "%s  %s\n      %s\n", mark, promise, strings.ReplaceAll(evidence, "\n", "\n      "))
}

// Run performs every check, writing the evidence to out, and returns the
// exit code: 0 when every promise held, 1 otherwise.
func Run(out io.Writer) int {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "codegraph-audit-")
	if err != nil {
		fmt.Fprintln(out, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	a := &auditor{out: out, tmp: tmp}
	fmt.Fprintln(out, "Building codegraph and codegraph-ingest from this repository…")
	if a.bins, err = harness.Build(ctx, filepath.Join(tmp, "bin")); err != nil {
		fmt.Fprintln(out, err)
		return 1
	}
	a.offIsOff(ctx)
	a.mcpStdoutClean(ctx)
	a.payloadsInSchema(ctx)
	a.proHasNoEndpoint(ctx)
	if a.failed > 0 {
		fmt.Fprintf(out, "\n%d promise(s) failed.\n", a.failed)
		return 1
	}
	fmt.Fprintln(out, "\nEvery promise held.")
	return 0
}

func (a *auditor) dir(name string) string {
	d, _ := os.MkdirTemp(a.tmp, name+"-")
	return d
}

func (a *auditor) project() string {
	d := a.dir("project")
	os.WriteFile(filepath.Join(d, "main.go"), []byte("package main\n"), 0o644)
	os.WriteFile(filepath.Join(d, "secret_plans.ts"), []byte("export const x = 1\n"), 0o644)
	return d
}

// queueDue leaves an event from yesterday in the queue: something to send.
func queueDue(home string) {
	state := statedir.ForHome(home)
	state.Ensure()
	line := `{"event":"uninstall","ts":"` + time.Now().UTC().Add(-24*time.Hour).Format(time.RFC3339) + `","props":{}}` + "\n"
	// Appended, not replaced: what the run that printed the first-run notice
	// kept queued (its grace run sends nothing) is sent by the next one.
	f, err := os.OpenFile(state.Queue(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	f.WriteString(line)
	f.Close()
}

const mcpInput = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"audit","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"codegraph_status","arguments":{}}}
`

// sendingCommands are the commands that can send, in the order a user
// would run them.
func sendingCommands(project string) []harness.Cmd {
	return []harness.Cmd{
		{Args: []string{"--yes", "--targets", "claude", "--scope", "global"}},
		{Args: []string{"init", project}},
		{Args: []string{"serve", "--mcp"}, Dir: project, Stdin: mcpInput},
		{Args: []string{"telemetry", "flush"}},
		{Args: []string{"uninit", project}},
		{Args: []string{"uninstall", "--yes"}},
	}
}

// runAll runs the sending commands with something due before each, and
// returns the connections the endpoint accepted and the connect(2) calls
// strace saw to its port.
func (a *auditor) runAll(ctx context.Context, env []string, home string, setup []string) (accepted, traced int, err error) {
	cc, err := harness.NewEndpoint()
	if err != nil {
		return 0, 0, err
	}
	defer cc.Close()
	env = append(env, "CODEGRAPH_TELEMETRY_ENDPOINT="+cc.URL())
	if setup != nil {
		if _, err := harness.Run(ctx, harness.Cmd{Bin: a.bins.Codegraph, Args: setup, Env: env, Dir: home}); err != nil {
			return 0, 0, err
		}
	}
	for _, c := range sendingCommands(a.project()) {
		queueDue(home)
		c.Bin, c.Env, c.Trace = a.bins.Codegraph, env, harness.HaveStrace()
		if c.Dir == "" {
			c.Dir = home
		}
		r, err := harness.Run(ctx, c)
		if err != nil {
			return 0, 0, err
		}
		traced += len(harness.ConnectsToPort(r.Connects, cc.Port()))
	}
	return cc.Accepted(), traced, nil
}

func (a *auditor) offIsOff(ctx context.Context) {
	how := "a loopback listener counted accepted connections"
	if harness.HaveStrace() {
		how += " and strace traced every connect(2)"
	} else {
		how += " (strace is not installed, so connect(2) was not traced: apt-get install strace)"
	}
	home := a.dir("home-on")
	acc, tr, err := a.runAll(ctx, a.bins.Environ(home), home, nil)
	control := fmt.Sprintf("control, telemetry on: %d connections accepted, %d connects traced (the method sees a send)", acc, tr)
	if err != nil || acc == 0 || (harness.HaveStrace() && tr == 0) {
		a.report(false, "Off is off: no connection to the endpoint", fmt.Sprintf("%s; %v", control, err))
		return
	}
	lines := []string{how + ", over install, init, serve --mcp, telemetry flush, uninit, uninstall, each with an event due:", control}
	ok := true
	for _, sc := range []struct {
		name  string
		env   []string
		setup []string
	}{
		{"DO_NOT_TRACK=1", []string{"DO_NOT_TRACK=1"}, nil},
		{"CODEGRAPH_TELEMETRY=0", []string{"CODEGRAPH_TELEMETRY=0"}, nil},
		{"after `codegraph telemetry off`", nil, []string{"telemetry", "off"}},
	} {
		home := a.dir("home-off")
		acc, tr, err := a.runAll(ctx, a.bins.Environ(home, sc.env...), home, sc.setup)
		ok = ok && err == nil && acc == 0 && tr == 0
		lines = append(lines, fmt.Sprintf("%s: %d connections accepted, %d connects traced %v", sc.name, acc, tr, errText(err)))
	}
	a.report(ok, "Off is off: no connection to the endpoint", strings.Join(lines, "\n"))
}

func errText(err error) string {
	if err != nil {
		return "(error: " + err.Error() + ")"
	}
	return ""
}

func (a *auditor) mcpStdoutClean(ctx context.Context) {
	home, project := a.dir("home-mcp"), a.project()
	cc, err := harness.NewEndpoint()
	if err != nil {
		a.report(false, "MCP stdout carries only protocol messages", err.Error())
		return
	}
	defer cc.Close()
	queueDue(home) // the first-run notice is due, and the debug echo is on
	env := a.bins.Environ(home, "CODEGRAPH_TELEMETRY_ENDPOINT="+cc.URL(), "CODEGRAPH_TELEMETRY_DEBUG=1")
	// The first server prints the notice and, being the grace run, sends
	// nothing; the second sends, and echoes what it sends.
	lines, stderr, _, err := harness.MCPSession(ctx, a.bins.Codegraph, env, project, "audit", "1", 3)
	notice := strings.Contains(stderr, "codegraph collects anonymous usage stats")
	graceConns := cc.Accepted()
	lines2, stderr2, _, err2 := harness.MCPSession(ctx, a.bins.Codegraph, env, project, "audit", "1", 3)
	echo := strings.Contains(stderr2, "codegraph telemetry: POST")
	bad := append(harness.NotJSONRPC(lines), harness.NotJSONRPC(lines2)...)
	if err == nil {
		err = err2
	}
	a.report(err == nil && len(bad) == 0 && len(lines) > 0 && len(lines2) > 0 && notice && graceConns == 0 && echo,
		"MCP stdout carries only protocol messages",
		fmt.Sprintf("%d stdout lines over two sessions, %d not JSON-RPC 2.0; first session: first-run notice on stderr: %v, connections: %d (the grace run sends nothing); second session: debug echo on stderr: %v %s",
			len(lines)+len(lines2), len(bad), notice, graceConns, echo, errText(err)))
}

func (a *auditor) payloadsInSchema(ctx context.Context) {
	ep, err := harness.NewEndpoint()
	if err != nil {
		a.report(false, "Payloads hold only schema fields", err.Error())
		return
	}
	defer ep.Close()
	home, project := a.dir("home-payload"), a.project()
	env := a.bins.Environ(home, "CODEGRAPH_TELEMETRY_ENDPOINT="+ep.URL())
	for _, c := range sendingCommands(project) {
		queueDue(home)
		c.Bin, c.Env = a.bins.Codegraph, env
		if c.Dir == "" {
			c.Dir = home
		}
		if _, err := harness.Run(ctx, c); err != nil {
			a.report(false, "Payloads hold only schema fields", err.Error())
			return
		}
	}
	bodies := ep.Bodies()
	events, problems := 0, []string{}
	fields := map[string]bool{}
	forbidden := []string{home, project, "secret_plans", "main.go"}
	if h, err := os.Hostname(); err == nil && len(h) > 3 {
		forbidden = append(forbidden, h)
	}
	if u, err := user.Current(); err == nil && len(u.Username) > 3 {
		forbidden = append(forbidden, u.Username)
	}
	for _, body := range bodies {
		for _, f := range forbidden {
			if bytes.Contains(body, []byte(f)) {
				problems = append(problems, fmt.Sprintf("a body contains %q", f))
			}
		}
		n, p := checkBody(body, fields)
		events += n
		problems = append(problems, p...)
	}
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	a.report(len(bodies) > 0 && len(problems) == 0, "Payloads hold only schema fields, and no path, file, user or host name",
		fmt.Sprintf("%d requests, %d events checked against telemetry/schema; fields seen: %s%s", len(bodies), events, strings.Join(names, " "), problemText(problems)))
}

// checkBody validates one request body with the schema, read by the same
// strict parser as the ingest's: every envelope field and prop must pass
// untouched, every ts must be an RFC 3339 time, and nothing else may be
// there.
func checkBody(body []byte, seen map[string]bool) (events int, problems []string) {
	b, err := schema.ParseBody(body)
	if err != nil {
		return 0, []string{"a body is not JSON the ingest accepts: " + err.Error()}
	}
	for k := range b.Envelope {
		seen[k] = true
	}
	switch _, rep, err := schema.CleanEnvelope(b.Envelope); {
	case err != nil:
		problems = append(problems, "envelope outside the schema: "+err.Error())
	case rep.Stripped > 0:
		problems = append(problems, fmt.Sprintf("envelope outside the schema: fields stripped: %d", rep.Stripped))
	}
	for _, e := range b.Events {
		for _, k := range e.Unknown {
			problems = append(problems, "event key outside the schema: "+k)
		}
		name, _ := e.Name.(string)
		switch ts := e.TS.(type) {
		case nil: // absent: the ingest uses the receive time
		case string:
			if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
				problems = append(problems, fmt.Sprintf("event %q: ts %q is not an RFC 3339 time", name, ts))
			}
		default:
			problems = append(problems, fmt.Sprintf("event %q: ts is not a string", name))
		}
		props, ok := e.Props.(map[string]any)
		if !ok && e.Props != nil {
			problems = append(problems, fmt.Sprintf("event %q: props is not an object", name))
		}
		for k := range props {
			seen[name+"."+k] = true
		}
		if _, rep, ok := schema.CleanEvent(name, props); !ok || rep.Stripped > 0 {
			problems = append(problems, fmt.Sprintf("event %q outside the schema (%d props stripped)", name, rep.Stripped))
		}
		events++
	}
	return events, problems
}

func problemText(p []string) string {
	if len(p) == 0 {
		return ""
	}
	return "\nproblems: " + strings.Join(p, "; ")
}

func (a *auditor) proHasNoEndpoint(ctx context.Context) {
	const host = "telemetry.getcodegraph.com"
	pro, err := harness.Build(ctx, a.dir("pro"), "pro")
	if err != nil {
		a.report(false, "The codegraph-pro build contains no endpoint", err.Error())
		return
	}
	proBytes, _ := os.ReadFile(pro.Codegraph)
	defBytes, _ := os.ReadFile(a.bins.Codegraph)
	inPro, inDefault := bytes.Count(proBytes, []byte(host)), bytes.Count(defBytes, []byte(host))
	a.report(inPro == 0 && inDefault > 0 && len(proBytes) > 0, "The codegraph-pro build contains no endpoint",
		fmt.Sprintf("%q occurs %d times in the pro binary (%d bytes) and %d times in the default one (so the search can find it)", host, inPro, len(proBytes), inDefault))
}
