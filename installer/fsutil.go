package installer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/getcodegraph/codegraph-install/internal/atomicfile"
	"github.com/getcodegraph/codegraph-install/internal/safefile"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
)

// BackupPath is where the previous content of a config file is kept before
// each write (statedir.Dir.Backup names it).
func BackupPath(env Env, file string) string {
	return statedir.ForHome(env.Home).Backup(file)
}

// writeBackup keeps content as the backup of file, owner-only: a user's
// config may hold secrets (env entries), whatever its own mode.
func writeBackup(env Env, file string, content []byte) error {
	if err := statedir.ForHome(env.Home).EnsureBackups(); err != nil {
		return err
	}
	return atomicfile.Write(BackupPath(env, file), content, 0o600, atomicfile.Durable)
}

// resolve follows a symlinked config file to the file it points at, so the
// atomic rename replaces the target and keeps the link.
func resolve(path string) string {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real
	}
	return path
}

// MaxConfigSize is the largest config file the installer reads; anything
// past it is refused before it is read, never parsed. Agent configs are
// kilobytes, but Claude Code keeps its history in ~/.claude.json, which
// users have seen reach 8 MB, 65 MB and 101 MB
// (github.com/anthropics/claude-code issues 10592, 6394, 2593), so this is
// not lowered below 64 MiB: at it the JSONC editor allocates about 2 bytes
// per input byte and its worst shape takes about 2 s (BENCHMARKS.md). The
// TOML and YAML packages have their own, lower caps (their parsers cost
// more per byte; their files are small).
const MaxConfigSize = 64 << 20

// entrySlack is the room our entry takes: a file an install edited just
// under MaxConfigSize is over it by our entry, and must still be read back,
// checked by doctor and undone by uninstall (an install refuses a file
// over MaxConfigSize itself: refuseOverCap).
const entrySlack = 64 << 10

// refuseOverCap refuses to edit a file over MaxConfigSize that readConfig
// read within the slack.
func refuseOverCap(path string, b []byte) error {
	if len(b) > MaxConfigSize {
		return tooBig(path, int64(len(b)))
	}
	return nil
}

// readConfig returns the file's bytes, whether it exists, and its mode. It
// refuses what is not a regular file (a directory, a FIFO that would block
// the read) and a file over MaxConfigSize (and the slack for our entry),
// without reading it.
func readConfig(path string) ([]byte, bool, fs.FileMode, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, 0, nil
	}
	if err != nil {
		return nil, false, 0, ioError(path, "read", err)
	}
	switch {
	case fi.IsDir():
		return nil, false, 0, &FileError{Path: path, What: "is a directory, not a config file", Fix: "move it aside"}
	case !fi.Mode().IsRegular():
		return nil, false, 0, &FileError{Path: path, What: "is not a regular file (it is " + fileKind(fi.Mode()) + "), so it was not read",
			Fix: "replace it with a regular file or remove it"}
	case fi.Size() > MaxConfigSize+entrySlack:
		return nil, false, 0, tooBig(path, fi.Size())
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, 0, nil
	}
	if err != nil {
		return nil, false, 0, ioError(path, "read", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+entrySlack+1))
	if err != nil {
		return nil, false, 0, ioError(path, "read", err)
	}
	if len(b) > MaxConfigSize+entrySlack {
		return nil, false, 0, tooBig(path, int64(len(b)))
	}
	return b, true, fi.Mode().Perm(), nil
}

// tooBig refuses a file over MaxConfigSize, unread.
func tooBig(path string, size int64) error {
	return &FileError{Path: path,
		What: fmt.Sprintf("is larger than %d MiB (%d bytes), more than any agent's config, so it was not read", MaxConfigSize>>20, size),
		Fix:  "check where it came from, and trim it or move it aside"}
}

// fileKind names what stands where a file should be.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "not a plain file"
}

// mkdirs creates dir and missing parents, returning those it created,
// outermost first.
func mkdirs(dir string, mode fs.FileMode) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append([]string{d}, missing...)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, mode); err != nil {
		return nil, ioError(dir, "created", err)
	}
	return missing, nil
}

// removeEmptyDirs removes the directories we created, deepest first, while
// they are empty.
func removeEmptyDirs(dirs []string) {
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Remove(dirs[i]); err != nil {
			return // not empty, or gone: leave it and its parents
		}
	}
}

// insideProject refuses a path of the project that a symbolic link leads
// out of the project (a cloned repository can ship .cursor -> ~/.cursor):
// such a path is never written or deleted through.
func insideProject(env Env, path string) error {
	err := safefile.Inside(env.ProjectDir, path)
	var oe *safefile.OutsideError
	if !errors.As(err, &oe) {
		return nil
	}
	what := fmt.Sprintf("leads outside the project, to %s (%s is a symbolic link), so %s does not write or delete through it", oe.Real, oe.Link, Program)
	if oe.Real == "" {
		what = fmt.Sprintf("is reached through %s, a symbolic link that leads nowhere, so %s does not write or delete through it", oe.Link, Program)
	}
	return &FileError{Path: path, Err: err, What: what,
		Fix: "replace the link with a real folder or file inside the project"}
}
