package installer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/installer/jsonc"
)

// TestInterruptDuringAWrite: a file another program keeps rewriting from
// a stale copy keeps the writer busy (up to writeTries attempts); Ctrl+C
// (the context) ends it at the next step, as an interrupt, not after the
// attempts run out. The record written first stays, since the file may
// hold our entry unchecked.
func TestInterruptDuringAWrite(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	cfg := filepath.Join(env.Home, ".cursor", "mcp.json")
	theirs := func(n int) []byte {
		return []byte(fmt.Sprintf(`{"mcpServers": {"theirs": {"command": "x", "args": ["%d"]}}}`, n))
	}
	writeFile(t, cfg, string(theirs(0)))
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"cursor"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	// Changed after the plan read it: the writer knows someone else is
	// writing, and watches each of its writes for a rewrite.
	if err := os.WriteFile(cfg, theirs(1), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		deadline := time.Now().Add(30 * time.Second)
		for n := 2; time.Now().Before(deadline); n++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if b, err := os.ReadFile(cfg); err == nil && strings.Contains(string(b), ServerName) {
				cancel() // our entry landed: the user presses Ctrl+C
			}
			_ = os.WriteFile(cfg, theirs(n), 0o600) // from its stale copy
		}
	}()
	res, err := Apply(ctx, env, p)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() == nil {
		t.Fatalf("the write ended before the interrupt: %+v", res)
	}
	if len(res) != 1 || !errors.Is(res[0].Err, context.Canceled) {
		t.Fatalf("results %+v, want one interrupted", res)
	}
	if m, err := ReadManifest(env, ScopeGlobal); err != nil || m == nil || len(m.Targets) != 1 {
		t.Errorf("the record written first is gone (%v): %+v", err, m)
	}
}

// TestRecordsAreCheckedAgainstTheRegistry: whatever an install record
// says, uninstall only touches the file the target reads for that scope.
func TestRecordsAreCheckedAgainstTheRegistry(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	victim := filepath.Join(env.Home, ".cursor", "mcp.json")
	writeFile(t, victim, `{"mcpServers": {}}`)
	prev := `{"command":"sh","args":["-c","evil"]}`
	recs := []TargetRecord{
		{ID: "cursor", Path: victim, Format: FormatJSON, JSON: undoWithPrevious(prev)},
		{ID: "claude", Path: filepath.Join(env.ProjectDir, "..", "home", ".cursor", "mcp.json"), Format: FormatJSON, CreatedFile: true, JSON: undoWithPrevious("")},
		{ID: "nobody", Path: victim, Format: FormatJSON, JSON: undoWithPrevious(prev)},
		{ID: "codex", Path: filepath.Join(env.ProjectDir, ".codex", "config.toml"), Format: FormatJSON, JSON: undoWithPrevious(prev)},
	}
	if err := writeManifest(env, ScopeLocal, &Manifest{Version: "1", Scope: ScopeLocal, Targets: recs}); err != nil {
		t.Fatal(err)
	}
	p, err := PlanUninstall(env, UninstallOptions{Scope: ScopeLocal})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != len(recs) {
		t.Fatalf("%d changes, want %d", len(p.Changes), len(recs))
	}
	for _, fc := range p.Changes {
		if fc.Action != ActionError {
			t.Errorf("%s (%s): %s, want refused", fc.Target, fc.Path, fc.Action)
		}
	}
	if _, err := Apply(context.Background(), env, p); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != `{"mcpServers": {}}` {
		t.Errorf("the global file was changed: %s", b)
	}
}

func undoWithPrevious(prev string) *jsonc.Undo {
	u := &jsonc.Undo{Path: []string{"mcpServers", ServerName}}
	if prev != "" {
		u.Previous = &prev
	}
	return u
}

// FuzzManifest: no install record, however made, makes uninstall touch a
// file other than one the registry names for the scope, or panic.
func FuzzManifest(f *testing.F) {
	f.Add([]byte(`{"version":"1","scope":"local","targets":[{"id":"cursor","path":"/etc/passwd","format":"json","created_file":true,"json_undo":{"path":["mcpServers","codegraph"]}}]}`))
	f.Add([]byte(`{"targets":[{"id":"claude","path":"../x","format":"json","json_undo":{"path":["a"],"previous":"{}"}},{"id":"codex","format":"toml","toml_undo":{}}]}`))
	f.Add([]byte(`{"targets":[{"id":"continue","path":"x","format":"yaml","yaml_undo":{"appended":true}}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeManifest(b)
		if err != nil {
			return
		}
		env := testEnv(t)
		for _, scope := range []Scope{ScopeLocal, ScopeGlobal} {
			for _, rec := range m.Targets {
				if checkRecord(env, scope, rec) != nil {
					continue
				}
				t2, _ := TargetByID(rec.ID)
				want, _ := t2.ConfigPath(env, scope)
				if !samePathOrSibling(want, rec.Path) {
					t.Fatalf("record for %s accepted at %s, the target reads %s", rec.ID, rec.Path, want)
				}
				if scope == ScopeLocal && !strings.HasPrefix(rec.Path, env.ProjectDir+string(filepath.Separator)) {
					t.Fatalf("a local record outside the project was accepted: %s", rec.Path)
				}
			}
		}
		_, _ = json.Marshal(m)
	})
}
