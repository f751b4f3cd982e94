//go:build unix

package installcli_test

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// TestStateDirRefused: ~/.codegraph itself a symbolic link (to a directory
// holding a consent file that says on and a queue with an event due) or a
// file is refused like the files inside it. `telemetry status` says
// telemetry is off and why (goldens); on, off and reset exit 1 saying that
// nothing was stored or deleted; flush says telemetry is off and makes no
// connection; log refuses to read through it; and nothing through the link
// changes (the commands' own counts included).
func TestStateDirRefused(t *testing.T) {
	t.Parallel()
	const on = `{"enabled":true,"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77","consent_source":"cli","first_run_notice_shown":false,"updated_at":"2026-11-01T00:00:00Z"}`
	for _, kind := range []string{"symlink", "file"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			var conns atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				conns.Add(1)
				w.WriteHeader(http.StatusNoContent)
			}))
			defer srv.Close()
			home, elsewhere := t.TempDir(), t.TempDir()
			root := filepath.Join(home, ".codegraph")
			if kind == "symlink" {
				os.WriteFile(filepath.Join(elsewhere, "telemetry.json"), []byte(on), 0o644)
				os.WriteFile(filepath.Join(elsewhere, "telemetry-queue.jsonl"), []byte(pendingQueue), 0o644)
				os.WriteFile(filepath.Join(elsewhere, "telemetry-sent.jsonl"), []byte(`{"time":"2026-11-24T00:00:00Z","status":204,"endpoint":"e","body":"b"}`+"\n"), 0o644)
				if err := os.Symlink(elsewhere, root); err != nil {
					t.Skip(err)
				}
			} else {
				os.WriteFile(root, []byte("a file"), 0o644)
			}
			before := tree(t, home) + tree(t, elsewhere)
			// status makes no connection: a fixed endpoint for the goldens.
			statusEnv := map[string]string{"CODEGRAPH_TELEMETRY_ENDPOINT": "http://127.0.0.1:9/v1/events"}
			env := map[string]string{"CODEGRAPH_TELEMETRY_ENDPOINT": srv.URL}

			name := "cli/status-statedir-" + kind
			if proBuild {
				name += "-pro"
			}
			code, out, errOut := runCLI(t, home, statusEnv, "telemetry", "status")
			if code != 0 || errOut != "" {
				t.Fatalf("status: exit %d, stderr %q", code, errOut)
			}
			testkit.Golden(t, name+".txt", []byte(out))
			code, out, _ = runCLI(t, home, statusEnv, "telemetry", "status", "--json")
			if code != 0 {
				t.Fatalf("status --json: exit %d", code)
			}
			testkit.Golden(t, name+".json", []byte(out))

			for _, cmd := range []string{"on", "off", "reset"} {
				code, _, errOut := runCLI(t, home, env, "telemetry", cmd)
				if code != 1 || !strings.Contains(errOut, "~/.codegraph") || !strings.Contains(errOut, "nothing was stored or deleted") {
					t.Errorf("telemetry %s: exit %d, stderr %q", cmd, code, errOut)
				}
			}
			code, _, errOut = runCLI(t, home, env, "telemetry", "flush")
			if want := "telemetry is off"; code != 0 || !strings.HasPrefix(errOut, want) {
				t.Errorf("flush: exit %d, stderr %q", code, errOut)
			}
			if !proBuild {
				code, out, errOut = runCLI(t, home, env, "telemetry", "log")
				if code != 1 || out != "" || !strings.Contains(errOut, "~/.codegraph") {
					t.Errorf("log: exit %d, stdout %q, stderr %q", code, out, errOut)
				}
			}
			if n := conns.Load(); n != 0 {
				t.Errorf("%d requests", n)
			}
			if after := tree(t, home) + tree(t, elsewhere); after != before {
				t.Errorf("files changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// tree lists every path under root with its mode, size and content,
// without following links.
func tree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		fi, _ := d.Info()
		fmt.Fprintf(&b, "%s %v %d", strings.TrimPrefix(p, root), fi.Mode(), fi.Size())
		if fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, " %q", data)
		}
		b.WriteString("\n")
		return nil
	})
	return b.String()
}
