package installer

import (
	"path/filepath"
	"regexp"
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

// TildeHome rewrites every path in the message text msg that is home or
// under it as "~" or "~/...": messages name files the way their owner
// does. A longer name that only starts like home ("/home/ada2") is left.
func TildeHome(msg, home string) string {
	if home == "" {
		return msg
	}
	home = filepath.Clean(home)
	if home == string(filepath.Separator) {
		return msg
	}
	re := regexp.MustCompile(regexp.QuoteMeta(home) + `([/\\)\s,;:'"` + "`" + `]|$)`)
	return re.ReplaceAllString(msg, "~$1")
}
