//go:build !pro

package telemetry

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// defaultEndpoint is the first-party endpoint. This file is the only one in
// the module that refers to schema.DefaultEndpoint, and it is left out of
// the codegraph-pro build, so that binary holds no endpoint host.
const defaultEndpoint = schema.DefaultEndpoint

const transportCompiled = true

// post sends one JSON body. It tells a failure before any connection was
// made (the body cannot have left: notSent) from one after the request was
// handed to a connection (it may have arrived: lost), with the transport's
// trace hooks: GetConn fires when the transport starts looking for a
// connection, GotConn when it has one (TCP, and TLS, established).
//
// A redirect is never followed: a 307 or 308 asks for the same body to be
// sent again (RFC 9110 §15.4.8, §15.4.9), to any host, over plain http
// too, and Go's client would do so up to ten times. Any HTTP response is
// final (CONTRACT §7), a redirect included: its lines are done.
func post(ctx context.Context, client *http.Client, endpoint string, body []byte) sendOutcome {
	if client == nil {
		client = &http.Client{Timeout: SendTimeout}
	} else {
		c := *client // the caller's client is theirs: change a copy
		client = &c
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var asked, connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { asked.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		// A malformed endpoint will never work: drop, don't retry.
		return sendOutcome{result: delivered, why: "the endpoint is not a URL that can be sent to"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "codegraph-telemetry")
	resp, err := client.Do(req)
	if err != nil {
		// A transport that reports no trace (asked stays false) could have
		// connected: only a failure seen before any connection puts back.
		if asked.Load() && !connected.Load() {
			return sendOutcome{result: notSent, why: whyFailed(err)}
		}
		return sendOutcome{result: lost, why: whyFailed(err)}
	}
	// Read a little so the connection can be reused, then let it go.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	return sendOutcome{result: delivered, status: resp.StatusCode}
}

// whyFailed names a transport error in a few words: "timed out", "no such
// host", or the system's own words at the bottom of it ("connection
// refused"), without the URL and operation that wrap it.
func whyFailed(err error) string {
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		return dns.Err
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(err) {
		err = u
	}
	return err.Error()
}
