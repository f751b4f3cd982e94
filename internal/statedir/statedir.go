// Package statedir owns every path codegraph keeps on disk: the global state
// directory (~/.codegraph: consent, telemetry queue and its lock and claims,
// the log of what telemetry sent, the global install manifest, config
// backups) and a project's state
// directory (<project>/.codegraph: the local install manifest and the init
// census). No other package spells one of these names; each asks this one,
// so tests point the whole set at a temporary directory and a reader finds
// every file codegraph writes in one place.
//
// It creates directories with owner-only permissions (a project's with
// the .gitignore that keeps it out of git) and never reads or writes the
// files themselves.
package statedir

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Name is the state directory's name, below the user's home directory and
// below a project directory alike.
const Name = ".codegraph"

// Dir is the global state directory, normally ~/.codegraph.
type Dir struct{ root string }

// ForHome returns the state directory of a home directory. The home is a
// value passed in (from os.UserHomeDir in main, a temp dir in tests).
func ForHome(home string) Dir { return Dir{root: filepath.Join(home, Name)} }

// Root is the directory itself.
func (d Dir) Root() string { return d.root }

// TelemetryConfig is the consent file: the user's choice and machine ID.
func (d Dir) TelemetryConfig() string { return filepath.Join(d.root, "telemetry.json") }

// Queue is the telemetry queue of rollup deltas and lifecycle events.
func (d Dir) Queue() string { return filepath.Join(d.root, "telemetry-queue.jsonl") }

// SentLog is the log of the telemetry requests that left the machine: each
// body as sent, its time and the HTTP status. Only `codegraph telemetry
// log` reads it; the sender never does.
func (d Dir) SentLog() string { return filepath.Join(d.root, "telemetry-sent.jsonl") }

// QueueLock is the queue's lock file on Windows, which has no flock: held
// open without sharing for the short critical sections of processes that
// append to, compact or claim the queue (on Unix the state directory
// itself is flocked, and no lock file exists). `telemetry off` and
// `reset` remove it.
func (d Dir) QueueLock() string { return filepath.Join(d.root, "telemetry-queue.lock") }

// QueueTemp names a file that earlier versions wrote aside before it
// replaced the queue by rename (their spare copy of the queue among them,
// QueueTemp("spare")). This version writes none (its temporary files are
// atomicfile's); one left behind is only a copy, which the next flush and
// `telemetry off` remove.
func (d Dir) QueueTemp(token string) string {
	return filepath.Join(d.root, "telemetry-queue.tmp."+token)
}

// QueueTempPattern matches the files QueueTemp names (filepath.Glob syntax).
func (d Dir) QueueTempPattern() string { return filepath.Join(d.root, "telemetry-queue.tmp.*") }

// SendingPattern matches queues claimed by a sender (filepath.Glob syntax).
func (d Dir) SendingPattern() string {
	return filepath.Join(d.root, "telemetry-queue.sending.*.jsonl")
}

// Sending names the claim file of one sender.
func (d Dir) Sending(token string) string {
	return filepath.Join(d.root, "telemetry-queue.sending."+token+".jsonl")
}

// SendingToken returns the token of a claim file named by Sending, and
// false for any other name.
func (d Dir) SendingToken(path string) (string, bool) {
	if filepath.Dir(path) != d.root {
		return "", false
	}
	rest, ok := strings.CutPrefix(filepath.Base(path), "telemetry-queue.sending.")
	if !ok {
		return "", false
	}
	token, ok := strings.CutSuffix(rest, ".jsonl")
	return token, ok && token != ""
}

// InstallManifest is the global-scope install manifest.
func (d Dir) InstallManifest() string { return filepath.Join(d.root, "install.json") }

// LocalInstalls is the directory of the local-scope install records: what
// a local install changed in each project's files, and how to undo it.
func (d Dir) LocalInstalls() string { return filepath.Join(d.root, "projects") }

// LocalInstall is the record of the local-scope install in the project at
// projectDir (its real, absolute path): projects/<folder name>.<hash of
// the path>.json. It is kept here, not in the project, because a project
// directory can come from anyone (a clone): what uninstall writes back or
// deletes must come from a file only this user's own installs write.
func (d Dir) LocalInstall(projectDir string) string {
	sum := sha256.Sum256([]byte(projectDir))
	return filepath.Join(d.LocalInstalls(), filepath.Base(projectDir)+"."+hex.EncodeToString(sum[:8])+".json")
}

// Backups is the directory of config-file backups.
func (d Dir) Backups() string { return filepath.Join(d.root, "backups") }

