// Package jsonc edits one member of a user's JSON or JSONC (JSON with
// comments and trailing commas) document as a minimal text splice.
//
// It owns: finding an object member by key path, inserting or updating it
// in the file's own style (line endings, indentation, one-line files, BOM,
// trailing commas), and reverting exactly that edit later from an Undo
// record. It never re-marshals, re-indents or reorders the document: the
// bytes outside the spliced ranges are returned unchanged. It does no I/O.
package jsonc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/tailscale/hujson"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Field is one key of the entry we write, in the order it is written.
// Value is a string, a bool or a []string.
type Field struct {
	Key   string
	Value any
}

// Undo records what Set changed so Revert can put back exactly what was
// there. It is stored in the install manifest, hence the JSON tags.
type Undo struct {
	// Path is the key path of the entry, e.g. ["mcpServers","codegraph"].
	Path []string `json:"path"`
	// Previous is the raw text of the entry's value before Set, when the
	// entry existed (an older install or the user's own).
	Previous *string `json:"previous,omitempty"`
	// CreatedDepth is the index in Path of the first key Set created; -1
	// when the entry existed.
	CreatedDepth int `json:"created_depth"`
	// EmptyBefore is the raw text of the existing container object Set
	// inserted into, when that object had no members ("{}", "{ }", …),
	// so an emptied object gets its exact original spelling back.
	EmptyBefore *string `json:"empty_before,omitempty"`
	// DocumentBefore is the whole document when it held no JSON value at
	// all (empty, whitespace or comments only).
	DocumentBefore *string `json:"document_before,omitempty"`
}

// SyntaxError reports a document that does not parse; the file must then be
// left alone. Msg carries the parser's line and column.
type SyntaxError struct{ Msg string }

func (e *SyntaxError) Error() string { return e.Msg }

// ShapeError reports a document that parses but where the entry cannot be
// placed without replacing user data (e.g. "mcpServers" is not an object).
type ShapeError struct{ Msg string }

func (e *ShapeError) Error() string { return e.Msg }

// Validate reports whether b parses as JSONC (a BOM is allowed). An empty or
// comment-only document is valid: we can add to it.
func Validate(b []byte) error {
	body := bytes.TrimPrefix(b, utf8BOM)
	if isBlankDocument(body) {
		return nil
	}
	if _, err := hujson.Parse(body); err != nil {
		return &SyntaxError{Msg: err.Error()}
	}
	return nil
}

// Set makes the member at path hold an object with fields, and returns the
// new document and the Undo record. An existing entry object keeps its other
// members (env, autoApprove, …); only the given fields are added or updated.
// changed is false when the document already says exactly that.
func Set(src []byte, path []string, fields []Field) (out []byte, undo Undo, changed bool, err error) {
	if len(path) == 0 {
		return nil, Undo{}, false, errors.New("jsonc: empty key path")
	}
	hasBOM := bytes.HasPrefix(src, utf8BOM)
	body := src
	if hasBOM {
		body = src[len(utf8BOM):]
	}
	undo = Undo{Path: append([]string(nil), path...), CreatedDepth: -1}
	var newBody []byte
	if isBlankDocument(body) {
		doc := string(body)
		undo.DocumentBefore = &doc
		undo.CreatedDepth = 0
		st := style{nl: detectNewline(body), unit: "  ", colon: ": ", comma: ", ", multiline: true}
		if bytes.Contains(body, []byte("\r\n")) {
			st.nl = "\r\n"
		}
		obj := "{" + st.nl + st.unit + renderMember(path, fields, st, st.unit) + st.nl + "}"
		prefix := string(body)
		if prefix != "" && !strings.HasSuffix(prefix, "\n") {
			prefix += st.nl
		}
		newBody = []byte(prefix + obj + st.nl)
		changed = true
	} else {
		newBody, changed, err = setInBody(body, path, fields, &undo)
		if err != nil {
			return nil, Undo{}, false, err
		}
	}
	if !changed {
		return src, undo, false, nil
	}
	if hasBOM {
		out = append(append([]byte{}, utf8BOM...), newBody...)
	} else {
		out = newBody
	}
	// Safety net: what we write must parse, and reverting it must give back
	// the input byte for byte; otherwise we refuse rather than write a file
	// we could not undo.
	if err := Validate(out); err != nil {
		return nil, Undo{}, false, fmt.Errorf("jsonc: internal error: edit produced invalid JSON (%v); nothing written", err)
	}
	back, _, rerr := Revert(out, undo)
	if rerr != nil || !bytes.Equal(back, src) {
		return nil, Undo{}, false, errors.New("jsonc: internal error: edit would not be exactly reversible; nothing written")
	}
	return out, undo, true, nil
}

