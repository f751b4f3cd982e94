//go:build !pro

package consent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

func TestResolveOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		env        map[string]string
		config     string // "" = no file
		enabled    bool
		decidedBy  string
		reasonPart string
	}{
		{"default with no config", nil, "", true, ByDefault, "no choice yet: on by default"},
		{"default with the notice shown", nil, cfgNotice, true, ByDefault, "default, notice shown"},
		{"config on", nil, cfgOn, true, ByConfig, "your choice: on, set in the installer"},
		{"config off", nil, cfgOff, false, ByConfig, "your choice: off, set with `codegraph telemetry off`"},
		{"hand-edited on", nil, `{"enabled":true,"machine_id":"` + testID + `"}`, true, ByConfig, "by editing the file"},
		{"hand-edited default-notice off is off", nil, `{"enabled":false,"consent_source":"default-notice"}`, false, ByConfig, "your choice: off"},
		{"DO_NOT_TRACK=1 beats config on", map[string]string{"DO_NOT_TRACK": "1"}, cfgOn, false, ByDoNotTrack, "DO_NOT_TRACK=1"},
		{"DO_NOT_TRACK=yes", map[string]string{"DO_NOT_TRACK": "yes"}, "", false, ByDoNotTrack, ""},
		{"DO_NOT_TRACK=false is not set", map[string]string{"DO_NOT_TRACK": "false"}, "", true, ByDefault, ""},
		{"DO_NOT_TRACK=FALSE is not set", map[string]string{"DO_NOT_TRACK": "FALSE"}, "", true, ByDefault, ""},
		{"DO_NOT_TRACK=0 is not set", map[string]string{"DO_NOT_TRACK": "0"}, cfgOff, false, ByConfig, ""},
		{"DO_NOT_TRACK empty is not set", map[string]string{"DO_NOT_TRACK": ""}, "", true, ByDefault, ""},
		{"DO_NOT_TRACK beats CODEGRAPH_TELEMETRY=1", map[string]string{"DO_NOT_TRACK": "1", "CODEGRAPH_TELEMETRY": "1"}, "", false, ByDoNotTrack, ""},
		{"CODEGRAPH_TELEMETRY=0 beats config on", map[string]string{"CODEGRAPH_TELEMETRY": "0"}, cfgOn, false, ByEnv, "turns it off"},
		{"CODEGRAPH_TELEMETRY=off", map[string]string{"CODEGRAPH_TELEMETRY": "off"}, "", false, ByEnv, ""},
		{"CODEGRAPH_TELEMETRY=No", map[string]string{"CODEGRAPH_TELEMETRY": "No"}, "", false, ByEnv, ""},
		{"CODEGRAPH_TELEMETRY=false", map[string]string{"CODEGRAPH_TELEMETRY": "false"}, "", false, ByEnv, ""},
		{"CODEGRAPH_TELEMETRY=1 beats config off", map[string]string{"CODEGRAPH_TELEMETRY": "1"}, cfgOff, true, ByEnv, "turns it on"},
		{"CODEGRAPH_TELEMETRY=TRUE", map[string]string{"CODEGRAPH_TELEMETRY": "TRUE"}, "", true, ByEnv, ""},
		{"CODEGRAPH_TELEMETRY=yes", map[string]string{"CODEGRAPH_TELEMETRY": "yes"}, "", true, ByEnv, ""},
		{"CODEGRAPH_TELEMETRY=on", map[string]string{"CODEGRAPH_TELEMETRY": "on"}, "", true, ByEnv, ""},
		{"CODEGRAPH_TELEMETRY=maybe fails closed", map[string]string{"CODEGRAPH_TELEMETRY": "maybe"}, cfgOn, false, ByEnv, "not understood"},
		{"unparsable config fails closed", nil, "{not json", false, ByConfig, "cannot be parsed"},
		{"wrong types fail closed", nil, `{"enabled":"yes","machine_id":42}`, false, ByConfig, "cannot be parsed"},
		{"missing enabled fails closed", nil, `{"machine_id":"` + testID + `"}`, false, ByConfig, `"enabled" is missing`},
		{"bad machine id fails closed", nil, `{"enabled":true,"machine_id":"urn:uuid:` + testID + `"}`, false, ByConfig, "machine_id"},
		{"unknown consent source fails closed", nil, `{"enabled":true,"consent_source":"telepathy"}`, false, ByConfig, "consent_source"},
		{"trailing data fails closed", nil, cfgOn + `{}`, false, ByConfig, "trailing"},
		// encoding/json keeps the last of a repeated key; the ingest
		// rejects the repeat, and so does the consent file.
		{"duplicate enabled fails closed", nil, `{"enabled":false,"enabled":true,"machine_id":"` + testID + `","consent_source":"cli"}`, false, ByConfig, "duplicate object key"},
		{"duplicate machine id fails closed", nil, `{"enabled":true,"machine_id":"` + testID + `","machine_id":"` + testID + `"}`, false, ByConfig, "duplicate object key"},
		// encoding/json also matches keys in any case: "Enabled" is not
		// "enabled", and the record says off.
		{"a key in another case is not the key", nil, `{"enabled":false,"Enabled":true,"machine_id":""}`, false, ByConfig, "your choice: off"},
		// A record that says on carries the ID it sends under; without
		// one every send went out under a new random ID.
		{"on with a null machine id fails closed", nil, `{"enabled":true,"machine_id":null,"consent_source":"cli"}`, false, ByConfig, `"machine_id" is not a UUID`},
		// "" is what `telemetry on` stores while DO_NOT_TRACK keeps it off
		// (no ID on disk while off): the first send mints one and keeps it.
		{"on with an empty machine id is on, its ID minted when first sent", nil, `{"enabled":true,"machine_id":"","consent_source":"cli"}`, true, ByConfig, "your choice: on"},
		{"consent for an older collection version is asked again", nil, cfgOutdated, true, ByConfig, "for version 0 of what is collected; this version collects more"},
		{"a notice for an older collection version is shown again", nil, `{"enabled":true,"machine_id":"` + testID + `","consent_source":"default-notice","first_run_notice_shown":true,"consent_version":0}`, true, ByConfig, "the notice was shown for version 0"},
		{"off for an older collection version stays off", nil, `{"enabled":false,"machine_id":"","consent_source":"cli","consent_version":0}`, false, ByConfig, "your choice: off"},
		{"consent version of another type fails closed", nil, `{"enabled":true,"machine_id":"` + testID + `","consent_version":"1"}`, false, ByConfig, `"consent_version"`},
		{"negative consent version fails closed", nil, `{"enabled":true,"machine_id":"` + testID + `","consent_version":-1}`, false, ByConfig, `"consent_version"`},
		{"fractional consent version fails closed", nil, `{"enabled":true,"machine_id":"` + testID + `","consent_version":1.5}`, false, ByConfig, `"consent_version"`},
		{"on without a machine id fails closed", nil, `{"enabled":true,"consent_source":"installer"}`, false, ByConfig, `"machine_id" is not a UUID`},
		{"notice shown with a null machine id fails closed", nil, `{"enabled":true,"machine_id":null,"consent_source":"default-notice","first_run_notice_shown":true}`, false, ByConfig, `"machine_id" is not a UUID`},
		{"on with a number for machine id fails closed", nil, `{"enabled":true,"machine_id":7}`, false, ByConfig, `"machine_id" is not a UUID`},
		{"off with a null machine id is off", nil, `{"enabled":false,"machine_id":null,"consent_source":"cli"}`, false, ByConfig, "your choice: off"},
		{"whitespace only fails closed", nil, " \n", false, ByConfig, "is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t, tc.env)
			if tc.config != "" {
				writeConfig(t, s, tc.config)
			}
			d := s.Resolve()
			if d.Enabled != tc.enabled || d.DecidedBy != tc.decidedBy {
				t.Errorf("Resolve() = enabled %v by %s (%s); want %v by %s", d.Enabled, d.DecidedBy, d.Reason, tc.enabled, tc.decidedBy)
			}
			if !strings.Contains(d.Reason, tc.reasonPart) {
				t.Errorf("reason %q lacks %q", d.Reason, tc.reasonPart)
			}
		})
	}
}

