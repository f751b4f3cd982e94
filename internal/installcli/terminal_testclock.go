//go:build testclock

package installcli

import "os"

// stdinIsTerminal honours CODEGRAPH_TEST_TTY=1 in test builds only, so the
// CLI scripts can drive the interactive installer's accessible prompts
// (plain lines, which need no real terminal) from a file, through the
// real binary.
func stdinIsTerminal(getenv func(string) string) bool {
	return getenv("CODEGRAPH_TEST_TTY") == "1" || isTerminal(os.Stdin)
}