func setInBody(body []byte, path []string, fields []Field, undo *Undo) ([]byte, bool, error) {
	root, err := hujson.Parse(body)
	if err != nil {
		return nil, false, &SyntaxError{Msg: err.Error()}
	}
	st := detectStyle(body)
	cur := &root
	for depth, key := range path {
		obj, ok := cur.Value.(*hujson.Object)
		if !ok {
			return nil, false, &ShapeError{Msg: fmt.Sprintf("%s is %s, not an object; refusing to replace it", describePath(path[:depth]), kindName(cur))}
		}
		idx, err := findMember(obj, key, path[:depth+1])
		if err != nil {
			return nil, false, err
		}
		if idx < 0 {
			undo.CreatedDepth = depth
			if len(obj.Members) == 0 {
				before := string(body[cur.StartOffset:cur.EndOffset])
				undo.EmptyBefore = &before
			}
			out := insertMember(body, cur, renderMemberFor(body, cur, path[depth:], fields, st), st)
			return out, true, nil
		}
		cur = &obj.Members[idx].Value
	}
	// The entry exists: remember its raw text, then update it in place.
	prev := string(body[cur.StartOffset:cur.EndOffset])
	undo.Previous = &prev
	if _, ok := cur.Value.(*hujson.Object); !ok {
		indent := lineIndent(body, cur.StartOffset)
		val := renderObject(fields, st, indent)
		if prev == val {
			return body, false, nil
		}
		return splice(body, cur.StartOffset, cur.EndOffset, val), true, nil
	}
	out := body
	changed := false
	for _, f := range fields {
		// Re-parse after each splice: offsets move, and documents are small.
		root, err := hujson.Parse(out)
		if err != nil {
			return nil, false, &SyntaxError{Msg: err.Error()}
		}
		ev := lookup(&root, path)
		eobj := ev.Value.(*hujson.Object)
		idx, err := findMember(eobj, f.Key, append(append([]string{}, path...), f.Key))
		if err != nil {
			return nil, false, err
		}
		want := renderValue(f.Value, st)
		if idx >= 0 {
			mv := &eobj.Members[idx].Value
			if equalJSON(out[mv.StartOffset:mv.EndOffset], f.Value) {
				continue
			}
			out = splice(out, mv.StartOffset, mv.EndOffset, want)
		} else {
			member := quote(f.Key) + st.colon + want
			out = insertMember(out, ev, member, st)
		}
		changed = true
	}
	return out, changed, nil
}

// Revert undoes a Set described by undo on the current document src, which
// may have been changed by others since. empty reports that the document's
// top-level object is left with no members and no comments (a file we
// created can then be deleted).
func Revert(src []byte, undo Undo) (out []byte, empty bool, err error) {
	hasBOM := bytes.HasPrefix(src, utf8BOM)
	body := src
	if hasBOM {
		body = src[len(utf8BOM):]
	}
	if isBlankDocument(body) {
		return src, true, nil
	}
	nb, err := revertBody(body, undo)
	if err != nil {
		return nil, false, err
	}
	root, err := hujson.Parse(nb)
	if err != nil {
		return nil, false, &SyntaxError{Msg: err.Error()}
	}
	empty = isEmptyObject(nb, &root)
	if empty && undo.DocumentBefore != nil {
		nb = []byte(*undo.DocumentBefore)
	}
	if hasBOM {
		return append(append([]byte{}, utf8BOM...), nb...), empty, nil
	}
	return nb, empty, nil
}

func revertBody(body []byte, undo Undo) ([]byte, error) {
	path := undo.Path
	root, err := hujson.Parse(body)
	if err != nil {
		return nil, &SyntaxError{Msg: err.Error()}
	}
	ev := lookup(&root, path)
	if ev == nil {
		return body, nil // already gone: nothing to undo
	}
	if undo.Previous != nil {
		return splice(body, ev.StartOffset, ev.EndOffset, *undo.Previous), nil
	}
	out := body
	level := len(path) - 1
	for {
		root, err := hujson.Parse(out)
		if err != nil {
			return nil, &SyntaxError{Msg: err.Error()}
		}
		container := lookup(&root, path[:level])
		obj, ok := container.Value.(*hujson.Object)
		if !ok {
			return out, nil
		}
		idx, _ := findMember(obj, path[level], nil)
		if idx < 0 {
			return out, nil
		}
		out = removeMember(out, container, idx)
		root, err = hujson.Parse(out)
		if err != nil {
			return nil, &SyntaxError{Msg: err.Error()}
		}
		container = lookup(&root, path[:level])
		emptied := isEmptyObject(out, container)
		if level > undo.CreatedDepth && undo.CreatedDepth >= 0 && emptied {
			level-- // we created this container too; remove it as well
			continue
		}
		if emptied && undo.EmptyBefore != nil && level == undo.CreatedDepth {
			cur := out[container.StartOffset:container.EndOffset]
			if stripSpace(string(cur)) == stripSpace(*undo.EmptyBefore) {
				out = splice(out, container.StartOffset, container.EndOffset, *undo.EmptyBefore)
			}
		}
		return out, nil
	}
}

