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
	"github.com/getcodegraph/codegraph-install/installer/configerr"
	"strings"
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

// Validate reports whether b parses as JSONC (a BOM is allowed). An empty or
// comment-only document is valid: we can add to it.
func Validate(b []byte) error {
	base := bomLen(b)
	if isBlankDocument(b[base:]) {
		return nil
	}
	return validateDoc(b, base)
}

// Set makes the member at path hold an object with fields, and returns the
// new document and the Undo record. An existing entry object keeps its other
// members (env, autoApprove, …); only the given fields are added or updated.
// changed is false when the document already says exactly that.
func Set(src []byte, path []string, fields []Field) (out []byte, undo Undo, changed bool, err error) {
	if len(path) == 0 {
		return nil, Undo{}, false, errors.New("jsonc: empty key path")
	}
	base := bomLen(src)
	body := src[base:]
	undo = Undo{Path: append([]string(nil), path...), CreatedDepth: -1}
	trusted := false  // out is known to be valid
	var redo [][]edit // the edits that made out of src, in order
	if isBlankDocument(body) {
		doc := string(body)
		undo.DocumentBefore = &doc
		undo.CreatedDepth = 0
		st := style{nl: detectNewline(body), unit: "  ", colon: ": ", comma: ", ", multiline: true}
		if bytes.Contains(body, []byte("\r\n")) {
			st.nl = "\r\n"
		}
		obj := "{" + st.nl + st.unit + renderMember(path, fields, st, st.unit) + st.nl + "}"
		prefix := string(src)
		if doc != "" && !strings.HasSuffix(doc, "\n") {
			prefix += st.nl
		}
		out = []byte(prefix + obj + st.nl)
	} else {
		var proven bool
		out, redo, proven, err = setIn(src, base, path, fields, &undo)
		if err != nil {
			return nil, Undo{}, false, err
		}
		if redo == nil {
			return src, undo, false, nil
		}
		trusted = proven
	}
	// Safety net: what we write must parse, and reverting it must give back
	// the input byte for byte; otherwise we refuse rather than write a file
	// we could not undo. When every edit was proven to keep the document
	// valid (the changed text parsed in place), Revert need not parse the
	// whole output again: for a large file that is most of the time.
	//
	// out is ours, so Revert works on it in place, and the edits are then
	// made again: a file of many megabytes costs no second copy (fresh
	// memory is slow to come by, more than copying within memory at hand).
	back, _, rerr := revert(out, undo, trusted, redo != nil)
	var se *configerr.SyntaxError
	if errors.As(rerr, &se) {
		return nil, Undo{}, false, fmt.Errorf("jsonc: internal error: edit produced invalid JSON (%v); nothing written", rerr)
	}
	if rerr != nil || !bytes.Equal(back, src) {
		return nil, Undo{}, false, errors.New("jsonc: internal error: edit would not be exactly reversible; nothing written")
	}
	if redo != nil {
		ed := editor{b: back, owned: true}
		for _, xs := range redo {
			ed.applyAll(xs)
		}
		out = ed.b
	}
	return out, undo, true, nil
}

// bomLen is the length of the UTF-8 BOM that starts b, 0 when none. The
// document is edited with its BOM in place (offsets start after it), so a
// BOM costs no extra copy of a large file.
func bomLen(b []byte) int {
	if bytes.HasPrefix(b, utf8BOM) {
		return len(utf8BOM)
	}
	return 0
}

// setIn edits doc, whose JSON starts at doc[base] (after a BOM): the new
// document (a copy), and the edits that made it in the order they were
// made, nil when nothing changed. proven reports that the result was
// checked valid edit by edit, each changed text parsed where it stands in
// a document known to be valid.
func setIn(doc []byte, base int, path []string, fields []Field, undo *Undo) (out []byte, redo [][]edit, proven bool, err error) {
	if err := validateDoc(doc, base); err != nil {
		return nil, nil, false, err
	}
	st := detectStyle(doc[base:])
	cur := member{name: -1, start: skipExtra(doc, base)}
	cur.end = skipValue(doc, cur.start)
	for depth, key := range path {
		if doc[cur.start] != '{' {
			return nil, nil, false, &configerr.ShapeError{Msg: fmt.Sprintf("%s is %s, not an object; refusing to replace it", describePath(path[:depth]), kindName(doc, cur.start))}
		}
		obj := scanObject(doc, cur.start, key)
		if obj.dup {
			return nil, nil, false, duplicate(path[:depth+1])
		}
		if obj.idx < 0 {
			undo.CreatedDepth = depth
			if obj.n == 0 {
				before := string(doc[obj.start:obj.end])
				undo.EmptyBefore = &before
			}
			xs := insertMember(doc, obj, renderMemberFor(doc, obj, path[depth:], fields, st), st)
			out := spliceAll(doc, xs)
			return out, [][]edit{xs}, insertionValid(out, obj, xs), nil
		}
		cur = obj.m
	}
	// The entry exists: remember its raw text, then update it in place.
	prev := string(doc[cur.start:cur.end])
	undo.Previous = &prev
	if doc[cur.start] != '{' {
		indent := lineIndent(doc, cur.start)
		val := renderObject(fields, st, indent)
		if prev == val {
			return doc, nil, false, nil
		}
		x := edit{cur.start, cur.end, val}
		out := spliceAll(doc, []edit{x})
		return out, [][]edit{{x}}, validValueAt(out, cur.start, cur.start+len(val)), nil
	}
	ed := editor{b: doc}
	proven = true
	for _, f := range fields {
		// Every edit is inside the entry object, so it still starts at
		// cur.start; its members are read again, as their offsets moved.
		eobj := scanObject(ed.b, cur.start, f.Key)
		if eobj.dup {
			return nil, nil, false, duplicate(append(append([]string{}, path...), f.Key))
		}
		want := renderValue(f.Value, st)
		if eobj.idx >= 0 {
			mv := eobj.m
			if equalJSON(ed.b[mv.start:mv.end], f.Value) {
				continue
			}
			x := edit{mv.start, mv.end, want}
			ed.apply(x)
			redo = append(redo, []edit{x})
			proven = proven && validValueAt(ed.b, mv.start, mv.start+len(want))
		} else {
			xs := insertMember(ed.b, eobj, quote(f.Key)+st.colon+want, st)
			ed.applyAll(xs)
			redo = append(redo, xs)
			proven = proven && insertionValid(ed.b, eobj, xs)
		}
	}
	return ed.b, redo, proven, nil
}

