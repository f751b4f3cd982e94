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
