package consent

import (
	"os"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

var fixedNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func newStore(t *testing.T, env map[string]string) *Store {
	t.Helper()
	return &Store{
		Dir:    statedir.ForHome(testkit.Home(t)),
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return fixedNow },
	}
}

func writeConfig(t *testing.T, s *Store, content string) {
	t.Helper()
	if err := s.Dir.Ensure(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Dir.TelemetryConfig(), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

const (
	testID    = "3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"
	cfgOn     = `{"enabled":true,"machine_id":"` + testID + `","consent_source":"installer","first_run_notice_shown":true,"updated_at":"2026-11-01T00:00:00Z"}`
	cfgOff    = `{"enabled":false,"machine_id":"","consent_source":"cli","first_run_notice_shown":true,"updated_at":"2026-11-01T00:00:00Z"}`
	cfgNotice = `{"enabled":true,"machine_id":"` + testID + `","consent_source":"default-notice","first_run_notice_shown":true,"updated_at":"2026-11-01T00:00:00Z"}`
	cfgBroken = `{"enabled": "yes please"`
	// cfgOutdated: an installer yes for collection version 0, older than
	// any this binary collects.
	cfgOutdated = `{"enabled":true,"machine_id":"` + testID + `","consent_source":"installer","first_run_notice_shown":true,"updated_at":"2026-11-01T00:00:00Z","consent_version":0}`
)

// setState puts the stored state st on disk.
func setState(t *testing.T, s *Store, st State) {
	t.Helper()
	switch st {
	case NoChoice:
	case DefaultNoticeShown:
		writeConfig(t, s, cfgNotice)
	case ChosenOn:
		writeConfig(t, s, cfgOn)
	case ChosenOff:
		writeConfig(t, s, cfgOff)
	case Unreadable:
		writeConfig(t, s, cfgBroken)
	case Outdated:
		writeConfig(t, s, cfgOutdated)
	default:
		t.Fatalf("no fixture for %v", st)
	}
}
