package installcli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// binDir holds the real binaries the scripts run, built once per test run
// from this repository (with the testclock tag, so scripts can move the
// clock with CODEGRAPH_TEST_NOW; release builds ignore that variable).
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "codegraph-bin-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := func() int {
		defer os.RemoveAll(dir)
		if err := buildBinaries(dir); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

func buildBinaries(dir string) error {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	tags := "testclock"
	if proBuild {
		tags += ",pro"
	}
	cmd := exec.Command("go", "build", "-tags", tags, "-o", filepath.Join(dir, "codegraph-install"+exe), "./cmd/codegraph-install")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return &buildError{out: string(out), err: err}
	}
	data, err := os.ReadFile(filepath.Join(dir, "codegraph-install"+exe))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "codegraph"+exe), data, 0o755)
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// TestScripts runs each user story in testdata/script against the real
// binary, each in its own temporary HOME.
func TestScripts(t *testing.T) {
	t.Parallel()
	dir := "testdata/script"
	if proBuild {
		dir = "testdata/script-pro"
	}
	testscript.Run(t, testscript.Params{
		Dir: dir,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			home := filepath.Join(env.WorkDir, "home")
			env.Setenv("HOME", home)
			env.Setenv("USERPROFILE", home)
			// Telemetry never leaves loopback in tests: a closed port.
			env.Setenv("CODEGRAPH_TELEMETRY_ENDPOINT", "http://127.0.0.1:9/v1/events")
			for _, k := range []string{"DO_NOT_TRACK", "CODEGRAPH_TELEMETRY", "CI", "CODEGRAPH_TELEMETRY_DEBUG", "XDG_CONFIG_HOME", "CODEX_HOME"} {
				env.Setenv(k, "")
			}
			return os.MkdirAll(home, 0o700)
		},
	})
}
