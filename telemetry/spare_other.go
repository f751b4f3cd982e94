//go:build !linux || telemetry_portable

package telemetry

// compactIntoSpare swaps files with RENAME_EXCHANGE on Linux only (and
// not with the portable handles); here compaction writes aside.
func (q queue) compactIntoSpare(handle, []byte) (bool, error) { return false, nil }
