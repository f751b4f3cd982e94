package installer

import (
	"path/filepath"
	"strings"
)

// DisplayPath is path as messages show it: "~/..." under home (the way
// people name their config files, and shorter), unchanged elsewhere.
func DisplayPath(home, path string) string {
	if home == "" || path == "" {
		return path
	}
	rel, err := filepath.Rel(filepath.Clean(home), filepath.Clean(path))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return path
	}
	if rel == "." {
		return "~"
	}
	return "~" + string(filepath.Separator) + rel
}
