//go:build pro

package consent

import (
	"errors"
	"testing"
)

func TestProBuildIsAlwaysOff(t *testing.T) {
	t.Parallel()
	s := newStore(t, map[string]string{"CODEGRAPH_TELEMETRY": "1"})
	writeConfig(t, s, cfgOn)
	if d := s.Resolve(); d.Enabled || d.DecidedBy != ByBuild {
		t.Errorf("pro build resolved %+v", d)
	}
	if _, err := s.SetChoice(true, SourceCLI); !errors.Is(err, ErrNotAvailable) {
		t.Errorf("SetChoice(true) in pro = %v", err)
	}
}
