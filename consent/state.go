package consent

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/google/uuid"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// State is what the consent file says, before environment overrides.
type State int

// The stored states. The zero value is NoChoice.
const (
	// NoChoice: no file. On by default; the first process with something
	// to send shows the notice.
	NoChoice State = iota
	// DefaultNoticeShown: a "default-notice" record. On by default; the
	// notice was shown. Not a choice: the installer still asks.
	DefaultNoticeShown
	// ChosenOn: the user said on (installer or cli, or edited the file).
	ChosenOn
	// ChosenOff: the user said off. No machine ID is kept.
	ChosenOff
	// Unreadable: a file is there that cannot be used (unparsable, a
	// symlink, a FIFO, a directory, too large). Off until reset.
	Unreadable
	// Outdated: an on choice or a "default-notice" record that covers an
	// older collection version than this binary's (Config.ConsentVersion <
	// schema.CollectionVersion). On, like "no choice yet", behind the
	// notice: the first process that would send shows it again with what
	// is new and sends nothing; the installer asks again. Off is never
	// outdated: off stays off.
	Outdated
)

// String is the state's stable name, as `telemetry status --json` shows it.
func (s State) String() string {
	switch s {
	case NoChoice:
		return "no-choice"
	case DefaultNoticeShown:
		return "default-notice-shown"
	case ChosenOn:
		return "chosen-on"
	case ChosenOff:
		return "chosen-off"
	case Unreadable:
		return "unreadable"
	case Outdated:
		return "outdated"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Phrase is the state in words, as `telemetry status` shows it.
func (s State) Phrase() string {
	switch s {
	case NoChoice:
		return "no choice yet (on by default)"
	case DefaultNoticeShown:
		return "default, notice shown"
	case ChosenOn:
		return "your choice: on"
	case ChosenOff:
		return "your choice: off"
	case Unreadable:
		return "the file cannot be used (off until reset)"
	case Outdated:
		return "given for an earlier list of what is collected (asked again)"
	}
	return s.String()
}

// On reports whether the state means on when no environment variable
// decides.
func (s State) On() bool {
	return s == NoChoice || s == DefaultNoticeShown || s == ChosenOn || s == Outdated
}

// Choice reports whether the state is a choice the user made.
func (s State) Choice() bool { return s == ChosenOn || s == ChosenOff }

// stateOf maps what was read to a state. A record that says off is off
// whatever its source (only a hand edit writes a "default-notice" record
// that is off): off fails closed.
func stateOf(cfg *Config, err error) State {
	switch {
	case err != nil:
		return Unreadable
	case cfg == nil:
		return NoChoice
	case !cfg.Enabled:
		return ChosenOff
	case cfg.ConsentVersion < schema.CollectionVersion:
		return Outdated
	case cfg.ConsentSource == SourceDefaultNotice:
		return DefaultNoticeShown
	}
	return ChosenOn
}

// Transition is one named way the stored state changes.
type Transition int

// The transitions and who triggers each.
const (
	// InstallerYes: the installer's toggle answered yes, or --telemetry on.
	InstallerYes Transition = iota + 1
	// InstallerNo: the installer's toggle answered no, or --telemetry off.
	InstallerNo
	// CLIOn: `codegraph telemetry on`.
	CLIOn
	// CLIOff: `codegraph telemetry off`.
	CLIOff
	// NoticeShown: the first process that would send printed the notice
	// (PrepareSend).
	NoticeShown
	// Reset: `codegraph telemetry reset`.
	Reset
)

// Transitions lists every transition, for tests and documentation.
var Transitions = []Transition{InstallerYes, InstallerNo, CLIOn, CLIOff, NoticeShown, Reset}

// States lists every state.
var States = []State{NoChoice, DefaultNoticeShown, ChosenOn, ChosenOff, Unreadable, Outdated}

func (t Transition) String() string {
	switch t {
	case InstallerYes:
		return "installer yes"
	case InstallerNo:
		return "installer no"
	case CLIOn:
		return "telemetry on"
	case CLIOff:
		return "telemetry off"
	case NoticeShown:
		return "notice shown"
	case Reset:
		return "telemetry reset"
	}
	return fmt.Sprintf("Transition(%d)", int(t))
}

// choice returns what a choosing transition stores.
func (t Transition) choice() (enabled bool, source string, ok bool) {
	switch t {
	case InstallerYes:
		return true, SourceInstaller, true
	case InstallerNo:
		return false, SourceInstaller, true
	case CLIOn:
		return true, SourceCLI, true
	case CLIOff:
		return false, SourceCLI, true
	}
	return false, "", false
}

// Off reports whether the transition is a way of saying off. Every one has
// the same effect: the choice is stored and the caller deletes the queue.
func (t Transition) Off() bool { return t == InstallerNo || t == CLIOff }

// ChoiceTransition maps a choice and its source (SourceInstaller or
// SourceCLI) to its transition.
func ChoiceTransition(enabled bool, source string) (Transition, error) {
	switch {
	case source == SourceInstaller && enabled:
		return InstallerYes, nil
	case source == SourceInstaller:
		return InstallerNo, nil
	case source == SourceCLI && enabled:
		return CLIOn, nil
	case source == SourceCLI:
		return CLIOff, nil
	}
	return 0, fmt.Errorf("consent: %q is not a source of choices (installer or cli)", source)
}

// ErrUnusableFile is returned (wrapped, with the file's problem) by a
// choice made while the file cannot be used: it is never overwritten, the
// user removes it or resets.
var ErrUnusableFile = errors.New("the consent file cannot be used")

// unusableError is a choice refused over a file that cannot be used.
type unusableError struct{ file error }

func (e unusableError) Error() string {
	return e.file.Error() + "; it was left as it is: remove it or run `codegraph telemetry reset`"
}

func (e unusableError) Unwrap() []error { return []error{e.file, ErrUnusableFile} }

// Next is the transition table: the state after t from from. Choices lead
// to chosen on or off from every state but Unreadable (a file that cannot
// be used is never overwritten; only Reset leaves it). NoticeShown moves
// only "no choice yet" (after a choice, or once shown, the notice never
// shows again). Reset leads back to "no choice yet" from everywhere.
func Next(from State, t Transition) (State, error) {
	switch t {
	case Reset:
		return NoChoice, nil
	case NoticeShown:
		if from == NoChoice || from == Outdated {
			return DefaultNoticeShown, nil
		}
		return from, nil
	}
	enabled, _, ok := t.choice()
	switch {
	case !ok:
		return from, fmt.Errorf("consent: unknown transition %v", t)
	case from == Unreadable:
		return from, ErrUnusableFile
	case enabled && !Compiled:
		return from, ErrNotAvailable
	case enabled:
		return ChosenOn, nil
	}
	return ChosenOff, nil
}

// Outcome is what Apply did.
type Outcome struct {
	From, To State
	// DeleteQueue is set by every way of saying off: the caller deletes
	// the telemetry queue, so counts recorded before it are never sent.
	DeleteQueue bool
	// Config is the record stored now; nil when there is none.
	Config *Config
}

// Apply performs transition t on the stored state: it reads the file,
// takes the step Next allows and writes the result atomically (mode 0600,
// in a 0700 directory).
//
//   - A choice keeps the machine ID when it says on and one exists, mints
//     one when it says on and none does, and drops it when it says off.
//   - NoticeShown from "no choice yet" writes a "default-notice" record
//     with a new machine ID, only if no file appeared meanwhile: it never
//     replaces a choice another process just stored (the error then wraps
//     fs.ErrExist). From any other state it writes nothing.
//   - Reset removes the file (a symlink itself, never its target; a
//     directory is refused).
func (s *Store) Apply(t Transition) (Outcome, error) {
	if t == Reset {
		cur, err := s.Load()
		out := Outcome{From: stateOf(cur, err), To: NoChoice}
		return out, s.remove()
	}
	cur, loadErr := s.Load()
	out := Outcome{From: stateOf(cur, loadErr), DeleteQueue: t.Off()}
	to, err := Next(out.From, t)
	out.To = out.From
	if err != nil {
		if errors.Is(err, ErrUnusableFile) {
			return out, unusableError{loadErr}
		}
		return out, err
	}
	if t == NoticeShown {
		if out.From != NoChoice && out.From != Outdated {
			out.Config = cur
			return out, nil
		}
		cfg := &Config{Enabled: true, MachineID: uuid.NewString(), ConsentSource: SourceDefaultNotice, FirstRunNoticeShown: true, ConsentVersion: schema.CollectionVersion}
		if out.From == Outdated {
			// The notice now covers this version; the machine stays the
			// same machine. An older choice of on is no longer a choice:
			// the installer asks (pre-set to on).
			if cur.MachineID != "" {
				cfg.MachineID = cur.MachineID
			}
			if err := s.write(cfg, false); err != nil {
				return out, err
			}
			out.To, out.Config = to, cfg
			return out, nil
		}
		if err := s.write(cfg, true); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return out, fmt.Errorf("%s was written by another process meanwhile: %w", s.Dir.TelemetryConfig(), fs.ErrExist)
			}
			return out, err
		}
		out.To, out.Config = to, cfg
		return out, nil
	}
	enabled, source, _ := t.choice()
	cfg := &Config{Enabled: enabled, ConsentSource: source, ConsentVersion: schema.CollectionVersion}
	if cur != nil {
		cfg.FirstRunNoticeShown = cur.FirstRunNoticeShown
		if enabled && cur.Enabled {
			cfg.MachineID = cur.MachineID
		}
	}
	// No ID is minted while an environment variable keeps telemetry off
	// (DO_NOT_TRACK=1 codegraph telemetry on): PrepareSend mints it when
	// something is first sent.
	if enabled && cfg.MachineID == "" && !s.envKeepsOff() {
		cfg.MachineID = uuid.NewString()
	}
	if err := s.write(cfg, false); err != nil {
		return out, err
	}
	out.To, out.Config = to, cfg
	return out, nil
}

// SetChoice stores an explicit choice (source SourceInstaller or
// SourceCLI): Apply of the matching transition. The caller deletes the
// queue when the choice is off (Outcome.DeleteQueue).
func (s *Store) SetChoice(enabled bool, source string) (Config, error) {
	t, err := ChoiceTransition(enabled, source)
	if err != nil {
		return Config{}, err
	}
	out, err := s.Apply(t)
	if err != nil {
		return Config{}, err
	}
	return *out.Config, nil
}

// Reset deletes the consent file: the next run starts from "no choice
// yet", with a new machine ID when one is next minted.
func (s *Store) Reset() error {
	_, err := s.Apply(Reset)
	return err
}
