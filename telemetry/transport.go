//go:build !pro

package telemetry

import (
	"context"
	"io"
	"net/http"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// defaultEndpoint is the first-party endpoint. This file is the only one in
// the module that refers to schema.DefaultEndpoint, and it is left out of
// the codegraph-pro build, so that binary holds no endpoint host.
const defaultEndpoint = schema.DefaultEndpoint

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
