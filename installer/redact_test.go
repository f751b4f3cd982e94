package installer

import (
	"strings"
	"testing"
)

// TestRedact: each format's secret values are replaced, everything else
// (keys, our entry, structure, comments, line count) is kept.
func TestRedact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		format Format
		in     string
		want   string
	}{
		{"json env and header", FormatJSON,
			`{"mcpServers": {"github": {"command": "docker", "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_abc", "N": 3}, "headers": {"Authorization": "Bearer xyz"}}, "codegraph": {"command": "codegraph", "args": ["serve", "--mcp"]}}}`,
			`{"mcpServers": {"github": {"command": "docker", "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "<redacted>", "N": "<redacted>"}, "headers": {"Authorization": "<redacted>"}}, "codegraph": {"command": "codegraph", "args": ["serve", "--mcp"]}}}`},
		{"jsonc comments, trailing commas, nested secret", FormatJSONC,
			"{\n  // the key: \"not a value\"\n  \"apiKey\": \"sk-1\", /* \"x\" */\n  \"auth\": {\"user\": \"me\", \"list\": [\"a\", 1, null]},\n  \"empty\": {\"token\": \"\"},\n  \"enabled\": true,\n}\n",
			"{\n  // the key: \"not a value\"\n  \"apiKey\": \"<redacted>\", /* \"x\" */\n  \"auth\": {\"user\": \"<redacted>\", \"list\": [\"<redacted>\", \"<redacted>\", null]},\n  \"empty\": {\"token\": \"\"},\n  \"enabled\": true,\n}\n"},
		{"toml tables, inline tables, dotted keys", FormatTOML,
			"model = \"gpt-5\" # key: no\n[mcp_servers.github]\ncommand = \"docker\"\nenv = { GITHUB_PERSONAL_ACCESS_TOKEN = \"ghp_abc\",\n  B = 'two' }\nhttp_headers.Authorization = \"Bearer xyz\"\nbearer_token = \"\"\n\n[mcp_servers.github.env]\nX = \"\"\"multi\nline\"\"\"\nY = 42\n\n[mcp_servers.codegraph]\ncommand = \"codegraph\"\nargs = [\"serve\", \"--mcp\"]\n",
			"model = \"gpt-5\" # key: no\n[mcp_servers.github]\ncommand = \"docker\"\nenv = { GITHUB_PERSONAL_ACCESS_TOKEN = \"<redacted>\",\n  B = \"<redacted>\" }\nhttp_headers.Authorization = \"<redacted>\"\nbearer_token = \"\"\n\n[mcp_servers.github.env]\nX = \"<redacted>\"\nY = \"<redacted>\"\n\n[mcp_servers.codegraph]\ncommand = \"codegraph\"\nargs = [\"serve\", \"--mcp\"]\n"},
		{"yaml maps, sequences, flow and block values", FormatYAML,
			"extensions:\n  github:\n    cmd: docker\n    envs:\n      GITHUB_PERSONAL_ACCESS_TOKEN: ghp_abc # mine\n      OTHER: \"x\"\n    headers: {Authorization: Bearer xyz, Accept: json}\n    env_keys: []\n    api_key: |\n      line one\n      line two\n    timeout: 300\n  codegraph:\n    cmd: codegraph\n    args: [serve, --mcp]\n    envs: {}\nmcpServers:\n- name: gh\n  env:\n  - GH_TOKEN=ghp_def\n  options: {token: abc, mode: fast}\n",
			"extensions:\n  github:\n    cmd: docker\n    envs:\n      GITHUB_PERSONAL_ACCESS_TOKEN: <redacted> # mine\n      OTHER: <redacted>\n    headers: <redacted>\n    env_keys: []\n    api_key: |\n      <redacted>\n      <redacted>\n    timeout: 300\n  codegraph:\n    cmd: codegraph\n    args: [serve, --mcp]\n    envs: {}\nmcpServers:\n- name: gh\n  env:\n  - <redacted>\n  options: {token: <redacted>, mode: fast}\n"},
		{"json args", FormatJSON,
			`{"args": ["serve", "--mcp", "--api-key", "sk-1", "--token=abc", "GITHUB_TOKEN=ghp_x", "-H", "Authorization: Bearer xyz", "-e", "PORT=1", "--verbose"]}`,
			`{"args": ["serve", "--mcp", "--api-key", "<redacted>", "--token=<redacted>", "GITHUB_TOKEN=<redacted>", "-H", "Authorization: <redacted>", "-e", "PORT=1", "--verbose"]}`},
		{"toml args", FormatTOML,
			"args = [\"run\", '--password', 'hunter2', \"Bearer abc\", \"\"]\n",
			"args = [\"run\", '--password', '<redacted>', \"<redacted>\", \"\"]\n"},
		{"yaml flow args", FormatYAML,
			"args: [serve, --api-key, sk-1, \"--token=abc\", --mcp]\n",
			"args: [serve, --api-key, <redacted>, \"--token=<redacted>\", --mcp]\n"},
		{"json user-info and header arguments", FormatJSON,
			`{"args": ["postgresql://user:hunter2@db.internal/prod", "--header", "X-Api-Key: abc", "-H", "X-Goog-Auth-Token:xyz", "Accept: json"], "url": "https://u:p@example.com/mcp", "uri": "https://ghp_tok@github.com/x", "plain": "https://example.com/a@b"}`,
			`{"args": ["postgresql://user:<redacted>@db.internal/prod", "--header", "X-Api-Key: <redacted>", "-H", "X-Goog-Auth-Token: <redacted>", "Accept: json"], "url": "https://u:<redacted>@example.com/mcp", "uri": "https://<redacted>@github.com/x", "plain": "https://example.com/a@b"}`},
		{"toml user-info", FormatTOML,
			"url = \"https://u:p@example.com\"\nargs = ['mysql://root:toor@localhost/db']\n",
			"url = \"https://u:<redacted>@example.com\"\nargs = ['mysql://root:<redacted>@localhost/db']\n"},
		{"yaml user-info and header", FormatYAML,
			"uri: redis://:s3cret@cache:6379\nargs: [\"X-Api-Key: abc\"]\n",
			"uri: redis://:<redacted>@cache:6379\nargs: [\"X-Api-Key: <redacted>\"]\n"},
	} {
		got := string(Redact(tc.format, []byte(tc.in)))
		if got != tc.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tc.name, got, tc.want)
		}
		if strings.Count(got, "\n") != strings.Count(tc.want, "\n") {
			t.Errorf("%s: line count changed", tc.name)
		}
	}
}

