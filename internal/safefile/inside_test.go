package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestInside(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	project := filepath.Join(base, "project")
	elsewhere := filepath.Join(base, "elsewhere")
	for _, d := range []string{filepath.Join(project, "real"), elsewhere} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(project, name)); err != nil {
			t.Skip("no symlinks here:", err)
		}
	}
	link(elsewhere, ".cursor")
	link("real", ".inner")
	link(filepath.Join(elsewhere, "mcp.json"), ".mcp.json")
	link(filepath.Join(base, "nothing"), ".dangling")
	// The project itself reached through a link is fine.
	viaLink := filepath.Join(base, "alias")
	if err := os.Symlink(project, viaLink); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		root, path string
		outside    bool
		link       string
	}{
		{project, filepath.Join(project, ".vscode", "mcp.json"), false, ""},
		{project, filepath.Join(project, ".inner", "mcp.json"), false, ""},
		{viaLink, filepath.Join(viaLink, ".inner", "x", "y.json"), false, ""},
		{project, filepath.Join(project, ".cursor", "mcp.json"), true, filepath.Join(project, ".cursor")},
		{project, filepath.Join(project, ".cursor", "deep", "mcp.json"), true, filepath.Join(project, ".cursor")},
		{project, filepath.Join(project, ".mcp.json"), true, filepath.Join(project, ".mcp.json")},
		{project, filepath.Join(project, ".dangling"), true, filepath.Join(project, ".dangling")},
		{viaLink, filepath.Join(viaLink, ".cursor", "mcp.json"), true, filepath.Join(viaLink, ".cursor")},
	}
	for _, tt := range tests {
		err := Inside(tt.root, tt.path)
		var oe *OutsideError
		if got := errors.As(err, &oe); got != tt.outside {
			t.Errorf("Inside(%s) = %v, want outside=%v", tt.path, err, tt.outside)
			continue
		}
		if tt.outside {
			if !errors.Is(err, ErrOutside) || oe.Link != tt.link {
				t.Errorf("Inside(%s): link %q, want %q (%v)", tt.path, oe.Link, tt.link, err)
			}
		}
	}
	err := Inside(project, filepath.Join(project, ".cursor", "mcp.json"))
	if want := filepath.Join(elsewhere, "mcp.json"); err.(*OutsideError).Real != want {
		t.Errorf("real path %q, want %q", err.(*OutsideError).Real, want)
	}
}
