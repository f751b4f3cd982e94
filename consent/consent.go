// Package consent decides whether codegraph telemetry is on, and remembers
// the user's choice and machine ID in ~/.codegraph/telemetry.json.
//
// The decision follows a fixed order, first match wins:
//
//  1. DO_NOT_TRACK set to anything but "", "0" or "false" → off.
//  2. CODEGRAPH_TELEMETRY: 0/false/off/no → off; 1/true/on/yes → on;
//     any other non-empty value → off (privacy fails closed).
//  3. telemetry.json's "enabled"; a file that cannot be read or parsed → off.
//  4. Default on, gated by a one-time notice printed before anything is sent.
//
// In a build with the "pro" tag telemetry is compiled out and every decision
// is off, decided by "build".
//
// Nothing is cached: callers resolve again before every persist and send, so
// a choice made in another process takes effect at once. The package never
// opens a network connection and never writes to stdout.
package consent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/getcodegraph/codegraph-install/internal/atomicfile"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// What decided the state, as `telemetry status --json` reports it.
const (
	ByDoNotTrack = "DO_NOT_TRACK"
	ByEnv        = "CODEGRAPH_TELEMETRY"
	ByConfig     = "config"
	ByDefault    = "default"
	ByBuild      = "build"
)

// Where a stored choice came from.
const (
	SourceInstaller     = "installer"
	SourceDefaultNotice = "default-notice"
	SourceCLI           = "cli"
)

// Environment variables read by the resolution.
const (
	EnvDoNotTrack = "DO_NOT_TRACK"
	EnvTelemetry  = "CODEGRAPH_TELEMETRY"
)

