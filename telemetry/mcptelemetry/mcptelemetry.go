// Package mcptelemetry counts the tool calls an MCP server answers, for
// codegraph's anonymous usage telemetry. It is a receiving middleware for
// any server built on the official Go SDK (github.com/modelcontextprotocol/go-sdk):
//
//	m := mcptelemetry.New(client, []string{"codegraph_status"})
//	server.AddReceivingMiddleware(m.Receiving())
//
// It owns one decision: which `tools/call` requests become an `mcp_tool`
// count, ok or error, labelled with the calling client's self-declared
// clientInfo name and version. It counts only the tool names it was given
// (the names the server registered), never arguments, results or anything
// the client typed, and it never changes a request or a response. Persisting
// and sending the counts is the telemetry client's business, not this
// package's: recording a call is one map read and one atomic add.
package mcptelemetry

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/getcodegraph/codegraph-install/telemetry"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// methodCallTool is the wire method the middleware counts. The SDK's
// receiving middleware sees wire method names (`initialize`, `tools/list`,
// `tools/call`, …), so a string comparison is all it takes to pass
// everything else through untouched.
const methodCallTool = "tools/call"

// Middleware counts tool calls. It is safe for concurrent use: the SDK runs
// every call but `initialize` concurrently. Create it with New.
type Middleware struct {
	client *telemetry.Client
	tools  []string

	// byClient holds one immutable toolSet per (clientInfo name, version).
	// Keying by clientInfo rather than by session keeps the cache bounded
	// by what the telemetry client already keeps (one counter per tool and
	// client), even in a long-lived server with many sessions: a middleware
	// never learns when a session ends, so a per-session map would only grow.
	byClient sync.Map // clientKey → toolSet

	// last is the fast path: the session of the previous call and its tool
	// set. A stdio server has exactly one session, so after the first call
	// the per-call cost is one atomic load, one pointer comparison and one
	// small map read. It holds at most one session alive, the current one.
	last atomic.Pointer[sessionTools]
}

// clientKey is a client as it declared itself in clientInfo.
type clientKey struct{ name, version string }

// toolSet maps each registered tool name to its counter for one client. It
// is built once and only read afterwards, so reads need no lock.
type toolSet map[string]*telemetry.Counter

type sessionTools struct {
	session *mcp.ServerSession
	tools   toolSet
}

// New returns a middleware that records calls of registeredTools through
// client. Names the schema would refuse are never counted (the telemetry
// client returns no counter for them). A nil client is allowed and records
// nothing.
func New(client *telemetry.Client, registeredTools []string) *Middleware {
	return &Middleware{client: client, tools: append([]string(nil), registeredTools...)}
}

// Receiving returns the middleware to install with
// (*mcp.Server).AddReceivingMiddleware.
func (m *Middleware) Receiving() mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		if m.client == nil {
			return next
		}
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != methodCallTool {
				return next(ctx, method, req)
			}
			res, err := next(ctx, method, req)
			m.record(ctx, req, res, err)
			return res, err
		}
	}
}

// record counts one answered tools/call.
func (m *Middleware) record(ctx context.Context, req mcp.Request, res mcp.Result, err error) {
	// On stdin EOF the SDK cancels in-flight requests with cause io.EOF and
	// sends nothing more: that call was never answered, so it is neither ok
	// nor an error.
	if ctx.Err() != nil && context.Cause(ctx) == io.EOF {
		return
	}
	call, ok := req.(*mcp.CallToolRequest)
	if !ok || call.Params == nil {
		return
	}
	// The SDK answers an unknown tool name with a *jsonrpc.Error (-32602,
	// invalid params) and a nil *CallToolResult, before any tool runs. An
	// invalid-params wire error means the server refused the request, so it
	// is not a call of a tool: look at the error first and skip it, even if
	// the name is one we were given (the server may have removed the tool).
	if err != nil && isInvalidParams(err) {
		return
	}
	ctr := m.counters(call)[call.Params.Name]
	if ctr == nil {
		return // not a registered name: never counted
	}
	// A tool handler's error and an arguments-schema failure come back as
	// CallToolResult{IsError: true} with a nil error; any other error (a
	// failed output validation, a cancelled call) is an error too.
	failed := err != nil
	if r, ok := res.(*mcp.CallToolResult); ok && r != nil && r.IsError {
		failed = true
	}
	ctr.Record(!failed)
}

// isInvalidParams reports a -32602 wire error. It is a function of its own,
// called only when there is an error, so that the target errors.As needs
// is not allocated on the path of every successful call.
func isInvalidParams(err error) bool {
	var wire *jsonrpc.Error
	return errors.As(err, &wire) && wire.Code == jsonrpc.CodeInvalidParams
}

// counters returns the tool set of the client behind call's session.
func (m *Middleware) counters(call *mcp.CallToolRequest) toolSet {
	ss := call.Session
	if last := m.last.Load(); last != nil && last.session == ss && ss != nil {
		return last.tools
	}
	key := clientOf(call)
	set, ok := m.byClient.Load(key)
	if !ok {
		built := m.build(key)
		set, _ = m.byClient.LoadOrStore(key, built)
	}
	tools := set.(toolSet)
	if ss != nil {
		m.last.Store(&sessionTools{session: ss, tools: tools})
	}
	return tools
}

// clientOf reads the caller's clientInfo. The session's InitializeParams
// holds what `initialize` declared (or, for the 2026-07-28 sessionless
// protocol, what the session's first request declared in _meta); it is
// read once per session and then cached. ServerRequest.ClientInfo is the
// fallback: it re-decodes the request's _meta, too costly for every call.
func clientOf(call *mcp.CallToolRequest) clientKey {
	var info *mcp.Implementation
	if call.Session != nil {
		if p := call.Session.InitializeParams(); p != nil {
			info = p.ClientInfo
		}
	}
	if info == nil {
		info = call.ClientInfo()
	}
	if info == nil {
		return clientKey{}
	}
	return clientKey{name: info.Name, version: info.Version}
}

// build registers the counters of every tool for one client. The telemetry
// client sanitises the client's name and version into labels.
func (m *Middleware) build(key clientKey) toolSet {
	set := make(toolSet, len(m.tools))
	for _, name := range m.tools {
		if ctr := m.client.CounterFor(schema.UsageMCPTool, name, key.name, key.version); ctr != nil {
			set[name] = ctr
		}
	}
	return set
}
