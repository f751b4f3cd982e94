// Package consent decides whether codegraph telemetry is on, and keeps the
// stored consent state and machine ID in ~/.codegraph/telemetry.json.
//
// # The state machine
//
// What is stored is one of six states (State):
//
//	no choice yet          no file: on by default, the notice not shown
//	default, notice shown  a "default-notice" record: on by default; not a choice
//	chosen on              a choice (installer or cli): on
//	chosen off             a choice (installer or cli): off
//	outdated               an on choice or a notice for an older collection
//	                       version than this binary's: the notice is shown
//	                       again (with what is new) before anything is sent
//	unreadable             a file that cannot be used: off until reset
//
// and it changes only through the named transitions of Next (Transition):
// the installer's yes and no (its form or --telemetry on|off), `codegraph
// telemetry on` and `off`, the first-run notice being shown (by the first
// process that would send), and `codegraph telemetry reset`. Cancelling the
// installer is not a transition: nothing is stored. Every transition to
// "chosen off" asks its caller to delete the telemetry queue, so counts
// recorded before an off are never sent.
//
// # The decision
//
// Environment overrides sit on top of the stored state and never change
// it. First match wins:
//
//  1. DO_NOT_TRACK set to anything but "", "0" or "false" → off.
//  2. CODEGRAPH_TELEMETRY: 0/false/off/no → off; 1/true/on/yes → on;
//     any other non-empty value → off (privacy fails closed).
//  3. The stored state: chosen on or off decides; an unreadable file → off.
//  4. Default on (no choice yet, or default with the notice shown).
//
// In a build with the "pro" tag telemetry is compiled out and every decision
// is off, decided by "build".
//
// # The machine ID
//
// No machine ID is on disk while the stored state is off. One is minted
// when telemetry is first on and has something to send: by an explicit
// "on" (whose command is then counted) or with the first-run notice (shown
// only by a process that has events to send). An off drops it; a reset
// deletes it.
//
// # The grace run
//
// The process that prints the first-run notice sends nothing (PrepareSend
// refuses it for the rest of that process), so a person who reads the notice
// can say no before anything leaves the machine.
//
// Nothing is cached between calls but the parse of an unchanged file:
// callers resolve again before every persist and send, so a choice made in
// another process takes effect at once. The package never opens a network
// connection and never writes to stdout.
package consent

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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

// Where a stored record came from (its "consent_source").
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
	Enabled bool `json:"enabled"`
	// MachineID is empty while the stored state is off.
	MachineID     string `json:"machine_id"`
	ConsentSource string `json:"consent_source"`
	// FirstRunNoticeShown records that the notice was printed on this
	// machine (since the last reset).
	FirstRunNoticeShown bool      `json:"first_run_notice_shown"`
	UpdatedAt           time.Time `json:"updated_at"`
	// ConsentVersion is the collection version (schema.CollectionVersion)
	// that this choice or notice covers: an on choice or a notice covers
	// only what was collected when it was given. A file without it covers
	// version 1; 0 is older than any.
	ConsentVersion int `json:"consent_version"`
}

// Explicit reports whether the record is a choice the user made (in the
// installer or with `codegraph telemetry on|off`), which suppresses the
// first-run notice for good. A "default-notice" record is not a choice.
func (c Config) Explicit() bool {
	return c.ConsentSource == SourceInstaller || c.ConsentSource == SourceCLI
}

// Decision is the resolved state and why.
type Decision struct {
	Enabled   bool
	DecidedBy string
	// Reason says in words why, including what was not understood.
	Reason string
	// State is the stored state, whatever the environment says on top
	// (NoChoice, unread, in a build without telemetry).
	State State
	// Config is the stored record when it exists and parses.
	Config *Config
	// ConfigErr is set when a file exists but cannot be used (State is
	// Unreadable); its message names the path once.
	ConfigErr error
}

// Store resolves consent and keeps the consent file of one state
// directory. Every input is injected so tests run in parallel against temp
// dirs. A Store lives as long as its process: PrepareSend's grace run is
// remembered in it.
type Store struct {
	Dir    statedir.Dir
	Getenv func(string) string
	Now    func() time.Time

	// cache, when set (NewStore), remembers the last parse of the file
	// keyed by the file's identity, so a long-lived caller that resolves
	// before every persist pays one lstat instead of an open and a read.
	cache *loadCache

	// grace is set once this process has shown the first-run notice: it
	// sends nothing from then on.
	grace atomic.Bool
	// processID is the machine ID used when telemetry is on by the
	// environment over a stored state that holds none; never written.
	processOnce sync.Once
	processID   string
}