// FuzzRedact: Redact never panics on any bytes in any format, and a value
// under a secret-looking key never survives it, whatever the value.
func FuzzRedact(f *testing.F) {
	f.Add([]byte(`{"env":{"A":"b"}}`), "ghp_0123456789abcdef", uint8(0))
	f.Add([]byte("[a]\ntoken = \"x\"\n"), "Bearer abc.def", uint8(2))
	f.Add([]byte("envs:\n  A: b\n"), "s3cr3t value", uint8(3))
	f.Add([]byte("{\"a\": /* \"x\" */ [1, \"\\\"\" ,]}"), "pa$$word", uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, value string, pick uint8) {
		formats := []Format{FormatJSON, FormatJSONC, FormatTOML, FormatYAML}
		format := formats[int(pick)%len(formats)]
		_ = Redact(format, raw) // must not panic

		// Keep the value to characters every format can hold unquoted
		// within quotes, and long enough not to occur by chance.
		var sb strings.Builder
		for _, r := range value {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-.+/= ", r) {
				sb.WriteRune(r)
			}
		}
		v := strings.TrimSpace(sb.String())
		if len(v) < 6 {
			return
		}
		secret := "QX" + v // no template text starts with QX
		var doc string
		switch format {
		case FormatTOML:
			doc = "[mcp_servers.github]\ncommand = \"docker\"\nAPI_KEY = \"" + secret + "\"\n[mcp_servers.github.env]\nA = \"" + secret + "\"\n"
		case FormatYAML:
			doc = "extensions:\n  github:\n    cmd: docker\n    Authorization: \"" + secret + "\"\n    envs:\n      A: \"" + secret + "\"\n"
		default:
			doc = `{"mcpServers": {"github": {"command": "docker", "password": "` + secret + `", "env": {"A": "` + secret + `"}}}}`
		}
		if out := string(Redact(format, []byte(doc))); strings.Contains(out, secret) {
			t.Errorf("%s: the secret %q survived:\n%s", format, secret, out)
		}
	})
}