// transitionTable is the state machine, written out: the state each
// transition leads to from each state ("err" where it is refused).
var transitionTable = map[State]map[Transition]string{
	NoChoice:           {InstallerYes: "chosen-on", InstallerNo: "chosen-off", CLIOn: "chosen-on", CLIOff: "chosen-off", NoticeShown: "default-notice-shown", Reset: "no-choice"},
	DefaultNoticeShown: {InstallerYes: "chosen-on", InstallerNo: "chosen-off", CLIOn: "chosen-on", CLIOff: "chosen-off", NoticeShown: "default-notice-shown", Reset: "no-choice"},
	ChosenOn:           {InstallerYes: "chosen-on", InstallerNo: "chosen-off", CLIOn: "chosen-on", CLIOff: "chosen-off", NoticeShown: "chosen-on", Reset: "no-choice"},
	ChosenOff:          {InstallerYes: "chosen-on", InstallerNo: "chosen-off", CLIOn: "chosen-on", CLIOff: "chosen-off", NoticeShown: "chosen-off", Reset: "no-choice"},
	Unreadable:         {InstallerYes: "err", InstallerNo: "err", CLIOn: "err", CLIOff: "err", NoticeShown: "unreadable", Reset: "no-choice"},
	Outdated:           {InstallerYes: "chosen-on", InstallerNo: "chosen-off", CLIOn: "chosen-on", CLIOff: "chosen-off", NoticeShown: "default-notice-shown", Reset: "no-choice"},
}

