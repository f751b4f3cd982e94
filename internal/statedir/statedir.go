// Package statedir names every file codegraph keeps in its global state
// directory (~/.codegraph), so that the path of each file is decided in one
// place and tests can point the whole set at a temporary directory.
//
// It creates the directory with owner-only permissions and never reads or
// writes the files themselves.
package statedir

import (
	"fmt"
	"os"
	"path/filepath"
)

// Name is the state directory's name, below the user's home directory.
const Name = ".codegraph"

// Dir is a global state directory, normally ~/.codegraph.
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

// QueueLock serialises the short critical sections of processes that
// append to, compact or claim the queue.
func (d Dir) QueueLock() string { return filepath.Join(d.root, "telemetry-queue.lock") }

// SendingPattern matches queues claimed by a sender (filepath.Glob syntax).
func (d Dir) SendingPattern() string {
	return filepath.Join(d.root, "telemetry-queue.sending.*.jsonl")
}

// Sending names the claim file of one sender.
func (d Dir) Sending(token string) string {
	return filepath.Join(d.root, "telemetry-queue.sending."+token+".jsonl")
}

// InstallManifest is the global-scope install manifest.
func (d Dir) InstallManifest() string { return filepath.Join(d.root, "install.json") }

// Ensure creates the directory with mode 0700 and tightens an existing one:
// the machine ID and queue are nobody else's business.
func (d Dir) Ensure() error {
	if err := os.MkdirAll(d.root, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", d.root, err)
	}
	if err := os.Chmod(d.root, 0o700); err != nil {
		return fmt.Errorf("chmod %s: %w", d.root, err)
	}
	return nil
}
