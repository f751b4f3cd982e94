// Package tomlcfg adds, updates and removes one MCP server table in a Codex
// CLI config.toml as a minimal text edit.
//
// It owns: a small TOML statement scanner (table headers, keys, value spans
// across multi-line strings, arrays and TOML 1.1 multi-line inline tables),
// appending a `[mcp_servers.<name>]` table, updating `command`/`args` of an
// existing one in place, and reverting that edit from an Undo record. Every
// input and output is checked with a real TOML 1.1 parser
// (github.com/BurntSushi/toml). It never re-encodes the document, and it
// refuses, with a message saying what to do, forms it does not edit: a root
// `mcp_servers = {…}` inline table, dotted `mcp_servers.<name>.x = …` keys,
// `[[mcp_servers]]`. It does no I/O.
package tomlcfg

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/getcodegraph/codegraph-install/installer/configerr"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// Undo records what Set changed so Revert can put it back.
type Undo struct {
	// Table is the server name under mcp_servers.
	Table string `json:"table"`
	// Appended is true when Set appended the whole table.
	Appended bool `json:"appended,omitempty"`
	// Previous maps each key Set touched in an existing table to its former
	// raw value text; a nil value means the key did not exist.
	Previous map[string]*string `json:"previous,omitempty"`
}

// Validate parses b as TOML 1.1, after the limits (limits.go), with the
// headroom for a file holding our table: what Get and Revert accept.
func Validate(b []byte) (map[string]any, error) {
	return validate(b, false)
}

// validate is Validate with the limits of an edit (edit set) or of a read.
func validate(b []byte, edit bool) (map[string]any, error) {
	if err := checkLimits(b, edit); err != nil {
		return nil, err
	}
	var m map[string]any
	// From the bytes, not a string copy of them: the parser copies its
	// input twice already.
	if _, err := toml.NewDecoder(bytes.NewReader(b)).Decode(&m); err != nil {
		return nil, &configerr.SyntaxError{Msg: err.Error()}
	}
	return m, nil
}

// KV is one key written in the server table, in order. Value is a string
// or a []string.
type KV struct {
	Key   string
	Value any
}

// Set makes [mcp_servers.<name>] hold the given keys. changed is false when
// the file already says exactly that.
func Set(src []byte, name string, kvs []KV) (out []byte, undo Undo, changed bool, err error) {
	doc, err := validate(src, true)
	if err != nil {
		return nil, Undo{}, false, err
	}
	stmts, err := scan(src)
	if err != nil {
		return nil, Undo{}, false, &configerr.ShapeError{Msg: "could not follow the file's structure (" + err.Error() + "); edit it by hand"}
	}
	if err := checkForm(stmts, name); err != nil {
		return nil, Undo{}, false, err
	}
	undo = Undo{Table: name}
	nl := newline(src)
	hdr := findHeader(stmts, name)
	if hdr < 0 {
		if servers, ok := doc["mcp_servers"].(map[string]any); ok {
			if _, ok := servers[name]; ok {
				return nil, Undo{}, false, &configerr.ShapeError{Msg: fmt.Sprintf("mcp_servers.%s is defined in a form we do not edit; update it by hand", name)}
			}
		}
		undo.Appended = true
		out = appendTable(src, name, kvs, nl)
		changed = true
	} else {
		undo.Previous = map[string]*string{}
		out = src
		for _, kv := range kvs {
			stmts, _ = scan(out)
			hdr = findHeader(stmts, name)
			idx := findKey(stmts, hdr, kv.Key)
			val := render(kv.Value)
			if idx >= 0 {
				s := stmts[idx]
				raw := string(out[s.valStart:s.valEnd])
				if tomlEqual(raw, kv.Value) {
					continue
				}
				undo.Previous[kv.Key] = &raw
				out = splice(out, s.valStart, s.valEnd, val)
			} else {
				undo.Previous[kv.Key] = nil
				out = insertKey(out, stmts, hdr, kv.Key+" = "+val, nl)
			}
			changed = true
		}
	}
	if !changed {
		return src, undo, false, nil
	}
	got, err := Validate(out)
	if err != nil {
		return nil, Undo{}, false, fmt.Errorf("tomlcfg: internal error: edit produced invalid TOML (%v); nothing written", err)
	}
	if !hasEntry(got, name, kvs) {
		return nil, Undo{}, false, errors.New("tomlcfg: internal error: edit did not produce the entry; nothing written")
	}
	back, rerr := revert(out, undo) // out was just validated
	if rerr != nil || !bytes.Equal(back, src) {
		return nil, Undo{}, false, errors.New("tomlcfg: internal error: edit would not be exactly reversible; nothing written")
	}
	return out, undo, true, nil
}

