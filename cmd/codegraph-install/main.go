// Command codegraph-install registers codegraph's MCP server with AI coding
// agents and manages codegraph's anonymous telemetry. A copy or link named
// codegraph answers to the same commands under that name.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/getcodegraph/codegraph-install/internal/installcli"
)

func main() {
	// The stop function is not called: os.Exit ends the process and the
	// handlers with it, while signal.Stop first waits for the goroutine
	// that receives signals to be scheduled, which at the end of a short
	// command has often not happened yet (0.3 ms of every `codegraph
	// version` on the benchmark machine).
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	os.Exit(installcli.Run(ctx, installcli.SystemEnv()))
}
