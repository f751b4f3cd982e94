package jsonc

// Splicing members in and out of the document text.

import (
	"bytes"
)

// edit replaces doc[start:end] with with.
type edit struct {
	start, end int
	with       string
}

// editor applies edits to a document: the first makes a copy (the caller's
// bytes are never written), later ones change that copy in place, so a
// large document costs one copy per Set or Revert, not one per edit.
type editor struct {
	b     []byte
	owned bool
}

// slack is the room left after the first copy for later insertions (our
// entry's fields), so they need no second copy.
const slack = 4 << 10

func (e *editor) apply(x edit) {
	delta := len(x.with) - (x.end - x.start)
	if !e.owned || len(e.b)+delta > cap(e.b) {
		out := make([]byte, 0, len(e.b)+delta+slack)
		out = append(out, e.b[:x.start]...)
		out = append(out, x.with...)
		e.b = append(out, e.b[x.end:]...)
		e.owned = true
		return
	}
	n := len(e.b)
	if delta > 0 {
		e.b = e.b[:n+delta]
	}
	copy(e.b[x.end+delta:], e.b[x.end:n])
	copy(e.b[x.start:], x.with)
	e.b = e.b[:n+delta]
}

// applyAll applies edits that do not overlap, in document order, at once:
// the first copy takes them all in.
func (e *editor) applyAll(xs []edit) {
	if len(xs) == 1 || e.owned {
		for i := len(xs) - 1; i >= 0; i-- { // from the end: offsets hold
			e.apply(xs[i])
		}
		return
	}
	size := len(e.b)
	for _, x := range xs {
		size += len(x.with) - (x.end - x.start)
	}
	out := make([]byte, 0, size+slack)
	at := 0
	for _, x := range xs {
		out = append(out, e.b[at:x.start]...)
		out = append(out, x.with...)
		at = x.end
	}
	e.b = append(out, e.b[at:]...)
	e.owned = true
}

// spliceAll returns b with the edits xs made, in a copy.
func spliceAll(b []byte, xs []edit) []byte {
	e := editor{b: b}
	e.applyAll(xs)
	return e.b
}

// insertMember returns the edits that add member text as the last member of the
// object obj.
func insertMember(b []byte, obj object, member string, st style) []edit {
	open, closing := obj.start, obj.end-1
	multiline := bytes.IndexByte(b[open:closing], '\n') >= 0
	if obj.n == 0 {
		inner := b[open+1 : closing]
		indent := lineIndent(b, open)
		var text string
		switch {
		case !multiline && !st.multiline:
			text = "{" + string(inner) + member + "}"
			if len(bytes.TrimSpace(inner)) == 0 {
				text = "{" + member + "}"
			}
		case hasComment(inner):
			text = "{" + string(bytes.TrimRight(inner, " \t\r\n")) + st.nl + indent + st.unit + member + st.nl + indent + "}"
		default:
			text = "{" + st.nl + indent + st.unit + member + st.nl + indent + "}"
		}
		return []edit{{open, closing + 1, text}}
	}
	last := obj.last
	end := last.end
	trail := sameLineTrailEnd(b, end)
	var sep string
	if multiline {
		sep = st.nl + lineIndent(b, last.name)
	} else {
		sep = leadingBlanks(b, last.name)
	}
	// A comma after the last value, then after the comments on its line
	// the member, on a line of its own (or after the same blanks, on one
	// line).
	return []edit{{end, end, ","}, {trail, trail, sep + member}}
}

// removeMember returns the edits that delete member obj.idx of obj, undoing
// insertMember exactly when the surroundings are as insertMember left them.
func removeMember(b []byte, obj object) []edit {
	m := obj.m
	switch {
	case obj.n == 1:
		end := m.end
		if after := skipExtra(b, end); after < len(b) && b[after] == ',' {
			end = after + 1
		}
		// Keep what precedes the member inside the braces (a comment such
		// as "// add servers here"): remove only the blanks between it and
		// the member, which insertMember added.
		start := m.name
		for start > obj.start+1 && isBlank(b[start-1]) {
			start--
		}
		return []edit{{start, end, ""}}
	case obj.idx > 0:
		// The comma after the previous value, and from the comments on its
		// line to the member's end.
		comma := skipExtra(b, obj.prev.end)
		start := sameLineTrailEnd(b, comma+1)
		return []edit{{comma, comma + 1, ""}, {start, m.end, ""}}
	default:
		comma := skipExtra(b, m.end)
		next := obj.next.name
		if len(bytes.TrimSpace(b[comma+1:next])) == 0 {
			return []edit{{m.name, next, ""}}
		}
		end := comma + 1
		for end < len(b) && (b[end] == ' ' || b[end] == '\t') {
			end++
		}
		return []edit{{m.name, end, ""}}
	}
}

// removalProof shows that removing a member of an object (edit x, made by
// removeMember on a valid document) leaves the document valid: the
// whitespace and comments that now meet must read from `from` exactly to
// `want`, where the text that followed the member starts (or the next
// member, or the closing brace); the rest of the document reads as before.
type removalProof struct {
	ok         bool
	from, want int
}

// proveRemoval prepares the proof on the document before the edit.
func proveRemoval(old []byte, obj object, xs []edit) removalProof {
	removed := 0
	for _, x := range xs {
		removed += x.end - x.start - len(x.with)
	}
	switch {
	case obj.n == 1: // the object's interior must still read up to '}'
		return removalProof{true, obj.start + 1, obj.end - 1 - removed}
	case obj.idx > 0: // after the previous value, up to what followed ours
		q, err := consumeExtra(old, obj.m.end)
		return removalProof{err == nil, obj.prev.end, q - removed}
	default: // after '{', up to the next member's name
		return removalProof{true, obj.start + 1, obj.next.name - removed}
	}
}

// holds reports whether new, the document after the edit, is proven valid;
// false means "not proven", not "invalid".
func (p removalProof) holds(new []byte) bool {
	if !p.ok {
		return false
	}
	q, err := consumeExtra(new, p.from)
	return err == nil && q == p.want
}
