package installer

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
)

// agentMayRun reports whether a process of the agent t may be running, so
// that a file it rewrites while it runs (Target.LiveWriter) needs watching
// after our write. It answers false only when it is sure: on Linux, when
// no process in /proc was started as one of the agent's binaries; on
// other systems, or when /proc cannot be read, it answers true.
//
// Asked right after our rename, it catches the danger the watch is for: a
// process that read the file before the rename and writes its copy after
// it existed at the rename, so it still exists now, or it has already
// written (which the one read after the rename sees). What it cannot see:
// an agent under another name (a renamed binary, a wrapper) or in another
// PID namespace (a container sharing the home directory); such a writer is
// caught only if it writes before that one read.
func agentMayRun(t Target) bool {
	if runtime.GOOS != "linux" || len(t.binaries) == 0 {
		return true
	}
	d, err := os.Open("/proc")
	if err != nil {
		return true
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return true
	}
	buf := make([]byte, 4096)
	self := strconv.Itoa(os.Getpid())
	for _, pid := range names {
		if pid == "" || pid[0] < '0' || pid[0] > '9' {
			continue
		}
		n := readProc("/proc/"+pid+"/cmdline", buf)
		if n > 0 && pid != self && cmdlineRuns(buf[:n], t.binaries) {
			return true
		}
	}
	return false
}

// cmdlineRuns reports whether a /proc/PID/cmdline (arguments separated by
// NUL bytes) shows one of the binaries: a path element of the program
// (argv[0]) or of the script an interpreter runs (argv[1], e.g. node
// claude), compared without case and without .exe or .js. A native Claude
// Code is ~/.local/share/claude/versions/X, started as claude; an npm one
// is node …/@anthropic-ai/claude-code/cli.js, or the title it sets itself.
// A false match only costs a watch.
func cmdlineRuns(cmdline []byte, binaries []string) bool {
	for arg := 0; arg < 2 && len(cmdline) > 0; arg++ {
		a := cmdline
		if j := bytes.IndexByte(cmdline, 0); j >= 0 {
			a, cmdline = cmdline[:j], cmdline[j+1:]
		} else {
			cmdline = nil
		}
		for len(a) > 0 {
			el := a
			if j := bytes.IndexAny(a, `/\ `); j >= 0 {
				el, a = a[:j], a[j+1:]
			} else {
				a = nil
			}
			if len(el) > 4 && bytes.EqualFold(el[len(el)-4:], []byte(".exe")) {
				el = el[:len(el)-4]
			} else if len(el) > 3 && bytes.EqualFold(el[len(el)-3:], []byte(".js")) {
				el = el[:len(el)-3]
			}
			for _, b := range binaries {
				if bytes.EqualFold(el, []byte(b)) || len(el) == len(b)+5 && bytes.EqualFold(el, []byte(b+"-code")) {
					return true
				}
			}
		}
	}
	return false
}
