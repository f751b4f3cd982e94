//go:build testclock

package installcli

import "time"

// clock honours CODEGRAPH_TEST_NOW (RFC 3339) in test builds only, so end-to-
// end tests can move a real binary to a later day without sleeping.
func clock(getenv func(string) string) func() time.Time {
	if v := getenv("CODEGRAPH_TEST_NOW"); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			offset := time.Until(t)
			return func() time.Time { return time.Now().Add(offset) }
		}
	}
	return time.Now
}