// ---- locating ----

func lookup(root *hujson.Value, path []string) *hujson.Value {
	cur := root
	for _, key := range path {
		obj, ok := cur.Value.(*hujson.Object)
		if !ok {
			return nil
		}
		idx, err := findMember(obj, key, nil)
		if err != nil || idx < 0 {
			return nil
		}
		cur = &obj.Members[idx].Value
	}
	return cur
}

// findMember returns the index of key in obj, -1 when absent. A key present
// twice is ambiguous (agents disagree on which wins), so it is refused.
func findMember(obj *hujson.Object, key string, where []string) (int, error) {
	found := -1
	for i := range obj.Members {
		lit, ok := obj.Members[i].Name.Value.(hujson.Literal)
		if !ok || lit.String() != key {
			continue
		}
		if found >= 0 {
			return -1, &ShapeError{Msg: fmt.Sprintf("%s appears more than once; refusing to guess which one the agent reads", describePath(where))}
		}
		found = i
	}
	return found, nil
}

func describePath(path []string) string {
	if len(path) == 0 {
		return "the top-level value"
	}
	return fmt.Sprintf("%q", strings.Join(path, "."))
}

func kindName(v *hujson.Value) string {
	switch v.Value.Kind() {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '[':
		return "an array"
	}
	return "not an object"
}

// ---- splicing ----

func splice(b []byte, start, end int, with string) []byte {
	out := make([]byte, 0, len(b)-(end-start)+len(with))
	out = append(out, b[:start]...)
	out = append(out, with...)
	return append(out, b[end:]...)
}

// insertMember adds member text as the last member of the object at v.
func insertMember(b []byte, v *hujson.Value, member string, st style) []byte {
	obj := v.Value.(*hujson.Object)
	open, closing := v.StartOffset, v.EndOffset-1
	multiline := bytes.IndexByte(b[open:closing], '\n') >= 0
	if len(obj.Members) == 0 {
		inner := string(b[open+1 : closing])
		indent := lineIndent(b, open)
		var text string
		switch {
		case !multiline && !st.multiline:
			text = "{" + inner + member + "}"
			if strings.TrimSpace(inner) == "" {
				text = "{" + member + "}"
			}
		case hasComment([]byte(inner)):
			text = "{" + strings.TrimRight(inner, " \t\r\n") + st.nl + indent + st.unit + member + st.nl + indent + "}"
		default:
			text = "{" + st.nl + indent + st.unit + member + st.nl + indent + "}"
		}
		return splice(b, open, closing+1, text)
	}
	last := obj.Members[len(obj.Members)-1]
	end := last.Value.EndOffset
	trail := sameLineTrailEnd(b, end)
	var sep string
	if multiline {
		sep = st.nl + lineIndent(b, last.Name.StartOffset)
	} else {
		sep = leadingBlanks(b, last.Name.StartOffset)
	}
	out := make([]byte, 0, len(b)+len(member)+len(sep)+1)
	out = append(out, b[:end]...)
	out = append(out, ',')
	out = append(out, b[end:trail]...)
	out = append(out, sep...)
	out = append(out, member...)
	return append(out, b[trail:]...)
}

// removeMember deletes member idx of the object at v, undoing insertMember
// exactly when the surroundings are as insertMember left them.
func removeMember(b []byte, v *hujson.Value, idx int) []byte {
	obj := v.Value.(*hujson.Object)
	m := obj.Members[idx]
	n := len(obj.Members)
	switch {
	case n == 1:
		end := m.Value.EndOffset
		if after := skipExtra(b, end); after < len(b) && b[after] == ',' {
			end = after + 1
		}
		return splice(b, v.StartOffset+1, end, "")
	case idx > 0:
		prev := obj.Members[idx-1]
		comma := skipExtra(b, prev.Value.EndOffset)
		start := sameLineTrailEnd(b, comma+1)
		out := splice(b, start, m.Value.EndOffset, "")
		return splice(out, comma, comma+1, "")
	default:
		comma := skipExtra(b, m.Value.EndOffset)
		next := obj.Members[1].Name.StartOffset
		if strings.TrimSpace(string(b[comma+1:next])) == "" {
			return splice(b, m.Name.StartOffset, next, "")
		}
		end := comma + 1
		for end < len(b) && (b[end] == ' ' || b[end] == '\t') {
			end++
		}
		return splice(b, m.Name.StartOffset, end, "")
	}
}

// ---- lexical helpers ----

func isBlankDocument(b []byte) bool {
	return skipExtra(b, 0) == len(b)
}

