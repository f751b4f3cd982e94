package jsonc

// Splicing members in and out of the document text.

import (
	"bytes"
	"strings"

	"github.com/tailscale/hujson"
)

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
		// Keep what precedes the member inside the braces (a comment such
		// as "// add servers here"): remove only the blanks between it and
		// the member, which insertMember added.
		start := m.Name.StartOffset
		for start > v.StartOffset+1 && isBlank(b[start-1]) {
			start--
		}
		return splice(b, start, end, "")
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
