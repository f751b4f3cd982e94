package installer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
)

// BackupPath is where the previous content of a config file is kept before
// each write: ~/.codegraph/backups/<file name>.<hash of its full path>.bak.
// Never beside the file: a backup in a project directory would show up in
// the user's `git status` and could be committed by accident. The hash keeps
// two projects' .mcp.json apart; the name keeps the file findable by hand.
func BackupPath(env Env, file string) string {
	sum := sha256.Sum256([]byte(file))
	name := filepath.Base(file) + "." + hex.EncodeToString(sum[:6]) + ".bak"
	return filepath.Join(statedir.ForHome(env.Home).Root(), "backups", name)
}

// writeBackup keeps content as the backup of file, owner-only: a user's
// config may hold secrets (env entries), whatever its own mode.
func writeBackup(env Env, file string, content []byte) error {
	path := BackupPath(env, file)
	if err := statedir.ForHome(env.Home).Ensure(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicWrite(path, content, 0o600)
}

func parentDir(path string) string { return filepath.Dir(path) }

// resolve follows a symlinked config file to the file it points at, so the
// atomic rename replaces the target and keeps the link.
func resolve(path string) string {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real
	}
	return path
}

// readConfig returns the file's bytes, whether it exists, and its mode.
func readConfig(path string) ([]byte, bool, fs.FileMode, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, 0, nil
	}
	if err != nil {
		return nil, false, 0, fmt.Errorf("reading %s: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, false, 0, fmt.Errorf("reading %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, false, 0, fmt.Errorf("%s is a directory, not a config file", path)
	}
	return b, true, fi.Mode().Perm(), nil
}

// atomicWrite replaces path with data through a temp file in the same
// directory and a rename, so a crash never leaves a half-written config.
func atomicWrite(path string, data []byte, mode fs.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".codegraph-tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(name, mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	ok = true
	return nil
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
		return nil, fmt.Errorf("creating %s: %w", dir, err)
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
