// Command codegraph-loadtest drives a running codegraph-ingest on loopback
// and reports throughput and latency (package internal/loadtest). It is a
// development tool, never shipped.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/getcodegraph/codegraph-install/internal/loadtest"
)

func main() {
	err := loadtest.Run(os.Args[1:], os.Stdout)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "codegraph-loadtest:", err)
		os.Exit(1)
	}
}
