package installcli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/getcodegraph/codegraph-install/internal/harness"
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
		tags := []string{"testclock"}
		if proBuild {
			tags = append(tags, "pro")
		}
		if _, err := harness.Build(context.Background(), dir, tags...); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

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
			env.Setenv("BINDIR", binDir) // to copy a binary somewhere else
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
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mcp-session": mcpSession,
		},
	})
}

// mcpSession runs `BINARY serve --mcp` as an agent does: it initialises,
// lists the tools and calls codegraph_status once, keeping stdin open until
// each answer arrives, as a host does. The server's stdout lines become the
// script's stdout.
//
//	mcp-session BINARY
func mcpSession(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: mcp-session BINARY")
	}
	var env []string
	for _, k := range []string{"HOME", "USERPROFILE", "PATH", "CODEGRAPH_TELEMETRY_ENDPOINT", "CODEGRAPH_TELEMETRY", "DO_NOT_TRACK"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	out, stderr, _, err := harness.MCPSession(context.Background(), ts.MkAbs(args[0]), env, ts.MkAbs("."), "testscript", "1", 1)
	ts.Stdout().Write([]byte(strings.Join(out, "\n") + "\n"))
	ts.Stderr().Write([]byte(stderr))
	if err != nil && !neg {
		ts.Fatalf("mcp-session: %v", err)
	}
	if err == nil && neg {
		ts.Fatalf("mcp-session succeeded")
	}
}
