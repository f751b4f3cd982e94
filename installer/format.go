package installer

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/getcodegraph/codegraph-install/installer/jsonc"
	"github.com/getcodegraph/codegraph-install/installer/tomlcfg"
	"github.com/getcodegraph/codegraph-install/installer/yamlcfg"
)

// syntax is everything the installer does with one config-file format.
// Each format is one implementation below, over its own package (jsonc,
// tomlcfg, yamlcfg), which reports a refusal with the errors of package
// configerr: adding a format touches this file and its package, and adding
// an agent is one Target in targets.go. Nothing else in the installer
// looks at a file's format.
type syntax interface {
	// name is how the format is named to the file's owner ("TOML").
	name() string
	// entry returns our entry in content as the agent reads it, nil when
	// there is none.
	entry(t Target, content []byte) (map[string]any, error)
	// set puts our entry (fields, in order) where t reads its servers,
	// changing nothing else, and records in rec what undoes it; content
	// is nil when the file does not exist.
	set(t Target, content []byte, fields []field, rec *TargetRecord) (out []byte, changed bool, err error)
	// hasUndo reports whether rec holds this format's undo record.
	hasUndo(rec TargetRecord) bool
	// existed reports whether rec's undo restores an entry that was there
	// before our first install (rather than removing ours).
	existed(rec TargetRecord) bool
	// revert undoes set with rec's undo record; empty reports that
	// nothing but an empty document is left.
	revert(rec TargetRecord, content []byte) (out []byte, empty bool, err error)
	// redact replaces secret values for printing (see package secret).
	redact(content []byte) []byte
}

// syntaxOf is the syntax of format f. A .json file is read as JSONC
// anyway: agents' .json files often hold comments.
func syntaxOf(f Format) syntax {
	switch f {
	case FormatTOML:
		return tomlSyntax{}
	case FormatYAML:
		return yamlSyntax{}
	case FormatJSONC:
		return jsonSyntax{label: "JSONC"}
	}
	return jsonSyntax{label: "JSON"}
}

// jsonSyntax: the servers object at t.servers, our entry under ServerName.
type jsonSyntax struct{ label string }

func (s jsonSyntax) name() string { return s.label }

func (jsonSyntax) entry(t Target, content []byte) (map[string]any, error) {
	raw, err := jsonc.Get(content, []string{t.servers, ServerName})
	if err != nil || raw == nil {
		return nil, err
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, fmt.Errorf("%s.%s is not an object", t.servers, ServerName)
	}
	return m, nil
}

func (jsonSyntax) set(t Target, content []byte, fields []field, rec *TargetRecord) ([]byte, bool, error) {
	jf := make([]jsonc.Field, len(fields))
	for i, f := range fields {
		jf[i] = jsonc.Field{Key: f.Key, Value: f.Value}
	}
	out, undo, changed, err := jsonc.Set(content, []string{t.servers, ServerName}, jf)
	if err != nil {
		return nil, false, err
	}
	rec.JSON = &undo
	rec.PreviousEntry = undo.Previous
	return out, changed, nil
}

func (jsonSyntax) hasUndo(rec TargetRecord) bool { return rec.JSON != nil }
func (jsonSyntax) existed(rec TargetRecord) bool { return rec.JSON != nil && rec.JSON.Previous != nil }

func (jsonSyntax) revert(rec TargetRecord, content []byte) ([]byte, bool, error) {
	return jsonc.Revert(content, *rec.JSON)
}

func (jsonSyntax) redact(content []byte) []byte { return jsonc.Redact(content) }

// tomlSyntax: codex's [mcp_servers.codegraph] table.
type tomlSyntax struct{}

func (tomlSyntax) name() string { return "TOML" }

func (tomlSyntax) entry(_ Target, content []byte) (map[string]any, error) {
	return tomlcfg.Get(content, ServerName)
}

func (tomlSyntax) set(_ Target, content []byte, fields []field, rec *TargetRecord) ([]byte, bool, error) {
	kvs := make([]tomlcfg.KV, len(fields))
	for i, f := range fields {
		kvs[i] = tomlcfg.KV{Key: f.Key, Value: f.Value}
	}
	out, undo, changed, err := tomlcfg.Set(content, ServerName, kvs)
	if err != nil {
		return nil, false, err
	}
	rec.TOML = &undo
	return out, changed, nil
}

func (tomlSyntax) hasUndo(rec TargetRecord) bool { return rec.TOML != nil }
func (tomlSyntax) existed(rec TargetRecord) bool { return rec.TOML != nil && !rec.TOML.Appended }

func (tomlSyntax) revert(rec TargetRecord, content []byte) ([]byte, bool, error) {
	out, err := tomlcfg.Revert(content, *rec.TOML)
	if err != nil {
		return nil, false, err
	}
	return out, len(bytes.TrimSpace(out)) == 0, nil
}

func (tomlSyntax) redact(content []byte) []byte { return tomlcfg.Redact(content) }

// yamlSyntax: a mapping (goose's extensions) or a list of named servers
// (continue's mcpServers) at t.servers.
type yamlSyntax struct{}

func (yamlSyntax) name() string { return "YAML" }

func (yamlSyntax) entry(t Target, content []byte) (map[string]any, error) {
	return yamlcfg.Get(content, t.yamlWhere())
}

func (yamlSyntax) set(t Target, content []byte, fields []field, rec *TargetRecord) ([]byte, bool, error) {
	yf := make([]yamlcfg.Field, len(fields))
	for i, f := range fields {
		yf[i] = yamlcfg.Field{Key: f.Key, Value: f.Value}
	}
	out, undo, changed, err := yamlcfg.Set(content, t.yamlWhere(), yf)
	if err != nil {
		return nil, false, err
	}
	rec.YAML = &undo
	return out, changed, nil
}

func (yamlSyntax) hasUndo(rec TargetRecord) bool { return rec.YAML != nil }
func (yamlSyntax) existed(rec TargetRecord) bool { return rec.YAML != nil && !rec.YAML.Appended }

func (yamlSyntax) revert(rec TargetRecord, content []byte) ([]byte, bool, error) {
	return yamlcfg.Revert(content, *rec.YAML)
}

func (yamlSyntax) redact(content []byte) []byte { return yamlcfg.Redact(content) }

func (t Target) yamlWhere() yamlcfg.Where {
	return yamlcfg.Where{Key: t.servers, Name: ServerName, List: t.list}
}
