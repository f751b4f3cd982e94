//go:build !testclock

package installcli

import "time"

// clock is the wall clock. Builds with the testclock tag may shift it (see
// clock_testclock.go); release builds cannot.
func clock(func(string) string) func() time.Time { return time.Now }
