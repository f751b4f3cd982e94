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
	"errors"
	"fmt"
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
	if err := checkDepth(b); err != nil {
		return err
	}
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
	if err := checkDepth(src); err != nil {
		return nil, Undo{}, false, err
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
	// Safety net: what we write must parse (Revert parses it), and
	// reverting it must give back the input byte for byte; otherwise we
	// refuse rather than write a file we could not undo.
	back, _, rerr := Revert(out, undo)
	var se *SyntaxError
	if errors.As(rerr, &se) {
		return nil, Undo{}, false, fmt.Errorf("jsonc: internal error: edit produced invalid JSON (%v); nothing written", rerr)
	}
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
	if err := checkDepth(src); err != nil {
		return nil, false, err
	}
	hasBOM := bytes.HasPrefix(src, utf8BOM)
	body := src
	if hasBOM {
		body = src[len(utf8BOM):]
	}
	if isBlankDocument(body) {
		return src, true, nil
	}
	nb, root, err := revertBody(body, undo)
	if err != nil {
		return nil, false, err
	}
	if root == nil {
		r, err := hujson.Parse(nb)
		if err != nil {
			return nil, false, &SyntaxError{Msg: err.Error()}
		}
		root = &r
	}
	empty = isEmptyObject(nb, root)
	if empty && undo.DocumentBefore != nil {
		nb = []byte(*undo.DocumentBefore)
	}
	if hasBOM {
		return append(append([]byte{}, utf8BOM...), nb...), empty, nil
	}
	return nb, empty, nil
}

// revertBody undoes Set on body. It also returns the parsed tree of the
// result when it has one at hand (nil otherwise), sparing Revert a parse:
// documents such as ~/.claude.json run to megabytes.
func revertBody(body []byte, undo Undo) ([]byte, *hujson.Value, error) {
	path := undo.Path
	root, err := hujson.Parse(body)
	if err != nil {
		return nil, nil, &SyntaxError{Msg: err.Error()}
	}
	ev := lookup(&root, path)
	if ev == nil {
		return body, &root, nil // already gone: nothing to undo
	}
	if undo.Previous != nil {
		return splice(body, ev.StartOffset, ev.EndOffset, *undo.Previous), nil, nil
	}
	out, cur := body, root
	level := len(path) - 1
	for {
		container := lookup(&cur, path[:level])
		obj, ok := container.Value.(*hujson.Object)
		if !ok {
			return out, &cur, nil
		}
		idx, _ := findMember(obj, path[level], nil)
		if idx < 0 {
			return out, &cur, nil
		}
		out = removeMember(out, container, idx)
		if cur, err = hujson.Parse(out); err != nil {
			return nil, nil, &SyntaxError{Msg: err.Error()}
		}
		container = lookup(&cur, path[:level])
		emptied := isEmptyObject(out, container)
		if level > undo.CreatedDepth && undo.CreatedDepth >= 0 && emptied {
			level-- // we created this container too; remove it as well
			continue
		}
		// The object we inserted into had no members before (perhaps only a
		// comment, "{ // add servers here }"): with ours gone it gets its
		// exact spelling back.
		if hasNoMembers(container) && undo.EmptyBefore != nil && level == undo.CreatedDepth {
			text := out[container.StartOffset:container.EndOffset]
			if stripSpace(string(text)) == stripSpace(*undo.EmptyBefore) {
				return splice(out, container.StartOffset, container.EndOffset, *undo.EmptyBefore), nil, nil
			}
		}
		return out, &cur, nil
	}
}
