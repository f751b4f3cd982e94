package telemetry

import (
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Event is a lifecycle event whose props were built by one of the typed
// constructors below and checked against the schema. The zero Event is
// dropped by Emit.
type Event struct {
	name  string
	props map[string]any
}

func newEvent(name string, props map[string]any) Event {
	clean, _, ok := schema.CleanEvent(name, props)
	if !ok {
		return Event{}
	}
	return Event{name: name, props: clean}
}

// targetList is the targets prop. The schema caps the list (there are
// more agents than it allows); past the cap the first ones are sent, so an
// install into every agent still counts, rather than losing the prop whole.
func targetList(event string, targets []string) map[string]any {
	if len(targets) == 0 {
		return map[string]any{}
	}
	if max := schema.MaxItems(event, "targets"); len(targets) > max {
		targets = targets[:max]
	}
	return map[string]any{"targets": append([]string(nil), targets...)}
}

// InstallEvent is one installer run: the target ids, scope and kind (the
// closed sets schema.Scope and schema.InstallKind).
func InstallEvent(targets []string, scope schema.Scope, kind schema.InstallKind) Event {
	props := targetList(schema.EventInstall, targets)
	props["scope"] = string(scope)
	props["kind"] = string(kind)
	return newEvent(schema.EventInstall, props)
}

// UninstallEvent is one uninstall or uninit run; uninit has no targets.
func UninstallEvent(targets []string) Event {
	return newEvent(schema.EventUninstall, targetList(schema.EventUninstall, targets))
}

// IndexEvent is one full index. languages must already be codegraph ids
// (the census maps detector names onto them); any other value is reported
// as "other". The file count and duration leave only as buckets.
func IndexEvent(languages []string, files int, took time.Duration) Event {
	props := map[string]any{
		"file_count_bucket": schema.FileCountBucket(files),
		"duration_bucket":   schema.DurationBucket(took),
	}
	if max := schema.MaxItems(schema.EventIndex, "languages"); len(languages) > max {
		languages = languages[:max] // callers list the biggest first
	}
	if len(languages) > 0 {
		props["languages"] = append([]string(nil), languages...)
	}
	return newEvent(schema.EventIndex, props)
}
