// Command codegraph-audit checks every promise of TELEMETRY.md on this
// machine and prints the evidence (package internal/audit); `make audit`
// runs it. It exits 1 if any promise fails.
package main

import (
	"os"

	"github.com/getcodegraph/codegraph-install/internal/audit"
)

func main() {
	os.Exit(audit.Run(os.Stdout))
}
