//go:build unix && !(darwin || freebsd || netbsd)

package telemetry

import (
	"syscall"
	"time"
)

func modTime(st *syscall.Stat_t) time.Time {
	return time.Unix(int64(st.Mtim.Sec), int64(st.Mtim.Nsec))
}
