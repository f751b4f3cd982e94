//go:build !linux

package telemetry

// compactIntoSpare swaps files with RENAME_EXCHANGE on Linux only; here
// compaction writes aside.
func (q queue) compactIntoSpare(handle, []byte) (bool, error) { return false, nil }
