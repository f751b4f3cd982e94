package jsonc

// Rendering our entry in the file's style, and comparing it with what is there.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/tailscale/hujson"
)

func quote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

func renderValue(v any, st style) string {
	switch x := v.(type) {
	case string:
		return quote(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = quote(s)
		}
		return "[" + strings.Join(parts, st.comma) + "]"
	}
	panic(fmt.Sprintf("jsonc: unsupported field type %T", v))
}

// renderObject renders the entry object whose opening brace sits on a line
// indented by indent.
func renderObject(fields []Field, st style, indent string) string {
	if !st.multiline {
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = quote(f.Key) + st.colon + renderValue(f.Value, st)
		}
		return "{" + strings.Join(parts, st.comma) + "}"
	}
	var sb strings.Builder
	sb.WriteString("{")
	for i, f := range fields {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(st.nl + indent + st.unit + quote(f.Key) + st.colon + renderValue(f.Value, st))
	}
	sb.WriteString(st.nl + indent + "}")
	return sb.String()
}

// renderMember renders `"path[0]": {... "path[n-1]": entry}` for a member
// whose line is indented by indent.
func renderMember(path []string, fields []Field, st style, indent string) string {
	if len(path) == 1 {
		return quote(path[0]) + st.colon + renderObject(fields, st, indent)
	}
	if !st.multiline {
		return quote(path[0]) + st.colon + "{" + renderMember(path[1:], fields, st, indent) + "}"
	}
	inner := indent + st.unit
	return quote(path[0]) + st.colon + "{" + st.nl + inner + renderMember(path[1:], fields, st, inner) + st.nl + indent + "}"
}

func renderMemberFor(b []byte, container *hujson.Value, path []string, fields []Field, st style) string {
	obj := container.Value.(*hujson.Object)
	var indent string
	multiline := st.multiline
	if len(obj.Members) > 0 {
		last := obj.Members[len(obj.Members)-1]
		indent = lineIndent(b, last.Name.StartOffset)
		if bytes.IndexByte(b[container.StartOffset:container.EndOffset], '\n') < 0 {
			multiline = false
		}
	} else {
		indent = lineIndent(b, container.StartOffset) + st.unit
	}
	st.multiline = multiline
	return renderMember(path, fields, st, indent)
}

// equalJSON reports whether raw (a JSONC value) holds exactly want (a
// string, a bool or a []string). want goes through encoding/json too, so
// both sides are compared in the same decoded form ([]string as []any).
func equalJSON(raw []byte, want any) bool {
	std, err := hujson.Standardize(append([]byte{}, raw...))
	if err != nil {
		return false
	}
	wantJSON, err := json.Marshal(want)
	if err != nil {
		return false
	}
	var got, wantValue any
	if json.Unmarshal(std, &got) != nil || json.Unmarshal(wantJSON, &wantValue) != nil {
		return false
	}
	return reflect.DeepEqual(got, wantValue)
}
