package mcpserver

import "testing"

// TestCount: what is a request (a method and an id), what an answer (an id
// and a result or an error), in single messages and batches; anything else
// counts as neither.
func TestCount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line          string
		requests, ans int
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"initialize"}`, 1, 0},
		{`{"jsonrpc":"2.0","id":"a","method":"tools/list"}`, 1, 0},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, 0, 0},
		{`{"jsonrpc":"2.0","id":null,"method":"x"}`, 0, 0},
		{`{"jsonrpc":"2.0","id":1,"result":{}}`, 0, 1},
		{`{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no"}}`, 0, 1},
		{`[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","id":2,"method":"b"},{"jsonrpc":"2.0","method":"n"}]`, 2, 0},
		{`  `, 0, 0},
		{`not json`, 0, 0},
		{`[1, 2`, 0, 0},
	} {
		req, ans := count([]byte(tc.line))
		if req != tc.requests || ans != tc.ans {
			t.Errorf("count(%s) = %d, %d; want %d, %d", tc.line, req, ans, tc.requests, tc.ans)
		}
	}
}

// FuzzCount: any line from stdin is counted without a panic, and never as
// a negative number.
func FuzzCount(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"initialize"}`))
	f.Add([]byte(`[{"id":1,"method":"a"},{"id":2,"result":{}}]`))
	f.Fuzz(func(t *testing.T, line []byte) {
		if req, ans := count(line); req < 0 || ans < 0 {
			t.Fatalf("count = %d, %d", req, ans)
		}
	})
}
