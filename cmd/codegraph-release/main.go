// Command codegraph-release builds the release archives, their checksums and
// the npm packages into dist/ (package internal/release); `make dist` and
// `make npm` run it. It is a maintainer's tool, never shipped.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/getcodegraph/codegraph-install/internal/release"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := release.Run(ctx, ".", os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "codegraph-release:", err)
		os.Exit(1)
	}
}