// skipExtra skips whitespace and comments from i.
func skipExtra(b []byte, i int) int {
	for i < len(b) {
		switch {
		case b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r':
			i++
		case bytes.HasPrefix(b[i:], []byte("//")):
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				return len(b)
			}
			i += j
		case bytes.HasPrefix(b[i:], []byte("/*")):
			j := bytes.Index(b[i+2:], []byte("*/"))
			if j < 0 {
				return i // unterminated: not extra
			}
			i += 2 + j + 2
		default:
			return i
		}
	}
	return i
}

// sameLineTrailEnd returns the end of the last comment that follows i on
// the same line (only blanks and comments in between), or i when none.
func sameLineTrailEnd(b []byte, i int) int {
	end := i
	for j := i; j < len(b); {
		switch {
		case b[j] == ' ' || b[j] == '\t':
			j++
		case bytes.HasPrefix(b[j:], []byte("//")):
			k := bytes.IndexByte(b[j:], '\n')
			if k < 0 {
				return len(b)
			}
			end = j + k
			if end > 0 && b[end-1] == '\r' {
				end--
			}
			return end
		case bytes.HasPrefix(b[j:], []byte("/*")):
			k := bytes.Index(b[j+2:], []byte("*/"))
			if k < 0 || bytes.IndexByte(b[j:j+2+k], '\n') >= 0 {
				return end
			}
			j += 2 + k + 2
			end = j
		default:
			return end
		}
	}
	return end
}

func hasComment(b []byte) bool {
	return bytes.Contains(b, []byte("//")) || bytes.Contains(b, []byte("/*"))
}

// isEmptyObject reports an object with no members and no comments inside.
func isEmptyObject(b []byte, v *hujson.Value) bool {
	if v == nil {
		return false
	}
	obj, ok := v.Value.(*hujson.Object)
	if !ok || len(obj.Members) != 0 {
		return false
	}
	return strings.TrimSpace(string(b[v.StartOffset+1:v.EndOffset-1])) == ""
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
}

func lineIndent(b []byte, pos int) string {
	start := bytes.LastIndexByte(b[:pos], '\n') + 1
	end := start
	for end < len(b) && (b[end] == ' ' || b[end] == '\t') {
		end++
	}
	return string(b[start:end])
}

// leadingBlanks returns the spaces/tabs right before pos on its line.
func leadingBlanks(b []byte, pos int) string {
	start := pos
	for start > 0 && (b[start-1] == ' ' || b[start-1] == '\t') {
		start--
	}
	return string(b[start:pos])
}

// ---- style ----

type style struct {
	nl        string // "\n" or "\r\n"
	unit      string // one level of indentation
	colon     string // ": " or ":"
	comma     string // ", " or "," inside rendered one-line values
	multiline bool   // the document spans several lines
}

func detectNewline(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i > 0 && b[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

func detectStyle(b []byte) style {
	st := style{nl: detectNewline(b), unit: "  ", colon: ": ", comma: ", "}
	st.multiline = bytes.IndexByte(bytes.TrimSpace(b), '\n') >= 0
	minSpaces := 0
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if line[0] == '\t' {
			st.unit = "\t"
			minSpaces = -1
			break
		}
		n := 0
		for n < len(line) && line[n] == ' ' {
			n++
		}
		if n > 0 && (minSpaces == 0 || n < minSpaces) {
			minSpaces = n
		}
	}
	if minSpaces > 0 && minSpaces <= 8 {
		st.unit = strings.Repeat(" ", minSpaces)
	}
	if !st.multiline {
		// A one-line file: copy its spacing after ':' and ','.
		if bytes.Contains(b, []byte("\":")) && !bytes.Contains(b, []byte("\": ")) {
			st.colon, st.comma = ":", ","
		}
	}
	return st
}

// ---- rendering ----

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

func equalJSON(raw []byte, want any) bool {
	std, err := hujson.Standardize(append([]byte{}, raw...))
	if err != nil {
		return false
	}
	var got any
	if err := json.Unmarshal(std, &got); err != nil {
		return false
	}
	switch w := want.(type) {
	case []string:
		arr, ok := got.([]any)
		if !ok || len(arr) != len(w) {
			return false
		}
		for i := range w {
			if s, ok := arr[i].(string); !ok || s != w[i] {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(got, want)
	}
}

// Lookup returns the standard-JSON text of the value at path, or nil when
// absent. Callers use it to show or compare an entry.
func Lookup(src []byte, path []string) ([]byte, error) {
	body := bytes.TrimPrefix(src, utf8BOM)
	if isBlankDocument(body) {
		return nil, nil
	}
	root, err := hujson.Parse(body)
	if err != nil {
		return nil, &SyntaxError{Msg: err.Error()}
	}
	v := lookup(&root, path)
	if v == nil {
		return nil, nil
	}
	raw := append([]byte{}, body[v.StartOffset:v.EndOffset]...)
	return hujson.Standardize(raw)
}
