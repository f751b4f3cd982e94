// Command codegraph-ingest receives codegraph's anonymous telemetry: it
// validates every request against telemetry/schema and stores what passes in
// SQLite or forwards it to PostHog. It is run by the project, never shipped
// to users. The commands live in internal/ingestcli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/getcodegraph/codegraph-install/internal/ingestcli"
)

func main() {
	ingestcli.TuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := ingestcli.Run(ctx, ingestcli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}