// Backup is where the previous content of the agent config file at path is
// kept: backups/<file name>.<hash of its full path>.bak. Never beside the
// file: a backup in a project directory would show up in the user's
// `git status` and could be committed by accident. The hash keeps two
// projects' .mcp.json apart; the name keeps the file findable by hand.
func (d Dir) Backup(path string) string {
	sum := sha256.Sum256([]byte(path))
	return filepath.Join(d.Backups(), filepath.Base(path)+"."+hex.EncodeToString(sum[:6])+".bak")
}

// Bin holds the copy of the codegraph binary that agents start when it was
// installed through npm, whose own directories do not last.
func (d Dir) Bin() string { return filepath.Join(d.root, "bin") }

// ErrSymlink and ErrNotDirectory are what Check finds standing at the
// state directory's path.
var (
	ErrSymlink      = errors.New("is a symbolic link, which codegraph does not follow")
	ErrNotDirectory = errors.New("is not a directory")
)

// Check reports, without following it, whether what stands at the state
// directory's path can be used: nothing yet, or a directory. A symbolic
// link (to anywhere) or anything else is refused, as the files inside it
// are: nothing is read or written through it. The error names the path
// once and wraps ErrSymlink or ErrNotDirectory.
func (d Dir) Check() error {
	fi, err := os.Lstat(d.root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err // names the path
	case fi.Mode()&fs.ModeSymlink != 0:
		return &unusableError{path: d.root, err: ErrSymlink}
	case !fi.IsDir():
		return &unusableError{path: d.root, err: ErrNotDirectory}
	}
	return nil
}

// unusableError reads "<path> is a symbolic link, which …".
type unusableError struct {
	path string
	err  error
}

func (e *unusableError) Error() string { return e.path + " " + e.err.Error() }
func (e *unusableError) Unwrap() error { return e.err }

// Ensure creates the directory with mode 0700 and tightens an existing one:
// the machine ID and queue are nobody else's business. What Check refuses
// is left as it is (a chmod through a link would change its target).
func (d Dir) Ensure() error {
	if err := d.Check(); err != nil {
		return err
	}
	return ensure(d.root)
}

// EnsureBackups creates the backups directory, owner-only like its parent:
// a user's config may hold secrets.
func (d Dir) EnsureBackups() error {
	if err := d.Ensure(); err != nil {
		return err
	}
	return ensure(d.Backups())
}

// EnsureLocalInstalls creates the directory of local install records,
// owner-only like its parent.
func (d Dir) EnsureLocalInstalls() error {
	if err := d.Ensure(); err != nil {
		return err
	}
	return ensure(d.LocalInstalls())
}

// Project is a project's state directory, <project>/.codegraph.
type Project struct{ root string }

// ForProject returns the state directory of the project in dir.
func ForProject(dir string) Project { return Project{root: filepath.Join(dir, Name)} }

// Root is the directory itself; uninit removes it once it is empty.
func (p Project) Root() string { return p.root }

// InstallManifest is the local-scope install manifest as the project
// sees it: which agent files of the project codegraph-install changed. It
// holds no undo data and is never trusted for it (see Dir.LocalInstall).
func (p Project) InstallManifest() string { return filepath.Join(p.root, "install.json") }

// gitignore is the .gitignore of a project's state directory: what it
// holds (the install manifest, the census) is this machine's, not the
// project's, so git is told to leave the whole folder out, as tools that
// keep a cache in a project do (pytest's .pytest_cache).
const gitignore = "# Written by codegraph: this folder holds this machine's state, not the project's.\n*\n"

// Ensure creates the project's state directory, with its .gitignore, so
// that nothing codegraph keeps there shows up in `git status`.
func (p Project) Ensure() error {
	if err := os.MkdirAll(p.root, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(p.root, ".gitignore"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if os.IsExist(err) {
		return nil // ours, or the user's: either way it stays
	}
	if err != nil {
		return err
	}
	_, err = f.WriteString(gitignore)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// RemoveIfEmpty removes the project's state directory when nothing but
// our .gitignore is left in it, and reports whether it is gone (true also
// when it was not there).
func (p Project) RemoveIfEmpty() (gone bool, err error) {
	entries, err := os.ReadDir(p.root)
	if os.IsNotExist(err) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	ignore := filepath.Join(p.root, ".gitignore")
	for _, e := range entries {
		if e.Name() != ".gitignore" {
			return false, nil
		}
		if b, err := os.ReadFile(ignore); err != nil || string(b) != gitignore {
			return false, nil // the user's own
		}
	}
	if len(entries) > 0 {
		if err := os.Remove(ignore); err != nil {
			return false, err
		}
	}
	return true, os.Remove(p.root)
}

// Census is the language census `codegraph init` writes.
func (p Project) Census() string { return filepath.Join(p.root, "census.json") }

// ensure creates dir with mode 0700, or tightens it. os.MkdirAll's error
// already names the path; chmod's does too, so neither is wrapped with it
// again.
func ensure(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the state directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("make the state directory owner-only: %w", err)
	}
	return nil
}
