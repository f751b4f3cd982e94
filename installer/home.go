package installer

import (
	"fmt"
	"path/filepath"
)

// LocalInHomeError refuses the local scope when the project directory is
// the home directory: there, the project files of Cursor, Codex, Gemini
// CLI, Kiro, Amazon Q and others are their global files, and the local
// install manifest is the global one, so a "local" install would silently
// change the global setup.
type LocalInHomeError struct{ Home string }

func (e *LocalInHomeError) Error() string {
	return fmt.Sprintf("the project directory is your home directory (%s): there, \"local\" files are the global ones of most agents (~/.cursor/mcp.json, ~/.codex/config.toml, ~/.gemini/settings.json, …) and the local manifest is the global one", e.Home)
}

// ProjectIsHome reports whether env's project directory is the home
// directory (after following symlinks).
func ProjectIsHome(env Env) bool {
	if env.ProjectDir == "" || env.Home == "" {
		return false
	}
	return sameDir(env.ProjectDir, env.Home)
}

func sameDir(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return ra == rb
}