// NewStore is a Store that re-reads the file only when it changed (another
// inode, size or modification time). Every resolve still looks at the
// file, so changes made by other processes are seen at once.
func NewStore(dir statedir.Dir, getenv func(string) string, now func() time.Time) *Store {
	return &Store{Dir: dir, Getenv: getenv, Now: now, cache: &loadCache{}}
}

// ErrNotAvailable is returned when telemetry would be turned on in a build
// without telemetry.
var ErrNotAvailable = errors.New("telemetry is not part of this build (codegraph-pro): nothing can be sent, so it cannot be turned on")

// Resolve decides whether telemetry is on right now. It reads the
// environment and the consent file on every call.
//
// In a build without telemetry it decides off without reading the file.
// When the state directory itself cannot be used (a symbolic link, or not
// a directory: statedir.Dir.Check), telemetry is off whatever the
// environment says, and nothing in it or through it is read: even
// CODEGRAPH_TELEMETRY=1 must not send from a folder that is someone else's.
func (s *Store) Resolve() Decision {
	if !Compiled {
		return Decision{DecidedBy: ByBuild, Reason: "telemetry is compiled out of this build (codegraph-pro)"}
	}
	if err := s.Dir.Check(); err != nil {
		return Decision{
			DecidedBy: ByConfig,
			State:     Unreadable,
			ConfigErr: err,
			Reason:    fmt.Sprintf("%v: telemetry stays off, and nothing is read or written through it, until it is a directory of its own", err),
		}
	}
	cfg, cfgErr := s.loadChecked()
	d := Decision{State: stateOf(cfg, cfgErr), Config: cfg, ConfigErr: cfgErr}
	if s.decideByEnv(&d) {
		return d
	}
	d.Enabled = d.State.On()
	switch d.State {
	case NoChoice:
		d.DecidedBy = ByDefault
		d.Reason = "no choice yet: on by default; the first run with something to send prints a one-time notice on stderr and sends nothing"
	case DefaultNoticeShown:
		d.DecidedBy = ByDefault
		d.Reason = "default, notice shown: on by default; no choice is stored"
	case Outdated:
		d.DecidedBy = ByConfig
		what := "the notice was shown"
		if cfg.Explicit() {
			what = "your choice was on, " + setBy(cfg) + ","
		}
		d.Reason = fmt.Sprintf("%s for version %d of what is collected; this version collects more (%s): the next run with something to send shows the notice again and sends nothing",
			what, cfg.ConsentVersion, schema.NewSince(cfg.ConsentVersion))
	case ChosenOn, ChosenOff:
		d.DecidedBy = ByConfig
		d.Reason = fmt.Sprintf("your choice: %s, set %s", onOff(d.Enabled), setBy(cfg))
	case Unreadable:
		d.DecidedBy = ByConfig
		d.Reason = fmt.Sprintf("%v: telemetry stays off until you remove it or run `codegraph telemetry reset`", cfgErr)
	}
	return d
}

// decideByEnv applies the environment's overrides (steps 1 and 2 of the
// order) to d, and reports whether one decided.
func (s *Store) decideByEnv(d *Decision) bool {
	if v := s.Getenv(EnvDoNotTrack); doNotTrackSet(v) {
		d.DecidedBy, d.Reason = ByDoNotTrack, fmt.Sprintf("DO_NOT_TRACK=%s is set", v)
		return true
	}
	raw := s.Getenv(EnvTelemetry)
	if raw == "" {
		return false
	}
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
	return true
}

// envKeepsOff reports whether an environment variable keeps telemetry
// off whatever is stored.
func (s *Store) envKeepsOff() bool {
	var d Decision
	return s.decideByEnv(&d) && !d.Enabled
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// setBy says where a choice was made.
func setBy(cfg *Config) string {
	switch cfg.ConsentSource {
	case SourceInstaller:
		return "in the installer"
	case SourceCLI:
		return "with `codegraph telemetry " + onOff(cfg.Enabled) + "`"
	}
	return "by editing the file"
}

// doNotTrackSet follows the community convention: any value but empty, 0
// or false (any case) asks for no tracking.
func doNotTrackSet(v string) bool {
	v = strings.TrimSpace(v)
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

// InstallerQuestion says whether the interactive installer asks its
// usage-data question and which answer it pre-sets. It asks while no choice
// is stored (no choice yet, or only the notice shown), pre-set to what
// applies now; never once a choice is stored, never over a file that
// cannot be used (that is off until reset), never in a build without
// telemetry.
func (s *Store) InstallerQuestion() (ask, preset bool) {
	if !Compiled {
		return false, false
	}
	d := s.Resolve()
	switch d.State {
	case NoChoice, DefaultNoticeShown, Outdated:
		return true, d.Enabled
	}
	return false, false
}

type loadCache struct {
	mu  sync.Mutex
	fi  os.FileInfo
	cfg *Config
	err error
}
