package installcli_test

import (
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/consent"
)

// TestConsentCopy: every message outside the installer's form names what
// is shared one way (consent.UsageName), and none uses the other names it
// once had. The form's toggle title is fixed by CONTRACT.md and lives in
// installer/tui, so it is not checked here.
func TestConsentCopy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		// named: the output must name the thing (a help that is about it).
		named bool
	}{
		{[]string{"--help"}, true},
		{[]string{"telemetry", "--help"}, true},
		{[]string{"telemetry", "status", "--help"}, true},
		{[]string{"telemetry", "on", "--help"}, true},
		{[]string{"telemetry", "off", "--help"}, true},
		{[]string{"telemetry", "show", "--help"}, false},
		{[]string{"telemetry", "reset", "--help"}, false},
		{[]string{"telemetry", "flush", "--help"}, false},
		{[]string{"telemetry", "on"}, !proBuild},
		{[]string{"telemetry", "status"}, !proBuild},
		{[]string{"telemetry", "off"}, false},
		{[]string{"telemetry", "reset"}, false},
	} {
		_, out, errOut := runCLI(t, t.TempDir(), nil, tc.args...)
		text := out + errOut
		if tc.named && !strings.Contains(text, consent.UsageName) {
			t.Errorf("%v does not say %q:\n%s", tc.args, consent.UsageName, text)
		}
		for _, other := range []string{"usage data", "usage counts", "usage-data"} {
			if strings.Contains(strings.ToLower(text), other) {
				t.Errorf("%v says %q where it means %q:\n%s", tc.args, other, consent.UsageName, text)
			}
		}
	}
}
