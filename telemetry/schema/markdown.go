package schema

import (
	"fmt"
	"strings"
)

// DocsURL is where TELEMETRY.md, whose tables this package generates, is
// published: the first-run notice sends people there.
const DocsURL = "https://github.com/getcodegraph/codegraph-install/blob/main/TELEMETRY.md"

// Markers delimit the generated part of TELEMETRY.md. Everything between them
// is rewritten from this package by `go test ./telemetry/schema -update`, and
// a test fails when the file drifts from the rules.
const (
	DocBegin = "<!-- BEGIN GENERATED FROM telemetry/schema: do not edit by hand -->"
	DocEnd   = "<!-- END GENERATED FROM telemetry/schema -->"
)

// Markdown renders the allowlist as the tables of TELEMETRY.md.
func Markdown() string {
	buildIndexes() // see eventIndex: the rules are read after it
	var b strings.Builder
	fmt.Fprintf(&b, "Schema version %d. A request is one JSON object: the envelope fields below and an `events` array of at most %d events, %d KiB in all. Each event is `{\"event\": name, \"ts\": time, \"props\": {…}}`.\n\n", Version, MaxEventsPerRequest, MaxBodyBytes>>10)
	b.WriteString("### Envelope (once per request)\n\n")
	writeTable(&b, envelope, false)
	b.WriteString("\n### Every event\n\n")
	writeTable(&b, []Field{tsField}, false)
	for _, e := range events {
		fmt.Fprintf(&b, "\n### `%s`\n\nSent %s. Why: %s.\n\n", e.Name, e.When, e.Why)
		writeTable(&b, e.Props, true)
	}
	b.WriteString("\n### Language ids\n\n")
	b.WriteString("The only language names that can leave a machine: " + codeList(languages) + ".\n")
	fmt.Fprintf(&b, "\n### Collection version\n\nThis list is collection version %d. Your consent covers the version it was given for (`consent_version` in `~/.codegraph/telemetry.json`; absent means 1):\n\n| version | what it added |\n|---|---|\n", CollectionVersion)
	for v := 1; v <= CollectionVersion; v++ {
		fmt.Fprintf(&b, "| %d | %s |\n", v, Changes[v])
	}
	return b.String()
}

func writeTable(b *strings.Builder, fields []Field, withRequired bool) {
	if withRequired {
		b.WriteString("| prop | rule | required | example | why we collect it |\n|---|---|---|---|---|\n")
	} else {
		b.WriteString("| field | rule | example | why we collect it |\n|---|---|---|---|\n")
	}
	for _, f := range fields {
		why := f.Why
		if withRequired {
			req := "no"
			if f.Required {
				req = "yes"
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | `%s` | %s |\n", f.Name, f.describe(), req, f.Example, why)
			continue
		}
		if f.Required {
			why += " (required)"
		}
		fmt.Fprintf(b, "| `%s` | %s | `%s` | %s |\n", f.Name, f.describe(), f.Example, why)
	}
}

// ReplaceGenerated returns doc with the text between DocBegin and DocEnd
// replaced by Markdown(). It fails when the markers are missing, so a doc
// that lost them is never silently left stale.
func ReplaceGenerated(doc string) (string, error) {
	i := strings.Index(doc, DocBegin)
	j := strings.Index(doc, DocEnd)
	if i < 0 || j < i {
		return "", fmt.Errorf("TELEMETRY.md: markers %q … %q not found in order", DocBegin, DocEnd)
	}
	return doc[:i+len(DocBegin)] + "\n\n" + Markdown() + "\n" + doc[j:], nil
}

// describe renders a field's rule in words, for TELEMETRY.md.
func (f Field) describe() string {
	var parts []string
	switch {
	case len(f.Enum) > 0 && f.Kind == KindList:
		parts = append(parts, fmt.Sprintf("array of at most %d of the ids below", f.MaxItems))
		if f.Fallback != "" {
			parts = append(parts, fmt.Sprintf("any other value becomes `%s`", f.Fallback))
		}
	case len(f.Enum) > 0:
		parts = append(parts, "one of "+codeList(f.Enum))
	case f.Format == FormatUUID:
		parts = append(parts, "UUID, 8-4-4-4-12 hex")
	case f.Format == FormatMajorMinor:
		parts = append(parts, "`major.minor`")
	case f.Kind == KindInteger:
		parts = append(parts, fmt.Sprintf("integer %d–%d", f.Min, f.Max))
	case f.Kind == KindBool:
		parts = append(parts, "boolean")
	case f.Kind == KindTimestamp:
		parts = append(parts, "RFC 3339 time")
	case f.Kind == KindList:
		parts = append(parts, fmt.Sprintf("array of at most %d %ss of ≤%d characters", f.MaxItems, charsetName(f.Charset), f.MaxLen))
	default:
		parts = append(parts, fmt.Sprintf("%s of ≤%d characters", charsetName(f.Charset), f.MaxLen))
	}
	if len(f.Aliases) > 0 {
		parts = append(parts, "Node spellings stored as Go's")
	}
	return strings.Join(parts, "; ")
}

func charsetName(c Charset) string {
	switch c {
	case CharsetToken:
		return "token"
	case CharsetLabel:
		return "label"
	}
	return "value"
}

func codeList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}
