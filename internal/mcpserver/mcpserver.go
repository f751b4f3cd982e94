// Package mcpserver is `codegraph serve --mcp`: an MCP server on the official
// Go SDK (github.com/modelcontextprotocol/go-sdk) speaking newline-delimited
// JSON-RPC over an injected stdin/stdout pair.
//
// It owns the server's tools (today one, codegraph_status, which reports the
// project's language census from DIR/.codegraph/census.json), their
// telemetry wiring (package mcptelemetry) and the server's life: it persists
// usage counts periodically and when the session ends, flushes them on an
// interval, and returns promptly when stdin closes or its context is
// cancelled.
//
// It never writes a byte to Out that is not a protocol message: the SDK
// writes one whole JSON-RPC message per line and its default logger
// discards, and nothing here prints. The only diagnostics a server process
// writes are the telemetry client's first-run notice and debug echo, on the
// Stderr of the client's own options.
//
// It never parses flags or handles signals (the caller cancels the context
// on SIGINT/SIGTERM), and never closes the streams it is given.
package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
	"github.com/getcodegraph/codegraph-install/telemetry"
	"github.com/getcodegraph/codegraph-install/telemetry/mcptelemetry"
)

// Name is the server's name in its serverInfo.
const Name = "codegraph"

// Defaults of the upkeep intervals.
const (
	DefaultPersistEvery = 2 * time.Minute
	DefaultFlushEvery   = 15 * time.Minute
)

// Options are Serve's inputs, all injected so tests and the CLI drive the
// same code.
type Options struct {
	// In and Out carry the protocol (the process's stdin and stdout in
	// production). Serve never closes either: the caller owns them.
	In  io.Reader
	Out io.Writer
	// Dir is the project directory whose .codegraph/census.json
	// codegraph_status reports; "" means the working directory.
	Dir string
	// Telemetry records tool calls; nil records nothing.
	Telemetry *telemetry.Client
	// Version is the server's version in serverInfo; "" means the binary's.
	Version string
	// Now is the clock of codegraph_status's "how long ago"; nil is time.Now.
	Now func() time.Time
	// AfterFirstAnswer, when set, is called once, right after the first
	// response is written (the answer to initialize): work that must not
	// slow the start of a session waits for it.
	AfterFirstAnswer func()
	// PersistEvery and FlushEvery are the telemetry upkeep intervals; 0
	// means DefaultPersistEvery and DefaultFlushEvery, a negative value
	// disables that upkeep (counts are still persisted when Serve returns).
	PersistEvery, FlushEvery time.Duration
}

func (o Options) withDefaults() (Options, error) {
	if o.In == nil || o.Out == nil {
		return o, errors.New("mcp server: In and Out are required")
	}
	if o.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return o, fmt.Errorf("mcp server: project directory: %w", err)
		}
		o.Dir = wd
	}
	if o.Version == "" {
		o.Version = buildinfo.CodegraphVersion()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.PersistEvery = interval(o.PersistEvery, DefaultPersistEvery)
	o.FlushEvery = interval(o.FlushEvery, DefaultFlushEvery)
	return o, nil
}

func interval(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0 // Client.Start treats 0 as "disabled"
	}
	return d
}

// Tools are the names of the tools the server registers, in the order
// tools/list reports them. Only these are ever counted.
func Tools() []string { return []string{StatusToolName} }

// NewServer builds the server Serve runs, with its tools and the telemetry
// middleware installed, for callers that bring their own transport (tests
// use mcp.NewInMemoryTransports). Options.In and Out are not used.
func NewServer(opts Options) *mcp.Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Version == "" {
		opts.Version = buildinfo.CodegraphVersion()
	}
	// ServerOptions.Logger stays nil: the SDK then logs to a discarding
	// handler, so the SDK itself never writes outside the protocol.
	s := mcp.NewServer(&mcp.Implementation{Name: Name, Version: opts.Version}, nil)
	addStatusTool(s, opts.Dir, opts.Now)
	s.AddReceivingMiddleware(mcptelemetry.New(opts.Telemetry, Tools()).Receiving())
	return s
}

// Serve runs the MCP server on opts.In and opts.Out until the client closes
// stdin (EOF), ctx is cancelled, or the input is not JSON-RPC.
//
// The end of input reaches the SDK once every request read has been
// answered, or after DrainTimeout (drain.go). On EOF the SDK cancels calls
// still running (with cause io.EOF), waits for their handlers and Run
// returns nil; cancelling ctx closes the session the
// same way. Either way Serve then persists the usage counts once and
// returns, so a host that closes stdin sees the process gone well within
// the 2 s it waits before SIGTERM. A cancelled ctx is a normal shutdown and
// returns nil; unreadable input returns the SDK's error, wrapped.
func Serve(ctx context.Context, opts Options) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return err
	}
	server := NewServer(opts)

	upkeep, stopUpkeep := context.WithCancel(ctx)
	defer stopUpkeep()
	opts.Telemetry.Start(upkeep, opts.PersistEvery, opts.FlushEvery)

	// The transport gets no-op closers: the SDK closes its transport when
	// the session ends, and the caller's stdin and stdout are not ours to
	// close. Run does not need the close to return: the SDK's reader hands
	// lines over a channel and stops waiting on it when the session closes
	// (its goroutine stays blocked in In.Read until the process exits, as
	// the SDK documents for stdin).
	// The end of input waits for the answers to what was read (drain.go).
	answers := newInflight()
	runErr := server.Run(ctx, &mcp.IOTransport{
		Reader: io.NopCloser(&drainingReader{r: opts.In, f: answers, timeout: DrainTimeout}),
		Writer: nopWriteCloser{&countingWriter{w: opts.Out, f: answers, first: opts.AfterFirstAnswer}},
	})

	// Stop the timers before the final persist, so that no periodic
	// persist or flush starts after it (a flush in progress sees its
	// context end and returns).
	stopUpkeep()
	opts.Telemetry.Persist()

	if runErr != nil && ctx.Err() != nil && errors.Is(runErr, ctx.Err()) {
		return nil
	}
	if runErr != nil {
		return fmt.Errorf("mcp server: %w", runErr)
	}
	return nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
