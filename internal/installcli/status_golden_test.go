package installcli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/installcli"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// runCLI runs one command line in-process with a temp home and returns the
// exit code, stdout and stderr, with the home path replaced by $HOME.
func runCLI(t *testing.T, home string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := installcli.Run(context.Background(), installcli.Env{
		Program: "codegraph",
		Args:    args,
		Stdout:  &stdout,
		Stderr:  &stderr,
		Getenv:  func(k string) string { return env[k] },
		Home:    home,
		Cwd:     home,
		Now:     func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) },
	})
	clean := func(s string) string { return strings.ReplaceAll(s, home, "$HOME") }
	return code, clean(stdout.String()), clean(stderr.String())
}

// pendingQueue holds two counts of 2026-11-25 (the day runCLI's clock is
// in), one of the day before and an uninstall event.
const pendingQueue = `{"event":"usage_rollup","ts":"2026-11-25T09:00:00Z","props":{"kind":"cli_command","name":"init","count":2}}
{"event":"usage_rollup","ts":"2026-11-25T09:30:00Z","props":{"kind":"cli_command","name":"doctor","count":1}}
{"event":"usage_rollup","ts":"2026-11-24T18:00:00Z","props":{"kind":"cli_command","name":"init","count":1}}
{"event":"uninstall","ts":"2026-11-24T18:00:00Z","props":{"targets":["claude"]}}
`

func TestStatusGolden(t *testing.T) {
	t.Parallel()
	const (
		stored = `{"enabled":false,"machine_id":"","consent_source":"installer","first_run_notice_shown":false,"updated_at":"2026-11-01T00:00:00Z"}`
		on     = `{"enabled":true,"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77","consent_source":"cli","first_run_notice_shown":false,"updated_at":"2026-11-01T00:00:00Z"}`
		notice = `{"enabled":true,"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77","consent_source":"default-notice","first_run_notice_shown":true,"updated_at":"2026-11-01T00:00:00Z"}`
	)
	for _, tc := range []struct {
		name   string
		env    map[string]string
		config string
		// symlink puts a symlink to config's content in place of the file.
		symlink bool
		// queue is the queue file's content; queueLink puts a symlink
		// (to a file elsewhere) in its place instead.
		queue     string
		queueLink bool
	}{
		{name: "default"},
		{name: "notice-shown", config: notice},
		{name: "config", config: stored},
		{name: "config-on", config: on},
		{name: "env", env: map[string]string{"CODEGRAPH_TELEMETRY": "maybe"}, config: stored},
		{name: "do-not-track", env: map[string]string{"DO_NOT_TRACK": "1"}},
		{name: "broken-config", config: `{"enabled":`},
		{name: "symlink", config: on, symlink: true},
		// Counts of today (the clock says 2026-11-25) wait for the day to
		// end; yesterday's count and a lifecycle event are ready.
		{name: "pending", config: notice, queue: pendingQueue},
		{name: "queue-symlink", config: notice, queueLink: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			if tc.config != "" {
				path := filepath.Join(home, ".codegraph", "telemetry.json")
				os.MkdirAll(filepath.Dir(path), 0o700)
				if tc.symlink {
					target := filepath.Join(home, "elsewhere.json")
					os.WriteFile(target, []byte(tc.config), 0o600)
					if err := os.Symlink(target, path); err != nil {
						t.Skipf("symlink: %v", err)
					}
				} else {
					os.WriteFile(path, []byte(tc.config), 0o600)
				}
			}
			if tc.queue != "" || tc.queueLink {
				path := filepath.Join(home, ".codegraph", "telemetry-queue.jsonl")
				os.MkdirAll(filepath.Dir(path), 0o700)
				if tc.queueLink {
					target := filepath.Join(home, "elsewhere.jsonl")
					os.WriteFile(target, nil, 0o600)
					if err := os.Symlink(target, path); err != nil {
						t.Skipf("symlink: %v", err)
					}
				} else {
					os.WriteFile(path, []byte(tc.queue), 0o600)
				}
			}
			name := "cli/status-" + tc.name
			if proBuild {
				name += "-pro"
			}
			code, out, errOut := runCLI(t, home, tc.env, "telemetry", "status")
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			testkit.Golden(t, name+".txt", []byte(out))
			code, out, _ = runCLI(t, home, tc.env, "telemetry", "status", "--json")
			if code != 0 {
				t.Fatalf("exit %d", code)
			}
			testkit.Golden(t, name+".json", []byte(out))
		})
	}
}
