// Command codegraph-loadtest drives a running codegraph-ingest on loopback
// and reports throughput and latency (package ingest/loadtest). It is a
// development tool, never shipped.
package main

import (
	"fmt"
	"os"

	"github.com/getcodegraph/codegraph-install/internal/loadtest"
)

func main() {
	if err := loadtest.Run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "codegraph-loadtest:", err)
		os.Exit(1)
	}
}
