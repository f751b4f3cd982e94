package installer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// PathLookup returns exec.LookPath over the PATH (and, on Windows, PATHEXT)
// that getenv gives, for the OS goos: detection and command resolution
// follow the environment the installer was given, not the process's own,
// so tests stay hermetic and a caller can ask what another program's PATH
// would find.
func PathLookup(getenv func(string) string, goos string) func(string) (string, error) {
	return func(file string) (string, error) {
		exts := []string{""}
		if goos == "windows" {
			exts = []string{".com", ".exe", ".bat", ".cmd"}
			if v := getenv("PATHEXT"); v != "" {
				exts = strings.Split(strings.ToLower(v), ";")
			}
		}
		for _, dir := range filepath.SplitList(getenv("PATH")) {
			if dir == "" {
				continue
			}
			for _, ext := range exts {
				p := filepath.Join(dir, file+ext)
				fi, err := os.Stat(p)
				if err == nil && !fi.IsDir() && (goos == "windows" || fi.Mode()&0o111 != 0) {
					return p, nil
				}
			}
		}
		return "", &exec.Error{Name: file, Err: exec.ErrNotFound}
	}
}
