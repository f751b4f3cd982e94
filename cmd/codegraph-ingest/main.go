// Command codegraph-ingest receives codegraph's anonymous telemetry: it
// validates every request against telemetry/schema and stores what passes in
// SQLite or forwards it to PostHog. It is run by the project, never shipped
// to users. The commands live in internal/ingestcli.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/getcodegraph/codegraph-install/internal/ingestcli"
)

func main() {
	tuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := ingestcli.Run(ctx, ingestcli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// tuneGC trades memory for CPU. A request's garbage (its body, its decoded
// events) is large next to what stays alive, so at Go's default GOGC=100
// the collector took about a tenth of the server's CPU under load. At 200
// the heap grows to three times what is live before a collection (400 cost
// half as much memory again for no gain we could measure); the soft limit
// of 512 MiB makes the collector work harder instead once the writer's
// caches are full. An operator's GOGC or GOMEMLIMIT wins.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
	}
}
