package installer

import "syscall"

// readProc reads the start of a /proc file into buf with bare system calls
// (no os.File: no fstat, no poller, no allocation), as the scan reads one
// per process. It returns 0 when the file cannot be read (the process is
// gone, or not ours to look at).
func readProc(path string, buf []byte) int {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	n, err := syscall.Read(fd, buf)
	syscall.Close(fd)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
