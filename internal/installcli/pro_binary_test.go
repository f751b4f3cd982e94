//go:build !pro

package installcli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestProBinaryHasNoEndpoint builds the codegraph-pro binary and checks that
// the telemetry host is nowhere in it, while the default binary has it (so
// the check would notice if the host moved to a file the tag does not cover).
func TestProBinaryHasNoEndpoint(t *testing.T) {
	t.Parallel()
	const host = "telemetry.getcodegraph.com"
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	pro := filepath.Join(t.TempDir(), "codegraph-pro")
	cmd := exec.Command("go", "build", "-tags", "pro", "-o", pro, "./cmd/codegraph-install")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags pro: %v\n%s", err, out)
	}
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
