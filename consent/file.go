package consent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/atomicfile"
	"github.com/getcodegraph/codegraph-install/internal/safefile"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// MaxFileSize bounds the consent file: a real one is about 200 bytes, so
// anything past 64 KiB is not ours and is refused without being read.
const MaxFileSize = 64 << 10

// FileError is a consent file that exists but cannot be used. Its message
// names the path once and says what is wrong ("… is a symbolic link, which
// codegraph does not follow", "… cannot be parsed: …").
type FileError struct {
	Path    string
	Problem string
	Err     error
}

func (e *FileError) Error() string { return e.Path + " " + e.Problem }
func (e *FileError) Unwrap() error { return e.Err }

// fileError describes a failed read of path without repeating the path
// that the operating system's error carries too.
func fileError(path string, err error) *FileError {
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	switch {
	case errors.Is(err, safefile.ErrSymlink), errors.Is(err, safefile.ErrNotRegular), errors.Is(err, safefile.ErrTooLarge):
		// safefile's causes read as a predicate: "is a FIFO…".
		return &FileError{Path: path, Problem: cause.Error(), Err: err}
	}
	return &FileError{Path: path, Problem: "cannot be read: " + cause.Error(), Err: err}
}

// Load reads the consent file. It returns nil, nil when there is none, and
// a *FileError when one is there but cannot be used.
func (s *Store) Load() (*Config, error) {
	// ~/.codegraph itself a symbolic link or a file: nothing is read
	// through it (the file inside would be opened without following a
	// link, but its folder would be someone else's).
	if err := s.Dir.Check(); err != nil {
		return nil, err
	}
	return s.loadChecked()
}

// loadChecked is Load once the state directory is known to be usable.
func (s *Store) loadChecked() (*Config, error) {
	if s.cache == nil {
		return s.load()
	}
	// Lstat, not Stat: the cache is keyed by what stands at the path, and
	// anything but a regular file goes to load, which refuses it.
	fi, err := os.Lstat(s.Dir.TelemetryConfig())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil || !fi.Mode().IsRegular() {
		return s.load()
	}
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fi == nil || !os.SameFile(c.fi, fi) || c.fi.Size() != fi.Size() || !c.fi.ModTime().Equal(fi.ModTime()) {
		c.cfg, c.err = s.load()
		c.fi = fi
	}
	if c.cfg == nil {
		return nil, c.err
	}
	cfg := *c.cfg
	return &cfg, c.err
}

