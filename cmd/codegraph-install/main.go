// Command codegraph-install registers codegraph's MCP server with AI coding
// agents and manages codegraph's anonymous telemetry. A copy or link named
// codegraph answers to the same commands under that name.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/installcli"
)

func main() {
	// The stop function is not called: os.Exit ends the process and the
	// handlers with it, while signal.Stop first waits for the goroutine
	// that receives signals to be scheduled, which at the end of a short
	// command has often not happened yet (0.3 ms of every `codegraph
	// version` on the benchmark machine).
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := installcli.SystemEnv()
	go func() {
		// Ctrl+C or SIGTERM ends any command within a second (500 ms, and
		// the exit itself): a command checks the context between steps,
		// but one step (parsing a 64 MiB config) can take longer. Ending it here is as safe as
		// kill -9, which the installer survives: each file is replaced
		// whole or not at all, and its record is written first.
		<-ctx.Done()
		time.Sleep(500 * time.Millisecond)
		os.Exit(installcli.Abandon(env))
	}()
	os.Exit(installcli.Run(ctx, env))
}
