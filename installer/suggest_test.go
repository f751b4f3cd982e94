package installer

import (
	"errors"
	"testing"
)

func TestSuggestTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"claud", "claude"},            // a start: the shortest id that starts so
		{"claude-d", "claude-desktop"}, // a longer start picks the longer id
		{"curser", "cursor"},           // one substitution
		{"CODX", "codex"},              // case does not count, one insertion
		{"open-code", "opencode"},      // one extra character
		{"vs code", "vscode"},          // a space where none belongs
		{"gemnii", "gemini"},           // a transposition costs two
		{"zd", "zed"},                  // short: one edit at most
		{"xy", ""},                     // nothing close
		{"", ""},
		{"emacs", ""},
	} {
		if got := SuggestTarget(tc.in); got != tc.want {
			t.Errorf("SuggestTarget(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseTargetID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want, suggestion string
		ok                   bool
	}{
		{"claude", "claude", "", true},
		{"Claude", "claude", "", true},
		{" CURSOR ", "cursor", "", true},
		{"Claude-Desktop", "claude-desktop", "", true},
		{"claud", "", "claude", false},
		{"nope-nope", "", "", false},
	} {
		got, err := ParseTargetID(tc.in)
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("ParseTargetID(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		var u *UnknownTargetError
		if !errors.As(err, &u) || u.Suggestion != tc.suggestion {
			t.Errorf("ParseTargetID(%q): error %v, want an UnknownTargetError suggesting %q", tc.in, err, tc.suggestion)
		}
	}
}

// TestPlanTargetsIgnoreCase: a plan takes ids in any case and writes the
// canonical one, so the manifest and the event name agents one way.
func TestPlanTargetsIgnoreCase(t *testing.T) {
	t.Parallel()
	env := Env{Home: t.TempDir(), ProjectDir: t.TempDir(), Getenv: func(string) string { return "" }, GOOS: "linux"}
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"CURSOR", "cursor", "Codex"}, Scope: ScopeLocal,
		Server: Server{Command: "codegraph", Args: []string{"serve", "--mcp"}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range p.Changes {
		ids = append(ids, c.Target)
	}
	if len(ids) != 2 || ids[0] != "cursor" || ids[1] != "codex" {
		t.Errorf("targets %v, want [cursor codex]", ids)
	}
}
