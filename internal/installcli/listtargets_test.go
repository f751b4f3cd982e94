package installcli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/installcli"
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

// TestListTargetsEveryOS: --list-targets --json for macOS and Windows, as
// a machine of each would print it (the paths are computed for that OS;
// the Linux list is TestListTargets').
func TestListTargetsEveryOS(t *testing.T) {
	t.Parallel()
	for _, goos := range []string{"darwin", "windows"} {
		w := newWorld(t)
		var out, errb bytes.Buffer
		code := installcli.Run(context.Background(), installcli.Env{
			Program: "codegraph-install", Args: []string{"--list-targets", "--json"},
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
			Getenv: func(k string) string { return w.env[k] },
			Home:   w.home, Cwd: w.project, Now: time.Now, GOOS: goos,
		})
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", goos, code, errb.String())
		}
		s := strings.ReplaceAll(out.String(), w.project, "$PROJECT")
		s = strings.ReplaceAll(s, w.home, "$HOME")
		testkit.Golden(t, "cli/list-targets-"+goos+".json", []byte(s))
		var got struct {
			OS      string
			Targets []struct {
				ID     string
				Scopes []string
				Paste  string
				OnlyOn string `json:"only_on"`
			}
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.OS != goos {
			t.Fatalf("%s: os %q (%v)", goos, got.OS, err)
		}
		for _, tg := range got.Targets {
			if len(tg.Scopes) == 0 && tg.Paste == "" && tg.OnlyOn == "" {
				t.Errorf("%s: %s has no file and no reason", goos, tg.ID)
			}
		}
	}
}