// insertionValid reports whether out, a valid document in which
// insertMember's edits xs added a member to obj, is proven valid: the new
// object when it replaced an empty one, else the object's text from its
// former last value to its closing brace, which must close where the
// object now ends. What precedes and follows reads as before.
func insertionValid(out []byte, obj object, xs []edit) bool {
	added := 0
	for _, x := range xs {
		added += len(x.with) - (x.end - x.start)
	}
	if obj.n == 0 {
		return validValueAt(out, obj.start, obj.end+added)
	}
	end, ok := objectEndAfter(out, obj.start, obj.last.end)
	return ok && end == obj.end+added
}

// duplicate refuses a key present twice: agents disagree on which wins.
func duplicate(where []string) error {
	return &configerr.ShapeError{Msg: fmt.Sprintf("%s appears more than once; refusing to guess which one the agent reads", describePath(where))}
}

// Revert undoes a Set described by undo on the current document src, which
// may have been changed by others since. empty reports that the document's
// top-level object is left with no members and no comments (a file we
// created can then be deleted).
func Revert(src []byte, undo Undo) (out []byte, empty bool, err error) {
	return revert(src, undo, false, false)
}

// revert is Revert; trusted says src is known to be valid (Set's own
// output, checked edit by edit), so it is not parsed whole again; inPlace
// that src may be edited in place (it is Set's own).
func revert(src []byte, undo Undo, trusted, inPlace bool) (out []byte, empty bool, err error) {
	base := bomLen(src)
	if isBlankDocument(src[base:]) {
		return src, true, nil
	}
	if !trusted {
		if err := validateDoc(src, base); err != nil {
			return nil, false, err
		}
	}
	nb, err := revertIn(src, base, undo, inPlace)
	if err != nil {
		return nil, false, err
	}
	empty = isEmptyObject(nb, skipExtra(nb, base))
	if empty && undo.DocumentBefore != nil {
		nb = append(append([]byte{}, src[:base]...), *undo.DocumentBefore...)
	}
	return nb, empty, nil
}

// revertIn undoes Set on doc, a valid document (its JSON from doc[base]),
// and checks that the result is valid. Each edit replaces or removes one
// value or member, so only the text around it is parsed again (the whole
// result only when that does not prove it valid, for the parser's message).
func revertIn(doc []byte, base int, undo Undo, inPlace bool) ([]byte, error) {
	path := undo.Path
	// objs[i] is the object at path[:i], read once: removing a member
	// inside one of them moves only what follows it in the others.
	var objs []object
	ev := member{name: -1, start: skipExtra(doc, base)}
	ev.end = skipValue(doc, ev.start)
	for _, key := range path {
		if doc[ev.start] != '{' {
			return doc, nil // already gone: nothing to undo
		}
		obj := scanObject(doc, ev.start, key)
		if obj.dup || obj.idx < 0 {
			return doc, nil
		}
		objs = append(objs, obj)
		ev = obj.m
	}
	ed := editor{b: doc, owned: inPlace}
	check := func(start, end int) error {
		if validValueAt(ed.b, start, end) {
			return nil
		}
		return validate(ed.b[base:])
	}
	if undo.Previous != nil {
		ed.apply(edit{ev.start, ev.end, *undo.Previous})
		return ed.b, check(ev.start, ev.start+len(*undo.Previous))
	}
	if len(path) == 0 {
		return doc, nil // a record that names no member: nothing to remove
	}
	level := len(path) - 1
	for {
		obj := objs[level]
		at := obj.start
		xs := removeMember(ed.b, obj)
		proof := proveRemoval(ed.b, obj, xs)
		before := len(ed.b)
		ed.applyAll(xs)
		removed := before - len(ed.b)
		end := obj.end - removed // the object's new end
		if !proof.holds(ed.b) {
			if err := validate(ed.b[base:]); err != nil {
				return nil, err
			}
		}
		emptied := isEmptyObject(ed.b, at)
		if level > undo.CreatedDepth && undo.CreatedDepth >= 0 && emptied {
			level-- // we created this container too; remove it as well
			for k := 0; k <= level; k++ {
				objs[k] = objs[k].shifted(xs[0].start, removed)
			}
			continue
		}
		// The object we inserted into had no members before (perhaps only a
		// comment, "{ // add servers here }"): with ours gone it gets its
		// exact spelling back.
		if hasNoMembers(ed.b, at) && undo.EmptyBefore != nil && level == undo.CreatedDepth {
			if sameIgnoringSpace(ed.b[at:end], *undo.EmptyBefore) {
				ed.apply(edit{at, end, *undo.EmptyBefore})
				return ed.b, check(at, at+len(*undo.EmptyBefore))
			}
		}
		return ed.b, nil
	}
}
