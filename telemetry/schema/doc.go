package schema

import (
	"fmt"
	"strings"
)

// Markers delimit the generated part of TELEMETRY.md. Everything between them
// is rewritten from this package by `go test ./telemetry/schema -update`, and
// a test fails when the file drifts from the rules.
const (
	DocBegin = "<!-- BEGIN GENERATED FROM telemetry/schema: do not edit by hand -->"
	DocEnd   = "<!-- END GENERATED FROM telemetry/schema -->"
)

// Markdown renders the allowlist as the tables of TELEMETRY.md.
func Markdown() string {
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
