package telemetry

import (
	"fmt"
	"testing"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestInstallEventCapsTargets: there are more agents than the schema lets
// one event list; an install into all of them keeps the first ones instead
// of losing the prop.
func TestInstallEventCapsTargets(t *testing.T) {
	t.Parallel()
	var all []string
	for i := range schema.MaxItems(schema.EventInstall, "targets") + 4 {
		all = append(all, fmt.Sprintf("agent%d", i))
	}
	for _, e := range []Event{InstallEvent(all, schema.ScopeGlobal, schema.InstallFresh), UninstallEvent(all)} {
		got, _ := e.props["targets"].([]string)
		if len(got) != schema.MaxItems(e.name, "targets") || got[0] != "agent0" {
			t.Errorf("%s targets = %v, want the first %d", e.name, got, schema.MaxItems(e.name, "targets"))
		}
	}
}

// TestIndexEventCapsLanguages: a project with more languages than the
// schema allows sends its biggest ones (the census ranks them first).
func TestIndexEventCapsLanguages(t *testing.T) {
	t.Parallel()
	langs := schema.Languages()
	e := IndexEvent(langs, 10, 0)
	got, _ := e.props["languages"].([]string)
	if max := schema.MaxItems(schema.EventIndex, "languages"); len(langs) <= max || len(got) != max || got[0] != langs[0] {
		t.Errorf("languages = %v (of %d), want the first %d", got, len(langs), max)
	}
}