// Revert undoes Set on the current document src.
func Revert(src []byte, undo Undo) ([]byte, error) {
	if _, err := Validate(src); err != nil {
		return nil, err
	}
	return revert(src, undo)
}

// revert is Revert on a document already validated: Set checks its own
// output once, not once more to undo it.
func revert(src []byte, undo Undo) ([]byte, error) {
	stmts, err := scan(src)
	if err != nil {
		return nil, &configerr.ShapeError{Msg: err.Error()}
	}
	hdr := findHeader(stmts, undo.Table)
	if hdr < 0 {
		return src, nil // already gone
	}
	nl := newline(src)
	if undo.Appended {
		start := stmts[hdr].start
		end := len(src)
		for i := hdr + 1; i < len(stmts); i++ {
			if stmts[i].kind == kindHeader || stmts[i].kind == kindArrayHeader {
				end = stmts[i].start
				break
			}
		}
		removed := src[start:end]
		drop := 1
		if end == len(src) && !bytes.HasSuffix(removed, []byte("\n")) {
			drop = 2
		}
		for ; drop > 0 && start > 0 && src[start-1] == '\n'; drop-- {
			start -= len(nl)
			if nl == "\r\n" && (start < 0 || src[start] != '\r') {
				start++ // a lone "\n" in a CRLF file
			}
		}
		return splice(src, start, end, ""), nil
	}
	out := src
	for key, prev := range undo.Previous {
		stmts, _ = scan(out)
		hdr = findHeader(stmts, undo.Table)
		idx := findKey(stmts, hdr, key)
		if idx < 0 {
			continue
		}
		s := stmts[idx]
		if prev != nil {
			out = splice(out, s.valStart, s.valEnd, *prev)
			continue
		}
		start, end := s.start, s.end
		if end == len(out) && !bytes.HasSuffix(out[start:end], []byte("\n")) {
			start -= len(nl) // the key was added after a last line without newline
		}
		out = splice(out, start, end, "")
	}
	return out, nil
}

func hasEntry(doc map[string]any, name string, kvs []KV) bool {
	servers, _ := doc["mcp_servers"].(map[string]any)
	entry, _ := servers[name].(map[string]any)
	for _, kv := range kvs {
		if !valueEqual(entry[kv.Key], kv.Value) {
			return false
		}
	}
	return entry != nil
}

// valueEqual reports whether a decoded TOML value holds exactly want (a
// string, a bool or a []string, which decodes as []any).
func valueEqual(got, want any) bool {
	if w, ok := want.([]string); ok {
		items := make([]any, len(w))
		for i, v := range w {
			items[i] = v
		}
		want = items
	}
	return reflect.DeepEqual(got, want)
}

func tomlEqual(raw string, want any) bool {
	var m map[string]any
	if _, err := toml.Decode("v = "+raw, &m); err != nil {
		return false
	}
	return valueEqual(m["v"], want)
}

