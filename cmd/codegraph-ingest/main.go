// Command codegraph-ingest receives codegraph's anonymous telemetry: it
// validates every request against telemetry/schema and stores what passes in
// SQLite or forwards it to PostHog. It is run by the project, never shipped
// to users. The commands live in package ingest/cli; this file only wires
// the process (signals, streams, environment) and decides exit codes:
// 0 success, 1 failure, 2 usage.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/getcodegraph/codegraph-install/internal/ingestcli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	root := ingestcli.NewRoot(ingestcli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	err := root.ExecuteContext(ctx)
	stop()
	os.Exit(exitCode(err))
}

func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case ingestcli.IsUsage(err):
		fmt.Fprintf(os.Stderr, "codegraph-ingest: %v\nRun 'codegraph-ingest --help' for usage.\n", err)
		return 2
	default:
		fmt.Fprintf(os.Stderr, "codegraph-ingest: %v\n", err)
		return 1
	}
}
