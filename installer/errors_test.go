package installer

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// TestFileErrorMessages lists the installer's messages for failures a test
// cannot cause on every machine (a full disk, a read-only mount, a
// permission root ignores, an agent that keeps rewriting its file) in
// golden/installer/error-messages.txt; the ones it can cause are run for
// real by internal/installcli's TestErrorMessages (golden/cli/
// error-messages.txt). Each names the file as ~/..., says what happened
// and what to do next, and names no Go package.
func TestFileErrorMessages(t *testing.T) {
	t.Parallel()
	home := "/home/ada"
	env := Env{Home: home}
	cfg := filepath.Join(home, ".cursor", "mcp.json")
	pathErr := func(op string, errno syscall.Errno) error {
		// What the operating system returns, as os and atomicfile wrap it.
		return fmt.Errorf("write %s: %w", cfg, &fs.PathError{Op: op, Path: cfg + ".codegraph-tmp-1", Err: errno})
	}
	w := writer{env: env, path: cfg, agent: "Cursor"}
	cases := []struct {
		name string
		op   Operation
		err  error
	}{
		{"write refused (permission)", OpInstall, ioError(cfg, "written", pathErr("open", syscall.EACCES))},
		{"disk full", OpInstall, ioError(cfg, "written", pathErr("write", syscall.ENOSPC))},
		{"read-only file system", OpUninstall, ioError(cfg, "written", pathErr("open", syscall.EROFS))},
		{"read refused", OpInstall, ioError(cfg, "read", &fs.PathError{Op: "open", Path: cfg, Err: syscall.EACCES})},
		{"folder cannot be created", OpInstall, ioError(filepath.Dir(cfg), "created", &fs.PathError{Op: "mkdir", Path: filepath.Dir(cfg), Err: syscall.EACCES})},
		{"removal refused", OpUninstall, ioError(cfg, "removed", &fs.PathError{Op: "remove", Path: cfg, Err: syscall.EPERM})},
		{"backup failed before the write (disk full)", OpInstall, backupError(env, cfg, cfg, pathErr("write", syscall.ENOSPC))},
		{"record failed before any write (disk full)", OpInstall, recordFirstError(filepath.Join(home, ".codegraph", "install.json"), pathErr("write", syscall.ENOSPC))},
		{"manifest not written", OpInstall, manifestWriteError(filepath.Join(home, ".codegraph", "install.json"), pathErr("open", syscall.EACCES))},
		{"no undo data", OpUninstall, func() error {
			_, _, err := editUninstall(TargetRecord{Path: cfg}, []byte("{}"))
			return err
		}()},
	}
	var out bytes.Buffer
	for _, tc := range cases {
		msg := localize(env, tc.op, tc.err).Error()
		fmt.Fprintf(&out, "# %s (%s)\n%s\n\n", tc.name, tc.op, msg)
		if !strings.HasPrefix(msg, "~/") || strings.Contains(msg, home) || strings.Contains(msg, "codegraph-tmp") ||
			strings.Contains(msg, "open ") || strings.Contains(msg, "write /") {
			t.Errorf("%s: %q shows a path the user did not name, or Go's prefix", tc.name, msg)
		}
		var fe *FileError
		if !errors.As(tc.err, &fe) {
			t.Errorf("%s: not a FileError", tc.name)
		}
	}
	// The writer's last word, when the agent kept rewriting its file.
	w.op = OpInstall
	kept := localize(env, OpInstall, &FileError{Path: cfg, Written: true,
		What: fmt.Sprintf("kept changing while %s wrote it (%d attempts), and the codegraph entry is not in it", Program, writeTries),
		Fix:  "quit " + w.agent + ", or wait until it is idle"})
	fmt.Fprintf(&out, "# the agent kept rewriting its file (install)\n%s\n", kept)
	testkit.Golden(t, "installer/error-messages.txt", out.Bytes())
}

// TestUnreadableConfig: a config the user cannot read (a real permission,
// where the test is not root) is reported with the file and what to do.
func TestUnreadableConfig(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	env := testEnv(t)
	path := filepath.Join(env.Home, ".cursor", "mcp.json")
	writeFile(t, path, "{}")
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"cursor"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	want := "~/.cursor/mcp.json could not be read (permission denied); nothing was changed. Check who owns it"
	if c := p.Changes[0]; c.Action != ActionError || !strings.HasPrefix(c.Message, want) {
		t.Errorf("message %q, want it to start %q", c.Message, want)
	}
}
