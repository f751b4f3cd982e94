package jsonc

// Rendering our entry in the file's style, and comparing it with what is there.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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

func renderMemberFor(b []byte, container object, path []string, fields []Field, st style) string {
	var indent string
	multiline := st.multiline
	if container.n > 0 {
		indent = lineIndent(b, container.last.name)
		if bytes.IndexByte(b[container.start:container.end], '\n') < 0 {
			multiline = false
		}
	} else {
		indent = lineIndent(b, container.start) + st.unit
	}
	st.multiline = multiline
	return renderMember(path, fields, st, indent)
}

// equalJSON reports whether raw (a valid JSONC value) holds exactly want
// (a string, a bool or a []string), as decoding both would say. want goes
// through encoding/json, so it is compared in the decoded form; raw is
// read lexically, stopping at the first difference: a field's value in a
// hostile file can be megabytes of arrays, never decoded whole.
func equalJSON(raw []byte, want any) bool {
	wantJSON, err := json.Marshal(want)
	if err != nil {
		return false
	}
	var wantValue any
	if json.Unmarshal(wantJSON, &wantValue) != nil {
		return false
	}
	var scratch []byte
	same := func(lit []byte, w any) bool {
		switch w := w.(type) {
		case string:
			if len(lit) < 2 || lit[0] != '"' {
				return false
			}
			var dec []byte
			var ok bool
			dec, ok = unquote(lit[1:len(lit)-1], scratch[:0])
			scratch = dec
			return ok && string(dec) == w
		case bool:
			return string(lit) == strconv.FormatBool(w)
		case nil:
			return string(lit) == "null"
		}
		return false
	}
	items, isArray := wantValue.([]any)
	if !isArray {
		return same(raw, wantValue)
	}
	if len(raw) == 0 || raw[0] != '[' {
		return false
	}
	i, k := skipExtra(raw, 1), 0
	for i < len(raw) && raw[i] != ']' {
		end := skipValue(raw, i)
		if k >= len(items) || !same(raw[i:end], items[k]) {
			return false
		}
		k++
		i = skipExtra(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipExtra(raw, i+1)
		}
	}
	return k == len(items)
}