// Config is the content of ~/.codegraph/telemetry.json.
type Config struct {
	Enabled             bool      `json:"enabled"`
	MachineID           string    `json:"machine_id"`
	ConsentSource       string    `json:"consent_source"`
	FirstRunNoticeShown bool      `json:"first_run_notice_shown"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// Explicit reports whether the stored state is a choice the user made (in
// the installer or with `codegraph telemetry on|off`), which suppresses the
// first-run notice for good.
func (c Config) Explicit() bool {
	return c.ConsentSource == SourceInstaller || c.ConsentSource == SourceCLI
}

// Decision is the resolved state and why.
type Decision struct {
	Enabled   bool
	DecidedBy string
	// Reason says in words why, including what was not understood.
	Reason string
	// Config is the stored config when it exists and parses.
	Config *Config
	// ConfigErr is set when the config exists but cannot be read or parsed.
	ConfigErr error
}

// Store resolves consent and keeps the config file of one state directory.
// Every input is injected so tests run in parallel against temp dirs.
type Store struct {
	Dir    statedir.Dir
	Getenv func(string) string
	Now    func() time.Time

	// cache, when set (NewStore), remembers the last parse of the config
	// keyed by the file's identity, so a long-lived caller that resolves
	// before every persist pays one stat instead of an open and a read.
	cache *loadCache
}

type loadCache struct {
	mu  sync.Mutex
	fi  os.FileInfo
	cfg *Config
	err error
}

// NewStore is a Store that re-reads the config only when the file changed
// (another inode, size or modification time). Every resolve still looks at
// the file, so changes made by other processes are seen at once.
func NewStore(dir statedir.Dir, getenv func(string) string, now func() time.Time) *Store {
	return &Store{Dir: dir, Getenv: getenv, Now: now, cache: &loadCache{}}
}

// ErrNotAvailable is returned by SetChoice(true) in a build without telemetry.
var ErrNotAvailable = errors.New("telemetry is not part of this build (codegraph-pro): nothing can be sent, so it cannot be turned on")

// Resolve decides whether telemetry is on right now. It reads the
// environment and the config file on every call.
func (s *Store) Resolve() Decision {
	if !Compiled {
		return Decision{DecidedBy: ByBuild, Reason: "telemetry is compiled out of this build (codegraph-pro)"}
	}
	if v := s.Getenv(EnvDoNotTrack); doNotTrackSet(v) {
		return Decision{DecidedBy: ByDoNotTrack, Reason: fmt.Sprintf("DO_NOT_TRACK=%s is set", v)}
	}
	cfg, cfgErr := s.Load()
	d := Decision{Config: cfg, ConfigErr: cfgErr}
	if raw := s.Getenv(EnvTelemetry); raw != "" {
		d.DecidedBy = ByEnv
		switch strings.ToLower(strings.TrimSpace(raw)) {
		case "0", "false", "off", "no":
			d.Reason = fmt.Sprintf("CODEGRAPH_TELEMETRY=%s turns it off", raw)
		case "1", "true", "on", "yes":
			d.Enabled = true
			d.Reason = fmt.Sprintf("CODEGRAPH_TELEMETRY=%s turns it on", raw)
		default:
			d.Reason = fmt.Sprintf("CODEGRAPH_TELEMETRY=%q is not understood (use 0/false/off/no or 1/true/on/yes), so telemetry stays off", raw)
		}
		return d
	}
	switch {
	case cfgErr != nil:
		d.DecidedBy = ByConfig
		d.Reason = fmt.Sprintf("%v; telemetry stays off until it is fixed or removed (`codegraph telemetry reset`)", cfgErr)
	case cfg != nil:
		d.DecidedBy = ByConfig
		d.Enabled = cfg.Enabled
		state := "off"
		if cfg.Enabled {
			state = "on"
		}
		d.Reason = fmt.Sprintf("stored choice %s, set by %s", state, sourceOrUnknown(cfg.ConsentSource))
	default:
		d.DecidedBy = ByDefault
		d.Enabled = true
		d.Reason = "no choice stored: on by default, with a one-time notice on stderr before anything is sent"
	}
	return d
}

func sourceOrUnknown(s string) string {
	if s == "" {
		return "hand edit"
	}
	return s
}

// doNotTrackSet follows the community convention: any value but empty, 0
// or false (any case) asks for no tracking.
func doNotTrackSet(v string) bool {
	v = strings.TrimSpace(v)
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

// Load reads the config. It returns nil, nil when there is none.
func (s *Store) Load() (*Config, error) {
	if s.cache == nil {
		return s.load()
	}
	fi, err := os.Stat(s.Dir.TelemetryConfig())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil || !fi.Mode().IsRegular() {
		return s.load()
	}
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fi != nil && os.SameFile(c.fi, fi) && c.fi.Size() == fi.Size() && c.fi.ModTime().Equal(fi.ModTime()) {
		if c.cfg == nil {
			return nil, c.err
		}
		cfg := *c.cfg
		return &cfg, c.err
	}
	cfg, err := s.load()
	c.fi, c.cfg, c.err = fi, cfg, err
	if cfg == nil {
		return nil, err
	}
	cp := *cfg
	return &cp, err
}

func (s *Store) load() (*Config, error) {
	path := s.Dir.TelemetryConfig()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read: %w", path, err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be parsed: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig parses telemetry.json strictly: one JSON object, "enabled" a
// boolean, "machine_id" empty or a UUID, the other fields of their types.
// Anything else is an error so that a damaged file turns telemetry off
// instead of being guessed at.
func ParseConfig(data []byte) (*Config, error) {
	var raw struct {
		Enabled             *bool   `json:"enabled"`
		MachineID           *string `json:"machine_id"`
		ConsentSource       *string `json:"consent_source"`
		FirstRunNoticeShown *bool   `json:"first_run_notice_shown"`
		UpdatedAt           *string `json:"updated_at"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	if raw.Enabled == nil {
		return nil, errors.New(`"enabled" is missing`)
	}
	cfg := &Config{Enabled: *raw.Enabled}
	if raw.MachineID != nil && *raw.MachineID != "" {
		id, err := schema.ParseMachineID(*raw.MachineID)
		if err != nil {
			return nil, fmt.Errorf(`"machine_id": %w`, err)
		}
		cfg.MachineID = id
	}
	if raw.ConsentSource != nil {
		switch *raw.ConsentSource {
		case SourceInstaller, SourceDefaultNotice, SourceCLI, "":
			cfg.ConsentSource = *raw.ConsentSource
		default:
			return nil, fmt.Errorf(`"consent_source" %q is not one of installer, default-notice, cli`, *raw.ConsentSource)
		}
	}
	if raw.FirstRunNoticeShown != nil {
		cfg.FirstRunNoticeShown = *raw.FirstRunNoticeShown
	}
	if raw.UpdatedAt != nil && *raw.UpdatedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, *raw.UpdatedAt)
		if err != nil {
			return nil, fmt.Errorf(`"updated_at": %w`, err)
		}
		cfg.UpdatedAt = t
	}
	return cfg, nil
}

