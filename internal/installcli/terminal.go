//go:build !testclock

package installcli

import "os"

// stdinIsTerminal reports whether stdin is a terminal. Test builds may
// pretend it is (see terminal_testclock.go); release builds cannot.
func stdinIsTerminal(func(string) string) bool { return isTerminal(os.Stdin) }
