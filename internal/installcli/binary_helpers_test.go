package installcli_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// loopbackHome is a temporary HOME with a loopback endpoint that answers
// 204 (closed at the end of the test) and, unless record is "", record as
// ~/.codegraph/telemetry.json.
func loopbackHome(t *testing.T, record string) (home string, ep *harness.Endpoint) {
	t.Helper()
	ep, err := harness.NewEndpoint()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	home = t.TempDir()
	if record != "" {
		dir := filepath.Join(home, ".codegraph")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "telemetry.json"), []byte(record), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return home, ep
}

// runCodegraph runs the real codegraph in home with exactly env, and fails
// the test unless it exits 0.
func runCodegraph(t *testing.T, home string, env []string, args ...string) harness.Result {
	t.Helper()
	r, err := harness.Run(context.Background(), harness.Cmd{Bin: filepath.Join(binDir, "codegraph"), Args: args, Env: env, Dir: home})
	if err != nil || r.Code != 0 {
		t.Fatalf("%v: %v\n%s", args, err, r)
	}
	return r
}