// save writes the config atomically with mode 0600 in a 0700 directory.
func (s *Store) save(cfg *Config) error {
	if err := s.Dir.Ensure(); err != nil {
		return err
	}
	cfg.UpdatedAt = s.Now().UTC().Truncate(time.Second)
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(s.Dir.TelemetryConfig(), append(data, '\n'), 0o600, atomicfile.Durable)
}

// SetChoice stores an explicit choice (source installer or cli), keeping the
// machine ID or minting one. An explicit choice suppresses the first-run
// notice for good. A config that exists but does not parse is never
// overwritten: the error says so and names `telemetry reset`.
func (s *Store) SetChoice(enabled bool, source string) (Config, error) {
	if enabled && !Compiled {
		return Config{}, ErrNotAvailable
	}
	cur, err := s.Load()
	if err != nil {
		return Config{}, fmt.Errorf("%w; it was left as it is (remove it with `codegraph telemetry reset`)", err)
	}
	cfg := Config{Enabled: enabled, ConsentSource: source, FirstRunNoticeShown: true}
	if cur != nil {
		cfg.MachineID = cur.MachineID
	}
	if cfg.MachineID == "" {
		cfg.MachineID = uuid.NewString()
	}
	if err := s.save(&cfg); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// HasStoredChoice reports whether a usable config exists. The installer asks
// its consent question only when it does not.
func (s *Store) HasStoredChoice() bool {
	cfg, err := s.Load()
	// An unreadable file is a choice too, in effect (off): don't ask over it.
	return err != nil || cfg != nil
}

// PrepareSend is called by a sender right before the first bytes would leave
// the machine. It returns the machine ID to send under, and whether sending
// may go ahead. When no notice has been shown and no explicit choice is
// stored, it calls notify (which prints the one-time notice) and records
// that it did; if that record cannot be written nothing is sent, so the
// notice is never skipped.
func (s *Store) PrepareSend(notify func()) (machineID string, ok bool) {
	d := s.Resolve()
	if !d.Enabled {
		return "", false
	}
	cfg := Config{Enabled: true, ConsentSource: SourceDefaultNotice}
	if d.Config != nil {
		cfg = *d.Config
	}
	if cfg.MachineID != "" && (cfg.FirstRunNoticeShown || cfg.Explicit()) {
		return cfg.MachineID, true
	}
	if cfg.MachineID == "" {
		cfg.MachineID = uuid.NewString()
	}
	needNotice := !cfg.FirstRunNoticeShown && !cfg.Explicit()
	if needNotice {
		cfg.FirstRunNoticeShown = true
		if cfg.ConsentSource == "" {
			cfg.ConsentSource = SourceDefaultNotice
		}
	}
	if err := s.save(&cfg); err != nil {
		return "", false
	}
	if needNotice {
		notify()
	}
	return cfg.MachineID, true
}

// Reset deletes the config: the next run starts from the default, with a
// new machine ID.
func (s *Store) Reset() error {
	if err := os.Remove(s.Dir.TelemetryConfig()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", s.Dir.TelemetryConfig(), err)
	}
	return nil
}
