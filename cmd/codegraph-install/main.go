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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := installcli.Run(ctx, installcli.SystemEnv())
	stop()
	os.Exit(code)
}
