//go:build !linux

package ingest

// threadCPU is not measured here; BenchmarkWriter reports wall time only.
func threadCPU() (int64, bool) { return 0, false }
