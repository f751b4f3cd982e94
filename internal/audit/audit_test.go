package audit

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

func TestCheckBodyFlagsWhatIsOutsideTheSchema(t *testing.T) {
	t.Parallel()
	var transcript bytes.Buffer
	const id = `"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"`
	for _, tc := range []struct {
		body    string
		problem string // "" = clean
	}{
		{`{` + id + `,"os":"linux","schema_version":1,"events":[{"event":"uninstall","ts":"2026-11-24T00:00:00Z","props":{"targets":["claude"]}}]}`, ""},
		{`{` + id + `,"hostname":"alice","events":[]}`, "envelope outside the schema"},
		{`{` + id + `,"events":[{"event":"uninstall","ts":"x","props":{"path":"/home/alice"}}]}`, "outside the schema"},
		{`{` + id + `,"events":[{"event":"uninstall","props":{},"cwd":"/tmp"}]}`, "event key outside the schema: cwd"},
		{`{` + id + `,"events":[{"event":"page_view","props":{}}]}`, `event "page_view" outside the schema`},
		{`not json`, "not JSON"},
		{`{` + id + `,"os":"linux","os":"linux","events":[]}`, "not JSON the ingest accepts"},
		{`{` + id + `,"events":{"event":"uninstall"}}`, "not JSON the ingest accepts"},
		{`{` + id + `,"events":[{"event":"uninstall","ts":"yesterday","props":{}}]}`, `ts "yesterday" is not an RFC 3339 time`},
		{`{` + id + `,"events":[{"event":"uninstall","ts":1,"props":{}}]}`, "ts is not a string"},
		{`{` + id + `,"events":[{"event":"uninstall","props":["/home/alice"]}]}`, "props is not an object"},
	} {
		_, problems := checkBody([]byte(tc.body), map[string]bool{})
		got := strings.Join(problems, "; ")
		fmt.Fprintf(&transcript, "%s\n  -> %s\n", tc.body, got)
		if tc.problem == "" && got != "" || tc.problem != "" && !strings.Contains(got, tc.problem) {
			t.Errorf("checkBody(%s) = %q, want %q", tc.body, got, tc.problem)
		}
	}
	// The exact evidence `make audit` prints for each kind of violation.
	testkit.Golden(t, "audit/check-body.txt", transcript.Bytes())
}
