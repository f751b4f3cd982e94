package ingest

import "syscall"

// threadCPU is the CPU time the calling OS thread has used, in
// nanoseconds: on a machine shared with other work it counts only what the
// writer itself spent, where wall time also counts waiting for a core.
func threadCPU() (int64, bool) {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
