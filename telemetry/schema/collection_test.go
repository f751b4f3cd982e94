package schema

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// TestCollectionIsPinned: the events and fields collected are pinned to
// CollectionVersion, so that a release cannot collect more under a consent
// given for less. Changing an event, a field or what bounds it without a
// bump fails here, even with -update; a bumped version is pinned by
// running the tests with -update once, and needs its line in Changes.
func TestCollectionIsPinned(t *testing.T) {
	path := testkit.GoldenPath(fmt.Sprintf("schema/collection-v%d.txt", CollectionVersion))
	got := CollectedList()
	want, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && testkit.Updating():
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	case err != nil:
		t.Fatalf("collection version %d is not pinned (%v): run go test ./telemetry/schema/ -update", CollectionVersion, err)
	}
	if string(want) != got {
		t.Errorf("what is collected changed, but CollectionVersion is still %d: bump it, say what is new in Changes (the notice shows it to everyone whose consent covers less), and run with -update to pin the new list.\n%s",
			CollectionVersion, lineDiffText(string(want), got))
	}
	for v := 1; v <= CollectionVersion; v++ {
		if strings.TrimSpace(Changes[v]) == "" {
			t.Errorf("Changes[%d] is empty: say what version %d added", v, v)
		}
	}
}

// lineDiffText lists the lines only one side has.
func lineDiffText(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// TestNewSince: what is new since a covered version, in order.
func TestNewSince(t *testing.T) {
	if got := NewSince(CollectionVersion); got != "" {
		t.Errorf("NewSince(current) = %q, want nothing", got)
	}
	if got := NewSince(0); !strings.Contains(got, Changes[1]) {
		t.Errorf("NewSince(0) = %q, want it to name version 1's list", got)
	}
}
