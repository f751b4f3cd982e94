package mcpserver_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/mcpserver"
)

// TestServeAnswersWhatItReadBeforeEOF: a client that writes its requests
// and closes stdin at once (`printf … | codegraph serve --mcp`) gets an
// answer to every request, however the input is cut: all in one read,
// and the last line without its newline.
func TestServeAnswersWhatItReadBeforeEOF(t *testing.T) {
	t.Parallel()
	script := initialize + "\n" +
		`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" +
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}` + "\n" +
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"codegraph_status","arguments":{}}}` + "\n" +
		`{"jsonrpc":"2.0","id":4,"method":"ping"}`
	for _, tc := range []struct{ name, in string }{
		{"newline at the end", script + "\n"},
		{"no newline at the end", script},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out harness.SyncBuffer
			err := mcpserver.Serve(context.Background(), mcpserver.Options{
				In: strings.NewReader(tc.in), Out: &out, Dir: initProject(t), PersistEvery: -1, FlushEvery: -1,
			})
			if err != nil {
				t.Fatal(err)
			}
			answered := map[int]bool{}
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				var m struct {
					ID     int             `json:"id"`
					Result json.RawMessage `json:"result"`
				}
				if json.Unmarshal([]byte(line), &m) != nil || m.Result == nil {
					t.Errorf("not an answer: %s", line)
					continue
				}
				answered[m.ID] = true
			}
			for id := 1; id <= 4; id++ {
				if !answered[id] {
					t.Errorf("request %d was not answered:\n%s", id, out.String())
				}
			}
		})
	}
}