// checkForm refuses mcp_servers written as a root inline table, as dotted
// keys naming our server, or as an array of tables.
func checkForm(stmts []stmt, name string) error {
	var table []string
	for _, s := range stmts {
		switch s.kind {
		case kindHeader:
			table = s.keys
		case kindArrayHeader:
			table = s.keys
			if len(s.keys) >= 1 && s.keys[0] == "mcp_servers" && len(s.keys) <= 2 {
				return &configerr.ShapeError{Msg: "mcp_servers is written as an array of tables ([[mcp_servers]]), which Codex does not read as servers; fix it by hand"}
			}
		case kindKeyVal:
			// The key's full path, table then key, read in place: a copy
			// per key would cost the table's depth each.
			n := len(table) + len(s.keys)
			part := func(i int) string {
				if i < len(table) {
					return table[i]
				}
				return s.keys[i-len(table)]
			}
			if n == 0 || part(0) != "mcp_servers" {
				continue
			}
			if len(table) == 0 && len(s.keys) == 1 {
				return &configerr.ShapeError{Msg: fmt.Sprintf("mcp_servers is written as an inline table (mcp_servers = {…}); add `%s = { command = …, args = […] }` inside it by hand, or rewrite it as [mcp_servers.<name>] tables and run the installer again", name)}
			}
			if n >= 2 && part(1) == name && (len(table) < 2) {
				return &configerr.ShapeError{Msg: fmt.Sprintf("mcp_servers.%s is written with dotted keys or an inline table; edit it by hand or rewrite it as a [mcp_servers.%s] table", name, name)}
			}
		}
	}
	return nil
}

func findHeader(stmts []stmt, name string) int {
	for i, s := range stmts {
		if s.kind == kindHeader && len(s.keys) == 2 && s.keys[0] == "mcp_servers" && s.keys[1] == name {
			return i
		}
	}
	return -1
}

// findKey returns the statement index of a plain key in the table whose
// header is at hdr.
func findKey(stmts []stmt, hdr int, key string) int {
	for i := hdr + 1; i < len(stmts); i++ {
		s := stmts[i]
		if s.kind == kindHeader || s.kind == kindArrayHeader {
			return -1
		}
		if s.kind == kindKeyVal && len(s.keys) == 1 && s.keys[0] == key {
			return i
		}
	}
	return -1
}

// insertKey adds a line after the last key of the table at hdr.
func insertKey(src []byte, stmts []stmt, hdr int, line, nl string) []byte {
	at := stmts[hdr].end
	for i := hdr + 1; i < len(stmts); i++ {
		if stmts[i].kind == kindHeader || stmts[i].kind == kindArrayHeader {
			break
		}
		if stmts[i].kind == kindKeyVal {
			at = stmts[i].end
		}
	}
	if at == len(src) && !bytes.HasSuffix(src, []byte("\n")) {
		return splice(src, at, at, nl+line)
	}
	return splice(src, at, at, line+nl)
}

func appendTable(src []byte, name string, kvs []KV, nl string) []byte {
	var sb strings.Builder
	if len(src) > 0 {
		if !bytes.HasSuffix(src, []byte("\n")) {
			sb.WriteString(nl)
		}
		sb.WriteString(nl)
	}
	sb.WriteString("[mcp_servers." + renderKey(name) + "]")
	for _, kv := range kvs {
		sb.WriteString(nl + kv.Key + " = " + render(kv.Value))
	}
	// Keep the file's choice about a final newline (an empty file gets one).
	if len(src) == 0 || bytes.HasSuffix(src, []byte("\n")) {
		sb.WriteString(nl)
	}
	// One copy of a file that may run to megabytes.
	return append(append(make([]byte, 0, len(src)+sb.Len()), src...), sb.String()...)
}

func newline(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i > 0 && b[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

func splice(b []byte, start, end int, with string) []byte {
	out := make([]byte, 0, len(b)-(end-start)+len(with))
	out = append(out, b[:start]...)
	out = append(out, with...)
	return append(out, b[end:]...)
}

func renderKey(k string) string {
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return quoteString(k)
		}
	}
	if k == "" {
		return `""`
	}
	return k
}

func render(v any) string {
	switch x := v.(type) {
	case string:
		return quoteString(x)
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = quoteString(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	panic(fmt.Sprintf("tomlcfg: unsupported value type %T", v))
}

// quoteString writes a TOML basic string.
func quoteString(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			sb.WriteString(`\"`)
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&sb, `\u%04X`, r)
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// Get returns the decoded table mcp_servers.<name>, or nil when there is
// none: the entry as Codex reads it, for checks such as codegraph doctor.
func Get(src []byte, name string) (map[string]any, error) {
	doc, err := Validate(src)
	if err != nil {
		return nil, err
	}
	servers, _ := doc["mcp_servers"].(map[string]any)
	entry, _ := servers[name].(map[string]any)
	return entry, nil
}
