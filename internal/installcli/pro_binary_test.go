//go:build !pro

package installcli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// TestProBinaryHasNoEndpoint builds the codegraph-pro binary and checks that
// the telemetry host is nowhere in it, while the default binary has it (so
// the check would notice if the host moved to a file the tag does not cover).
func TestProBinaryHasNoEndpoint(t *testing.T) {
	t.Parallel()
	const host = "telemetry.getcodegraph.com"
	bins, err := harness.Build(context.Background(), t.TempDir(), "pro")
	if err != nil {
		t.Fatal(err)
	}
	pro := bins.Install
	proBytes, err := os.ReadFile(pro)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(proBytes, []byte(host)) {
		t.Errorf("the pro binary contains %s", host)
	}
	defBytes, err := os.ReadFile(filepath.Join(binDir, "codegraph-install"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(defBytes, []byte(host)) {
		t.Errorf("the default binary lacks %s: the check above proves nothing", host)
	}
}
