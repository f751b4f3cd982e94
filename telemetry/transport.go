//go:build !pro

package telemetry

import (
	"context"
	"io"
	"net/http"
)

// defaultEndpoint is the first-party endpoint. It is the only place the
// host appears, and this file is left out of the codegraph-pro build.
const defaultEndpoint = "https://telemetry.getcodegraph.com/v1/events"

const transportCompiled = true

// post sends one JSON body and reports whether any HTTP response came back.
func post(ctx context.Context, client *http.Client, endpoint string, body io.Reader) bool {
	if client == nil {
		client = &http.Client{Timeout: SendTimeout}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, body)
	if err != nil {
		return true // a malformed endpoint will never work: drop, don't retry
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "codegraph-telemetry")
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	// Read a little so the connection can be reused, then let it go.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	return true
}
