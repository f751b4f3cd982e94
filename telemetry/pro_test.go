//go:build pro

package telemetry

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// In the codegraph-pro build nothing can turn telemetry on: even with
// CODEGRAPH_TELEMETRY=1 and an endpoint set, nothing is recorded, queued or
// sent, and the client knows no endpoint.
func TestProBuildNeverSends(t *testing.T) {
	t.Parallel()
	srv := newCollector(t, http.StatusNoContent)
	h := newHarness(t, srv.srv.URL, map[string]string{"CODEGRAPH_TELEMETRY": "1"})
	writeQueue(t, h.home, `{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`+"\n")
	c := h.client()
	c.Counter(schema.UsageCLICommand, "init").Record(true)
	c.Emit(InstallEvent([]string{"claude"}, schema.ScopeGlobal, schema.InstallFresh))
	c.Persist()
	h.clock.Set(day1.Add(48 * time.Hour))
	c.Flush(context.Background())
	if n := srv.conns.Load(); n != 0 {
		t.Errorf("%d connections in the pro build", n)
	}
	if c.Endpoint() != "" || c.Decide().Enabled || len(c.Show()) != 0 {
		t.Errorf("endpoint %q enabled %v", c.Endpoint(), c.Decide().Enabled)
	}
	if lines := h.queueLines(t); len(lines) != 1 {
		t.Errorf("queue changed: %q", lines)
	}
}