func TestNextTable(t *testing.T) {
	t.Parallel()
	for _, from := range States {
		for _, tr := range Transitions {
			want := transitionTable[from][tr]
			got, err := Next(from, tr)
			if want == "err" {
				if !errors.Is(err, ErrUnusableFile) || got != from {
					t.Errorf("Next(%v, %v) = %v, %v; want ErrUnusableFile", from, tr, got, err)
				}
				continue
			}
			if err != nil || got.String() != want {
				t.Errorf("Next(%v, %v) = %v, %v; want %s", from, tr, got, err, want)
			}
		}
	}
}

// TestApplyEveryStateEveryTransition runs the table on disk: the file
// after each transition is in the state the table says, with a machine ID
// exactly when it is on, the same ID when it stays on, and the right
// source; a refused transition leaves the file byte for byte.
func TestApplyEveryStateEveryTransition(t *testing.T) {
	t.Parallel()
	for _, from := range States {
		for _, tr := range Transitions {
			t.Run(fmt.Sprintf("%v/%v", from, tr), func(t *testing.T) {
				t.Parallel()
				s := newStore(t, nil)
				setState(t, s, from)
				before, _ := os.ReadFile(s.Dir.TelemetryConfig())
				out, err := s.Apply(tr)
				want := transitionTable[from][tr]
				if out.From != from || out.DeleteQueue != tr.Off() {
					t.Errorf("outcome %+v: want From %v, DeleteQueue %v", out, from, tr.Off())
				}
				if want == "err" {
					after, _ := os.ReadFile(s.Dir.TelemetryConfig())
					if !errors.Is(err, ErrUnusableFile) || string(after) != string(before) {
						t.Errorf("err %v, file %q → %q; want ErrUnusableFile and the file untouched", err, before, after)
					}
					if !strings.Contains(err.Error(), "telemetry reset") || strings.Count(err.Error(), s.Dir.TelemetryConfig()) != 1 {
						t.Errorf("error %q should name the file once and say how to reset", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				d := s.Resolve()
				if d.State.String() != want || out.To != d.State {
					t.Fatalf("stored state %v (outcome %v), want %s", d.State, out.To, want)
				}
				cfg := d.Config
				switch {
				case d.State == NoChoice:
					if _, err := os.Lstat(s.Dir.TelemetryConfig()); !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("file still there after %v", tr)
					}
					return
				case d.State == Unreadable:
					return
				case d.State.On() && cfg.MachineID == "":
					t.Errorf("on without a machine ID: %+v", cfg)
				case !d.State.On() && cfg.MachineID != "":
					t.Errorf("off with a machine ID on disk: %+v", cfg)
				}
				if (from == ChosenOn || from == DefaultNoticeShown || from == Outdated) && d.State.On() && cfg.MachineID != testID {
					t.Errorf("machine ID changed while on: %s", cfg.MachineID)
				}
				if _, source, ok := tr.choice(); ok && cfg.ConsentSource != source {
					t.Errorf("consent_source %q, want %q", cfg.ConsentSource, source)
				}
				if tr == NoticeShown && from == NoChoice && (cfg.ConsentSource != SourceDefaultNotice || !cfg.FirstRunNoticeShown || cfg.Explicit()) {
					t.Errorf("notice record %+v", cfg)
				}
			})
		}
	}
}

// TestEnvOverridesOnTop: the environment decides over every stored state
// and never changes it.
func TestEnvOverridesOnTop(t *testing.T) {
	t.Parallel()
	for _, from := range States {
		for _, env := range []struct {
			k, v    string
			enabled bool // "" = the state decides
			by      string
		}{
			{"", "", from.On(), ""},
			{"DO_NOT_TRACK", "1", false, ByDoNotTrack},
			{"CODEGRAPH_TELEMETRY", "0", false, ByEnv},
			{"CODEGRAPH_TELEMETRY", "1", true, ByEnv},
			{"CODEGRAPH_TELEMETRY", "maybe", false, ByEnv},
		} {
			s := newStore(t, map[string]string{env.k: env.v})
			setState(t, s, from)
			before, _ := os.ReadFile(s.Dir.TelemetryConfig())
			d := s.Resolve()
			if d.Enabled != env.enabled || (env.by != "" && d.DecidedBy != env.by) || d.State != from {
				t.Errorf("%v with %s=%s: %+v", from, env.k, env.v, d)
			}
			after, _ := os.ReadFile(s.Dir.TelemetryConfig())
			if string(after) != string(before) {
				t.Errorf("%v with %s=%s: resolving changed the file", from, env.k, env.v)
			}
		}
	}
}

// TestInstallerQuestion: asked while no choice is stored, pre-set to what
// applies now; never over a choice or a file that cannot be used.
func TestInstallerQuestion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		state       State
		env         map[string]string
		ask, preset bool
	}{
		{NoChoice, nil, true, true},
		{DefaultNoticeShown, nil, true, true},
		{NoChoice, map[string]string{"DO_NOT_TRACK": "1"}, true, false},
		{DefaultNoticeShown, map[string]string{"CODEGRAPH_TELEMETRY": "0"}, true, false},
		{ChosenOn, nil, false, false},
		{ChosenOff, nil, false, false},
		{ChosenOff, map[string]string{"CODEGRAPH_TELEMETRY": "1"}, false, false},
		{Unreadable, nil, false, false},
	} {
		s := newStore(t, tc.env)
		setState(t, s, tc.state)
		if ask, preset := s.InstallerQuestion(); ask != tc.ask || preset != tc.preset {
			t.Errorf("%v %v: ask %v preset %v, want %v %v", tc.state, tc.env, ask, preset, tc.ask, tc.preset)
		}
	}
}

