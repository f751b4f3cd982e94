//go:build !pro

package consent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
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
		{"default with no config", nil, "", true, ByDefault, "on by default"},
		{"config on", nil, cfgOn, true, ByConfig, "set by installer"},
		{"config off", nil, cfgOff, false, ByConfig, "set by cli"},
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
		{"missing enabled fails closed", nil, `{"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"}`, false, ByConfig, `"enabled" is missing`},
		{"bad machine id fails closed", nil, `{"enabled":true,"machine_id":"urn:uuid:3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"}`, false, ByConfig, "machine_id"},
		{"unknown consent source fails closed", nil, `{"enabled":true,"consent_source":"telepathy"}`, false, ByConfig, "consent_source"},
		{"trailing data fails closed", nil, cfgOn + `{}`, false, ByConfig, "trailing"},
		{"empty file fails closed", nil, ``, false, ByConfig, "cannot be parsed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t, tc.env)
			if tc.config != "" || strings.Contains(tc.name, "empty file") {
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

func TestUnreadableConfigFailsClosed(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	// A directory where the file should be cannot be read as a file, even by root.
	if err := os.MkdirAll(s.Dir.TelemetryConfig(), 0o700); err != nil {
		t.Fatal(err)
	}
	d := s.Resolve()
	if d.Enabled || d.DecidedBy != ByConfig || !strings.Contains(d.Reason, "cannot be read") {
		t.Errorf("Resolve() = %+v", d)
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
	if *loaded != cfg || !loaded.FirstRunNoticeShown || loaded.ConsentSource != SourceInstaller || !loaded.UpdatedAt.Equal(fixedNow) {
		t.Errorf("stored %+v, returned %+v", *loaded, cfg)
	}
	// Turning it off keeps the machine ID.
	off, err := s.SetChoice(false, SourceCLI)
	if err != nil {
		t.Fatal(err)
	}
	if off.MachineID != cfg.MachineID || off.Enabled {
		t.Errorf("off = %+v; machine ID must survive (%s)", off, cfg.MachineID)
	}
	entries, _ := os.ReadDir(s.Dir.Root())
	if len(entries) != 1 {
		t.Errorf("leftover files in state dir: %v", entries)
	}
}

func TestSetChoiceNeverOverwritesBrokenConfig(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	writeConfig(t, s, "{broken")
	if _, err := s.SetChoice(false, SourceCLI); err == nil || !strings.Contains(err.Error(), "telemetry reset") {
		t.Fatalf("SetChoice over a broken config: err = %v", err)
	}
	got, _ := os.ReadFile(s.Dir.TelemetryConfig())
	if string(got) != "{broken" {
		t.Errorf("broken config was overwritten: %q", got)
	}
}

func TestResetMintsNewMachineID(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	first, err := s.SetChoice(true, SourceCLI)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(); err != nil {
		t.Errorf("second reset: %v", err)
	}
	if d := s.Resolve(); d.DecidedBy != ByDefault {
		t.Errorf("after reset decided by %s", d.DecidedBy)
	}
	second, _ := s.SetChoice(true, SourceCLI)
	if second.MachineID == first.MachineID {
		t.Error("machine ID survived a reset")
	}
}

func TestPrepareSendShowsNoticeOnce(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	notices := 0
	notify := func() { notices++ }
	id1, ok := s.PrepareSend(notify)
	if !ok || id1 == "" {
		t.Fatalf("PrepareSend = %q, %v", id1, ok)
	}
	id2, ok := s.PrepareSend(notify)
	if !ok || id2 != id1 {
		t.Fatalf("second PrepareSend = %q, %v; want %q", id2, ok, id1)
	}
	if notices != 1 {
		t.Errorf("notice shown %d times, want 1", notices)
	}
	cfg, _ := s.Load()
	if cfg.ConsentSource != SourceDefaultNotice || !cfg.FirstRunNoticeShown || !cfg.Enabled {
		t.Errorf("stored %+v", cfg)
	}
}

func TestPrepareSendAfterExplicitChoiceShowsNoNotice(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	if _, err := s.SetChoice(true, SourceInstaller); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.PrepareSend(func() { t.Error("notice shown after an explicit choice") }); !ok {
		t.Error("send refused after opting in")
	}
}

func TestPrepareSendWhenOff(t *testing.T) {
	t.Parallel()
	for _, env := range []map[string]string{{"DO_NOT_TRACK": "1"}, {"CODEGRAPH_TELEMETRY": "0"}} {
		s := newStore(t, env)
		if _, ok := s.PrepareSend(func() { t.Error("notice shown while off") }); ok {
			t.Errorf("%v: send allowed", env)
		}
		if _, err := os.Stat(s.Dir.Root()); !os.IsNotExist(err) {
			t.Errorf("%v: state dir created while off", env)
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
	if _, ok := s.PrepareSend(func() { t.Error("notice shown without being recorded") }); ok {
		t.Error("send allowed although the notice could not be recorded")
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(cfgOn))
	f.Add([]byte(cfgOff))
	f.Add([]byte(`{"enabled":true}`))
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
	for i, content := range []string{cfgOn, cfgOff, "{broken", cfgOn} {
		writeConfig(t, s, content) // same size for cfgOn twice: a new inode each time
		d := cached.Resolve()
		direct := s.Resolve()
		if d.Enabled != direct.Enabled || d.Reason != direct.Reason {
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
