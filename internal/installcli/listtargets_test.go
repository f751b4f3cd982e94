package installcli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// TestListTargets: every supported agent with its scopes, its config file
// per scope on this OS and whether it is detected; as text and as JSON;
// nothing written, not even a usage count.
func TestListTargets(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the golden files hold Linux paths")
	}
	w := newWorld(t)
	if err := os.MkdirAll(filepath.Join(w.home, ".cursor"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, w.home)
	clean := func(s string) string {
		s = strings.ReplaceAll(s, w.project, "$PROJECT")
		return strings.ReplaceAll(s, w.home, "$HOME")
	}
	r := w.run(t, "", false, "--list-targets")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	testkit.Golden(t, "cli/list-targets.txt", []byte(clean(r.stdout)))

	r = w.run(t, "", false, "--list-targets", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	testkit.Golden(t, "cli/list-targets.json", []byte(clean(r.stdout)))
	var got struct {
		OS      string
		Targets []struct {
			ID       string
			Scopes   []string
			Config   map[string]string
			Detected bool
			Paste    string
			OnlyOn   string `json:"only_on"`
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Targets) < 17 {
		t.Errorf("%d targets, want at least 17", len(got.Targets))
	}
	for _, tg := range got.Targets {
		// Every agent has a file for some scope here, or says why not:
		// it is pasted into, or runs on another OS only.
		if len(tg.Scopes) == 0 && tg.Paste == "" && (tg.OnlyOn == "" || tg.OnlyOn == "Linux") || len(tg.Config) != len(tg.Scopes) {
			t.Errorf("%s: scopes %v config %v", tg.ID, tg.Scopes, tg.Config)
		}
		if tg.Detected != (tg.ID == "cursor") {
			t.Errorf("%s detected = %v", tg.ID, tg.Detected)
		}
	}
	if after := snapshot(t, w.home); len(after) != len(before) {
		t.Errorf("listing wrote files: %v", keys(after))
	}
	if r := w.run(t, "", false, "--json"); r.code != 2 {
		t.Errorf("--json alone: exit %d, want 2", r.code)
	}
}
