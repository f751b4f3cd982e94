package jsonc

// The file's own style: line endings, indentation, one-line documents.

import (
	"bytes"
	"strings"
)

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
	// Line by line without splitting (a file of a million lines would cost
	// a slice header per line), the usual lines read without a call.
	for i := 0; i < len(b); {
		n := 0
		for i+n < len(b) && b[i+n] == ' ' {
			n++
		}
		j := i + n // the first byte after the line's spaces
		switch {
		case j == len(b):
			i = j
			continue
		case b[j] == '\n': // blank
			i = j + 1
			continue
		case b[j] > ' ' && b[j] < 0x80 && (n > 0 || b[j] != '\t'):
			// Content after n spaces (none: nothing to learn).
		default:
			// Tabs, other blanks, non-ASCII: the line decides as a whole.
			end := lineEnd(b, j)
			line := b[i:end]
			i = end + 1
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			if line[0] == '\t' {
				st.unit = "\t"
				minSpaces = -1
				i = len(b)
				continue
			}
		}
		if n > 0 && (minSpaces == 0 || n < minSpaces) {
			minSpaces = n
		}
		if i <= j {
			i = lineEnd(b, j) + 1
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
