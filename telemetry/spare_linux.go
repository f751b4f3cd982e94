//go:build linux && !telemetry_portable

package telemetry

import (
	"io/fs"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// compactIntoSpare writes content into the spare queue file (the queue the
// previous compaction replaced) and swaps it with the queue in one
// rename(2) with RENAME_EXCHANGE. Overwriting a file's pages costs a few
// microseconds; making a new file costs about a millisecond on ext4 (a new
// inode, fresh pages, and the old inode freed): this is what keeps a
// persist near the cap within its budget. Nothing is lost at any step: the
// queue is untouched until the exchange, which is atomic.
//
// The replaced queue, now the spare, is marked retired (owner-execute bit)
// before the exchange, so that a process that opened it just before and
// gets its lock just after sees that it must open the name again (see
// lockQueue). It reports false when the swap cannot be made here (no
// renameat2, a file system without RENAME_EXCHANGE, something else than a
// regular file at the spare's name): the caller writes aside instead.
func (q queue) compactIntoSpare(h handle, content []byte) (bool, error) {
	nr := renameat2Number()
	if nr == 0 {
		return false, nil
	}
	s, err := openHandle(q.sparePath, os.O_RDWR|os.O_CREATE, "")
	if err != nil {
		return false, nil
	}
	defer s.close()
	if ok, err := s.tryLock(); !ok || err != nil {
		return false, nil // held by a process that opened it as the queue: leave it
	}
	if _, err := s.state(); err != nil {
		return false, nil
	}
	if err := s.writeAt(content, 0); err != nil {
		return true, err
	}
	if err := s.truncate(int64(len(content))); err != nil {
		return true, err
	}
	if err := s.setRetired(false); err != nil {
		return true, err
	}
	hook("compact:spare-written")
	if err := h.setRetired(true); err != nil {
		return true, err
	}
	hook("compact:retired")
	if err := exchange(nr, q.sparePath, q.path); err != nil {
		h.setRetired(false)
		return false, nil
	}
	hook("compact:exchanged")
	return true, nil
}

// exchange swaps the files at two paths of one directory.
func exchange(nr uintptr, a, b string) error {
	const atFDCWD = -100
	const renameExchange = 1 << 1
	pa, err := syscall.BytePtrFromString(a)
	if err != nil {
		return err
	}
	pb, err := syscall.BytePtrFromString(b)
	if err != nil {
		return err
	}
	fdcwd := atFDCWD
	_, _, errno := syscall.Syscall6(nr, uintptr(fdcwd), uintptr(unsafe.Pointer(pa)), uintptr(fdcwd), uintptr(unsafe.Pointer(pb)), renameExchange, 0)
	if errno != 0 {
		return &fs.PathError{Op: "exchange", Path: b, Err: errno}
	}
	return nil
}

// renameat2Number is the number of the renameat2 system call (Linux 3.15
// and later), 0 where this file does not know it.
func renameat2Number() uintptr {
	switch runtime.GOARCH {
	case "amd64":
		return 316
	case "386":
		return 353
	case "arm":
		return 382
	case "arm64", "riscv64", "loong64":
		return 276
	case "ppc64", "ppc64le":
		return 357
	case "s390x":
		return 347
	}
	return 0
}
