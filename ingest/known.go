package ingest

import "github.com/getcodegraph/codegraph-install/telemetry/schema"

// knownKeys and knownValues hold, read-only, every key and closed-set value
// the schema defines, taken from the schema itself at start-up. The parser
// looks here first, so a body made of the schema's own words needs no
// per-request intern table and no allocation for them.
var knownKeys, knownValues = buildKnown()

func buildKnown() (map[string]string, map[string]any) {
	keys := map[string]string{}
	vals := map[string]any{}
	addKey := func(k string) { keys[k] = k }
	addVal := func(v string) { vals[v] = v }
	for _, k := range []string{schema.KeyEvents, schema.KeyEvent, schema.KeyTS, schema.KeyProps} {
		addKey(k)
	}
	fields := schema.Envelope()
	for _, e := range schema.Events() {
		addVal(e.Name)
		fields = append(fields, e.Props...)
	}
	for _, f := range fields {
		addKey(f.Name)
		for _, v := range f.Enum {
			addVal(v)
		}
	}
	return keys, vals
}