// load opens the file without following a symlink or blocking on a FIFO,
// accepts a regular file of at most MaxFileSize bytes, and parses it.
func (s *Store) load() (*Config, error) {
	path := s.Dir.TelemetryConfig()
	data, err := safefile.ReadFile(path, MaxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fileError(path, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &FileError{Path: path, Problem: "is empty"}
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, &FileError{Path: path, Problem: "cannot be parsed: " + err.Error(), Err: err}
	}
	return cfg, nil
}

// ParseConfig parses telemetry.json strictly: one JSON object, "enabled" a
// boolean, "machine_id" empty or a UUID (a UUID whenever "enabled" is
// true), the other fields of their types; other keys are ignored. Anything
// else is an error so that a damaged file turns telemetry off instead of
// being guessed at.
//
// It reads the file with the ingest's strict parser (schema.ParseObject), not
// encoding/json, which keeps the last of a repeated key and matches keys in
// any case: {"enabled":false,"enabled":true} or {"enabled":false,
// "Enabled":true} read as on there. Here a repeated key is an error, and
// only the exact spelling counts, as at the ingest (CONTRACT §8).
func ParseConfig(data []byte) (*Config, error) {
	m, err := schema.ParseObject(data)
	if errors.Is(err, schema.ErrNotObject) {
		return nil, errors.New("not a JSON object")
	}
	if err != nil {
		return nil, err
	}
	enabled, err := member[bool](m, "enabled", "a boolean")
	if err != nil {
		return nil, err
	}
	if enabled == nil {
		return nil, errors.New(`"enabled" is missing`)
	}
	cfg := &Config{Enabled: *enabled}
	if v := m["machine_id"]; v != nil && v != "" {
		id, err := schema.ParseMachineID(v)
		if err != nil {
			return nil, errors.New(`"machine_id" is not a UUID (8-4-4-4-12 hex digits)`)
		}
		cfg.MachineID = id
	}
	source, err := member[string](m, "consent_source", "a string")
	if err != nil {
		return nil, err
	}
	if source != nil {
		switch *source {
		case SourceInstaller, SourceDefaultNotice, SourceCLI, "":
			cfg.ConsentSource = *source
		default:
			return nil, fmt.Errorf(`"consent_source" %q is not one of installer, default-notice, cli`, *source)
		}
	}
	shown, err := member[bool](m, "first_run_notice_shown", "a boolean")
	if err != nil {
		return nil, err
	}
	if shown != nil {
		cfg.FirstRunNoticeShown = *shown
	}
	updated, err := member[string](m, "updated_at", "a string")
	if err != nil {
		return nil, err
	}
	if updated != nil && *updated != "" {
		t, err := time.Parse(time.RFC3339Nano, *updated)
		if err != nil {
			return nil, fmt.Errorf(`"updated_at": %w`, err)
		}
		cfg.UpdatedAt = t
	}
	// An on record holds the ID it sends under, or "" when the choice was
	// made while an environment variable kept telemetry off (no ID exists
	// on disk while telemetry is off, CONTRACT §4): PrepareSend then mints
	// one, stores it and sends under it, or sends nothing. A null or
	// missing ID is not ours: sending anyway once meant a new random ID for
	// each process, so one machine counted as many.
	if id, present := m["machine_id"]; cfg.Enabled && cfg.MachineID == "" && (!present || id != "") {
		return nil, errors.New(`"machine_id" is not a UUID: a record that says on needs the ID it sends under`)
	}
	// consent_version: the collection version the choice or notice covers
	// (schema.CollectionVersion); absent means 1, the list before versions.
	cfg.ConsentVersion = 1
	if v, present := m["consent_version"]; present {
		n, ok := v.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil || i < 0 || i > 1<<20 {
			return nil, errors.New(`"consent_version" is not a whole number of 0 or more`)
		}
		cfg.ConsentVersion = int(i)
	}
	return cfg, nil
}

// member is m[key] as a T, nil when the key is absent or null, and an
// error naming the key when it holds another type.
func member[T any](m map[string]any, key, kind string) (*T, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	t, ok := v.(T)
	if !ok {
		return nil, fmt.Errorf("%q is not %s", key, kind)
	}
	return &t, nil
}

// write stores cfg through atomicfile with mode 0600 in a 0700 directory:
// replacing what is there, or, with onlyNew, only where nothing is.
func (s *Store) write(cfg *Config, onlyNew bool) error {
	if err := s.Dir.Ensure(); err != nil {
		return err
	}
	cfg.UpdatedAt = s.Now().UTC().Truncate(time.Second)
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if onlyNew {
		return atomicfile.WriteNew(s.Dir.TelemetryConfig(), data, 0o600, atomicfile.Durable)
	}
	return atomicfile.Write(s.Dir.TelemetryConfig(), data, 0o600, atomicfile.Durable)
}

// remove deletes what stands at the consent file's path: a regular file, a
// symlink (the link, never its target), a FIFO or a socket. A directory is
// refused: it is not ours to delete.
func (s *Store) remove() error {
	path := s.Dir.TelemetryConfig()
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot look at %s: %w", path, cause(err))
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory, not a file codegraph wrote: codegraph does not delete directories; move or remove it yourself", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove %s: %w", path, cause(err))
	}
	return nil
}

// cause strips the path an operating-system error carries, for messages
// that name the path themselves.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
