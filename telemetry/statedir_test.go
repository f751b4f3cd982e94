//go:build unix && !pro

package telemetry

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestStateDirRefused: ~/.codegraph itself a symbolic link (to a directory
// holding a consent file that says on and a queue with an event due), or a
// file, is refused like the files inside it: telemetry is off and the
// reason names the path once; recording, persisting, flushing, showing,
// pending, the sent log and deleting the queue read, write and delete
// nothing through it, and no connection is made.
func TestStateDirRefused(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"symlink", "file"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := newCollector(t, http.StatusNoContent)
			home := testkit.Home(t)
			elsewhere := t.TempDir()
			root := filepath.Join(home, ".codegraph")
			switch kind {
			case "symlink":
				setChoiceOn(t, elsewhere) // elsewhere/.codegraph holds a real state
				writeQueue(t, elsewhere, `{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`+"\n")
				if err := os.Symlink(filepath.Join(elsewhere, ".codegraph"), root); err != nil {
					t.Skip(err)
				}
			case "file":
				if err := os.WriteFile(root, []byte("not a directory"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			before := snapshot(t, elsewhere)
			rootBefore := snapshot(t, home)
			c := New(Options{Home: home, Getenv: func(k string) string { return map[string]string{EnvEndpoint: srv.srv.URL}[k] }, Now: func() time.Time { return day1.Add(48 * time.Hour) }})
			d := c.Decide()
			want := statedir.ErrSymlink
			if kind == "file" {
				want = statedir.ErrNotDirectory
			}
			if d.Enabled || !errors.Is(d.ConfigErr, want) || strings.Count(d.Reason, root) != 1 {
				t.Errorf("Decide = on %v, %v, reason %q", d.Enabled, d.ConfigErr, d.Reason)
			}
			c.Counter(schema.UsageCLICommand, "init").Record(true)
			c.Emit(UninstallEvent(nil))
			c.Persist()
			if r := c.Flush(context.Background()); !r.Off {
				t.Errorf("Flush = %+v, want off", r)
			}
			if b := c.Show(); len(b) != 0 {
				t.Errorf("Show = %q", b)
			}
			if p := c.Pending(); p.Ready+p.WaitingForDayEnd != 0 {
				t.Errorf("Pending read through it: %+v", p)
			}
			if _, err := c.Sent(); !errors.Is(err, want) {
				t.Errorf("Sent: %v", err)
			}
			if err := c.DeleteQueue(); !errors.Is(err, want) {
				t.Errorf("DeleteQueue: %v", err)
			}
			if err := statedir.ForHome(home).Ensure(); !errors.Is(err, want) {
				t.Errorf("Ensure: %v", err)
			}
			c.Close()
			if n := srv.conns.Load(); n != 0 {
				t.Errorf("%d connections", n)
			}
			if after := snapshot(t, elsewhere); after != before {
				t.Errorf("through the link:\nbefore %s\nafter  %s", before, after)
			}
			if after := snapshot(t, home); after != rootBefore {
				t.Errorf("in the home:\nbefore %s\nafter  %s", rootBefore, after)
			}
		})
	}
}
