package statedir

import (
	"os"
	"path/filepath"
	"testing"

	_ "github.com/getcodegraph/codegraph-install/internal/golden"
)

func TestEnsureIsOwnerOnly(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	d := ForHome(home)
	if err := os.MkdirAll(d.Root(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := d.Ensure(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(d.Root())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("mode = %v, want 0700", fi.Mode().Perm())
	}
	if got, want := d.TelemetryConfig(), filepath.Join(home, ".codegraph", "telemetry.json"); got != want {
		t.Errorf("TelemetryConfig = %q, want %q", got, want)
	}
	if m, _ := filepath.Match(d.SendingPattern(), d.Sending("abc")); !m {
		t.Errorf("Sending(%q) does not match SendingPattern", d.Sending("abc"))
	}
}
