//go:build unix

package doctor

import (
	"os/exec"
	"syscall"
)

// ownGroup starts the server in a process group of its own, so that a
// shell script and everything it started can be stopped together.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