func TestSetChoiceWritesOwnerOnlyAtomically(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	cfg, err := s.SetChoice(true, SourceInstaller)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Dir.TelemetryConfig())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("config mode %v, want 0600", fi.Mode().Perm())
	}
	di, _ := os.Stat(s.Dir.Root())
	if di.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", di.Mode().Perm())
	}
	loaded, err := s.Load()
	if err != nil || loaded == nil {
		t.Fatalf("Load: %v %v", loaded, err)
	}
	// No notice was shown: the record says so; the choice suppresses it.
	if *loaded != cfg || loaded.FirstRunNoticeShown || loaded.ConsentSource != SourceInstaller || !loaded.UpdatedAt.Equal(fixedNow) || loaded.MachineID == "" {
		t.Errorf("stored %+v, returned %+v", *loaded, cfg)
	}
	entries, _ := os.ReadDir(s.Dir.Root())
	if len(entries) != 1 {
		t.Errorf("leftover files in state dir: %v", entries)
	}
	if _, err := s.SetChoice(true, "telepathy"); err == nil {
		t.Error("a choice from an unknown source was stored")
	}
}

// TestMachineIDOnlyWhileOn walks a user through off, on, off, on: no ID on
// disk while off, a new one at each first on.
func TestMachineIDOnlyWhileOn(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	off, err := s.SetChoice(false, SourceCLI)
	if err != nil || off.MachineID != "" {
		t.Fatalf("off from no choice: %+v, %v; want no machine ID", off, err)
	}
	b, _ := os.ReadFile(s.Dir.TelemetryConfig())
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil || raw["machine_id"] != "" {
		t.Errorf("off file holds an ID: %s", b)
	}
	on1, _ := s.SetChoice(true, SourceCLI)
	off2, _ := s.SetChoice(false, SourceInstaller)
	on2, _ := s.SetChoice(true, SourceInstaller)
	if on1.MachineID == "" || off2.MachineID != "" || on2.MachineID == "" || on2.MachineID == on1.MachineID {
		t.Errorf("on %q, off %q, on again %q: want an ID only while on, a new one after an off", on1.MachineID, off2.MachineID, on2.MachineID)
	}
	again, _ := s.SetChoice(true, SourceCLI)
	if again.MachineID != on2.MachineID {
		t.Error("on while on changed the machine ID")
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if d := s.Resolve(); d.State != NoChoice || d.Config != nil {
		t.Errorf("after reset: %+v", d)
	}
}

func TestResetIsIdempotent(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	setState(t, s, ChosenOn)
	for i := 0; i < 2; i++ {
		if err := s.Reset(); err != nil {
			t.Errorf("reset %d: %v", i, err)
		}
	}
}

// TestGraceRun: the process that shows the notice sends nothing, for the
// rest of its life; the next process sends, under the ID minted with the
// notice, and the notice never shows again.
func TestGraceRun(t *testing.T) {
	t.Parallel()
	first := newStore(t, nil)
	notices := 0
	notify := func(string) { notices++ }
	for i := 0; i < 3; i++ {
		if id, ok := first.PrepareSend(notify); ok || id != "" {
			t.Fatalf("call %d of the notice run: PrepareSend = %q, %v; want no send", i, id, ok)
		}
	}
	if notices != 1 || !first.GraceRun() {
		t.Errorf("notice shown %d times (grace %v), want 1", notices, first.GraceRun())
	}
	cfg, _ := first.Load()
	if cfg == nil || cfg.ConsentSource != SourceDefaultNotice || !cfg.FirstRunNoticeShown || !cfg.Enabled || cfg.MachineID == "" {
		t.Fatalf("stored %+v", cfg)
	}
	next := &Store{Dir: first.Dir, Getenv: first.Getenv, Now: first.Now}
	id, ok := next.PrepareSend(notify)
	if !ok || id != cfg.MachineID || notices != 1 {
		t.Errorf("next process: PrepareSend = %q, %v (notices %d); want %q, true, 1", id, ok, notices, cfg.MachineID)
	}
	// Not a choice: the installer still asks.
	if ask, preset := next.InstallerQuestion(); !ask || !preset {
		t.Errorf("after the notice: InstallerQuestion = %v, %v", ask, preset)
	}
}

func TestPrepareSendAfterExplicitChoiceShowsNoNotice(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	cfg, err := s.SetChoice(true, SourceInstaller)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := s.PrepareSend(func(string) { t.Error("notice shown after an explicit choice") }); !ok || id != cfg.MachineID {
		t.Errorf("PrepareSend = %q, %v after opting in", id, ok)
	}
}

func TestPrepareSendWhenOff(t *testing.T) {
	t.Parallel()
	for _, env := range []map[string]string{{"DO_NOT_TRACK": "1"}, {"CODEGRAPH_TELEMETRY": "0"}} {
		s := newStore(t, env)
		if _, ok := s.PrepareSend(func(string) { t.Error("notice shown while off") }); ok {
			t.Errorf("%v: send allowed", env)
		}
		if _, err := os.Stat(s.Dir.Root()); !os.IsNotExist(err) {
			t.Errorf("%v: state dir created while off", env)
		}
	}
	s := newStore(t, nil)
	setState(t, s, ChosenOff)
	if _, ok := s.PrepareSend(func(string) { t.Error("notice shown while off") }); ok {
		t.Error("stored off: send allowed")
	}
}

// TestPrepareSendEnvOnOverStoredOff: on for this process by
// CODEGRAPH_TELEMETRY=1, under an ID that is never written.
func TestPrepareSendEnvOnOverStoredOff(t *testing.T) {
	t.Parallel()
	s := newStore(t, map[string]string{"CODEGRAPH_TELEMETRY": "1"})
	setState(t, s, ChosenOff)
	before, _ := os.ReadFile(s.Dir.TelemetryConfig())
	id1, ok1 := s.PrepareSend(func(string) { t.Error("notice after a choice") })
	id2, ok2 := s.PrepareSend(func(string) {})
	if !ok1 || !ok2 || id1 == "" || id1 != id2 {
		t.Errorf("PrepareSend = %q %v, %q %v", id1, ok1, id2, ok2)
	}
	if after, _ := os.ReadFile(s.Dir.TelemetryConfig()); string(after) != string(before) {
		t.Errorf("stored off gained %s", after)
	}
}

// TestOddOnRecordNeverSends: a record that says on with a repeated key or
// without a usable machine ID (null, missing, not a UUID) is off, for every
// process. ("" is `telemetry on` under DO_NOT_TRACK: TestOnWithoutAnIDMintsOne.) Before, each
// process (each flush) sent under a new random ID: three flushes, three
// machines at the ingest.
func TestOddOnRecordNeverSends(t *testing.T) {
	t.Parallel()
	for _, content := range []string{
		`{"enabled":false,"enabled":true,"machine_id":"` + testID + `","consent_source":"cli"}`,
		`{"enabled":true,"machine_id":null,"consent_source":"cli"}`,
		`{"enabled":true,"consent_source":"cli"}`,
		`{"enabled":true,"machine_id":"not-a-uuid","consent_source":"cli"}`,
	} {
		home := testkit.Home(t)
		ids := map[string]bool{}
		for i := 0; i < 3; i++ { // three processes
			s := &Store{Dir: statedir.ForHome(home), Getenv: func(string) string { return "" }, Now: time.Now}
			if i == 0 {
				writeConfig(t, s, content)
			}
			if d := s.Resolve(); d.Enabled || d.State != Unreadable || d.Reason == "" {
				t.Errorf("%s: resolved %+v; want off, unreadable, with a reason", content, d)
			}
			if id, ok := s.PrepareSend(func(string) { t.Errorf("%s: notice shown", content) }); ok {
				ids[id] = true
			}
		}
		if len(ids) != 0 {
			t.Errorf("%s: sent under %d machine IDs; want none", content, len(ids))
		}
		if data, _ := os.ReadFile(statedir.ForHome(home).TelemetryConfig()); string(data) != content {
			t.Errorf("%s: the file was changed to %s", content, data)
		}
	}
}

func TestPrepareSendDoesNotSendIfNoticeCannotBeRecorded(t *testing.T) {
	t.Parallel()
	home := testkit.Home(t)
	// A file where the state directory should be makes every write fail.
	if err := os.WriteFile(filepath.Join(home, ".codegraph"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Store{Dir: statedir.ForHome(home), Getenv: func(string) string { return "" }, Now: time.Now}
	if _, ok := s.PrepareSend(func(string) { t.Error("notice shown without being recorded") }); ok {
		t.Error("send allowed although the notice could not be recorded")
	}
}

// TestNoticeNeverClobbersAChoice: a `telemetry off` stored by another
// process between this one's read and its write of the notice record
// stays: the record is written only where no file is.
func TestNoticeNeverClobbersAChoice(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	other := newStore(t, nil)
	other.Dir = s.Dir
	s.Now = func() time.Time {
		// Called right before the write: the other process stores off.
		if _, err := other.SetChoice(false, SourceCLI); err != nil {
			t.Error(err)
		}
		return fixedNow
	}
	if _, ok := s.PrepareSend(func(string) { t.Error("notice shown although the record was not written") }); ok {
		t.Error("send allowed")
	}
	if d := other.Resolve(); d.State != ChosenOff {
		t.Errorf("the other process's off was replaced: %v", d.State)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(cfgOn))
	f.Add([]byte(cfgOff))
	f.Add([]byte(`{"enabled":true}`))
	f.Add([]byte(`{"enabled":false,"enabled":true,"machine_id":"` + testID + `"}`))
	f.Add([]byte(`{"enabled":true,"machine_id":null}`))
	f.Add([]byte(`{"enabled":1}`))
	f.Add([]byte(`{"enabled":true,"updated_at":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data)
		if err != nil {
			if cfg != nil {
				t.Fatal("config returned with an error")
			}
			return
		}
		if cfg.MachineID != "" && len(cfg.MachineID) != 36 {
			t.Fatalf("accepted machine ID %q", cfg.MachineID)
		}
		if cfg.Enabled && cfg.MachineID == "" {
			t.Fatal("accepted a record that says on without a machine ID")
		}
		switch cfg.ConsentSource {
		case "", SourceInstaller, SourceDefaultNotice, SourceCLI:
		default:
			t.Fatalf("accepted consent source %q", cfg.ConsentSource)
		}
	})
}

func TestCachedStoreSeesEveryChange(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	cached := NewStore(s.Dir, s.Getenv, s.Now)
	if d := cached.Resolve(); d.DecidedBy != ByDefault {
		t.Fatalf("decided by %s", d.DecidedBy)
	}
	for i, content := range []string{cfgOn, cfgOff, "{broken", cfgOn, cfgNotice} {
		writeConfig(t, s, content) // same size for cfgOn twice: a new inode each time
		d := cached.Resolve()
		direct := s.Resolve()
		if d.Enabled != direct.Enabled || d.Reason != direct.Reason || d.State != direct.State {
			t.Errorf("step %d: cached %+v, direct %+v", i, d, direct)
		}
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if d := cached.Resolve(); d.DecidedBy != ByDefault {
		t.Errorf("after reset: decided by %s", d.DecidedBy)
	}
}

// TestOnWithoutAnIDMintsOne: `codegraph telemetry on` under DO_NOT_TRACK
// stores the choice and no ID (none exists on disk while telemetry is
// off); once the variable is gone, the first send mints one and stores it,
// and every later process sends under that one: one machine, one ID. When
// it cannot be stored, nothing is sent.
func TestOnWithoutAnIDMintsOne(t *testing.T) {
	t.Parallel()
	home := testkit.Home(t)
	dnt := &Store{Dir: statedir.ForHome(home), Getenv: testkit.Env("DO_NOT_TRACK=1"), Now: time.Now}
	out, err := dnt.Apply(CLIOn)
	if err != nil || out.Config.MachineID != "" || !out.Config.Enabled {
		t.Fatalf("telemetry on under DO_NOT_TRACK stored %+v, %v; want on without an ID", out.Config, err)
	}
	if _, ok := dnt.PrepareSend(func(string) { t.Error("notice under DO_NOT_TRACK") }); ok {
		t.Error("sent under DO_NOT_TRACK")
	}
	ids := map[string]bool{}
	for i := 0; i < 3; i++ {
		s := &Store{Dir: statedir.ForHome(home), Getenv: func(string) string { return "" }, Now: time.Now}
		id, ok := s.PrepareSend(func(string) { t.Error("notice after a choice") })
		if !ok || id == "" {
			t.Fatalf("process %d: PrepareSend = %q, %v", i, id, ok)
		}
		ids[id] = true
	}
	if len(ids) != 1 {
		t.Errorf("three processes sent under %d IDs, want 1", len(ids))
	}
	if d := (&Store{Dir: statedir.ForHome(home), Getenv: func(string) string { return "" }, Now: time.Now}).Resolve(); !ids[d.Config.MachineID] {
		t.Errorf("the ID sent under is not the one stored: %+v", d.Config)
	}

	// The ID cannot be stored (the state folder turns into a file right
	// before the write): nothing is sent, rather than a new ID each time.
	home2 := testkit.Home(t)
	dir := statedir.ForHome(home2)
	s := &Store{Dir: dir, Getenv: func(string) string { return "" }, Now: time.Now}
	writeConfig(t, s, `{"enabled":true,"machine_id":"","consent_source":"cli"}`)
	s.Now = func() time.Time { // called right before the write
		if err := os.Rename(dir.Root(), dir.Root()+".aside"); err != nil {
			t.Error(err)
		}
		if err := os.WriteFile(dir.Root(), nil, 0o600); err != nil {
			t.Error(err)
		}
		return fixedNow
	}
	if id, ok := s.PrepareSend(func(string) {}); ok {
		t.Errorf("sent under %q with an ID that could not be stored", id)
	}
}

// TestOutdatedConsentShowsTheNoticeAgain: an on choice for an older
// collection version is not a yes to this one. The first process that
// would send prints the notice with what is new and sends nothing; the
// record then covers this version (as a notice, not a choice, so the
// installer asks again), the machine ID stays, and the next process sends.
func TestOutdatedConsentShowsTheNoticeAgain(t *testing.T) {
	t.Parallel()
	home := testkit.Home(t)
	first := &Store{Dir: statedir.ForHome(home), Getenv: func(string) string { return "" }, Now: time.Now}
	writeConfig(t, first, cfgOutdated)
	if ask, preset := first.InstallerQuestion(); !ask || !preset {
		t.Errorf("InstallerQuestion = %v, %v over an outdated yes; want asked, pre-set to yes", ask, preset)
	}
	var shown []string
	if _, ok := first.PrepareSend(func(text string) { shown = append(shown, text) }); ok {
		t.Error("the run that shows the notice again sent")
	}
	if len(shown) != 1 || !strings.HasPrefix(shown[0], Notice+"\n") || !strings.Contains(shown[0], NewSinceLine(0)) {
		t.Fatalf("notice = %q; want the notice and the line of what is new", shown)
	}
	if _, ok := first.PrepareSend(func(string) { t.Error("a second notice") }); ok {
		t.Error("the grace run sent on its second try")
	}
	next := &Store{Dir: statedir.ForHome(home), Getenv: func(string) string { return "" }, Now: time.Now}
	d := next.Resolve()
	if d.State != DefaultNoticeShown || d.Config.ConsentVersion != schema.CollectionVersion || d.Config.MachineID != testID {
		t.Errorf("after the notice: %v %+v", d.State, d.Config)
	}
	if id, ok := next.PrepareSend(func(string) { t.Error("notice again") }); !ok || id != testID {
		t.Errorf("next process: PrepareSend = %q, %v; want %s, true", id, ok, testID)
	}
}
