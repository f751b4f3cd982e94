package installcli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// The neighbour every fixture holds: a GitHub MCP server with a personal
// access token in its environment and a bearer token in a header.
const (
	ghToken = "ghp_R3dactM3Pl3aseXXXXXXXXXXXXXXXXXXXXXX"
	bearer  = "Bearer sk-live-0123456789abcdefDoNotPrint"
)

// TestDryRunRedactsSecrets: --dry-run prints diffs whose context shows the
// neighbouring entries, but never their secret values, for every config
// format; the real install keeps those values byte for byte.
func TestDryRunRedactsSecrets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		target string
		path   func(w *world) string
		// content holds the github neighbour; it is written as is.
		content string
	}{
		{"cursor", func(w *world) string { return filepath.Join(w.home, ".cursor", "mcp.json") }, `{
  "mcpServers": {
    "remote": {
      "url": "https://api.githubcopilot.com/mcp/",
      "headers": {
        "Authorization": "` + bearer + `"
      }
    },
    "db": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-postgres", "postgresql://user:hunter2@db.internal/prod", "--header", "X-Api-Key: abc-KeyDoNotPrint"]
    },
    "proxied": {"url": "https://u:PwDoNotPrint@example.com/mcp"},
    "github": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "` + ghToken + `"
      }
    }
  }
}
`},
		{"opencode", func(w *world) string { return filepath.Join(w.home, ".config", "opencode", "opencode.jsonc") }, `{
  // my servers
  "mcp": {
    "remote": {
      "type": "remote",
      "url": "https://api.githubcopilot.com/mcp/",
      "headers": { "Authorization": "` + bearer + `" },
    },
    "github": {
      "type": "local",
      "command": ["docker", "run", "-i", "ghcr.io/github/github-mcp-server"],
      "enabled": true,
      "environment": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "` + ghToken + `", // rotate monthly
      },
    },
  },
}
`},
		{"codex", func(w *world) string { return filepath.Join(w.home, ".codex", "config.toml") }, `model = "gpt-5"

[mcp_servers.remote]
url = "https://api.githubcopilot.com/mcp/"
http_headers = { Authorization = "` + bearer + `" }

[mcp_servers.github]
command = "docker"
args = ["run", "-i", "ghcr.io/github/github-mcp-server"]
env = { GITHUB_PERSONAL_ACCESS_TOKEN = "` + ghToken + `" }
`},
		{"goose", func(w *world) string { return filepath.Join(w.home, ".config", "goose", "config.yaml") }, `GOOSE_PROVIDER: anthropic
extensions:
  remote:
    type: streamable_http
    uri: https://api.githubcopilot.com/mcp/
    headers:
      Authorization: "` + bearer + `"
    enabled: true
  github:
    type: stdio
    name: github
    cmd: docker
    args: [run, -i, ghcr.io/github/github-mcp-server]
    enabled: true
    envs:
      GITHUB_PERSONAL_ACCESS_TOKEN: ` + ghToken + `
`},
	} {
		t.Run(tc.target, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			path := tc.path(w)
			writeFile(t, path, tc.content)

			dry := w.run(t, "", false, "--dry-run", "--targets", tc.target, "--scope", "global")
			if dry.code != 0 {
				t.Fatalf("dry run: exit %d\n%s", dry.code, dry)
			}
			// The neighbour's token line is context of the diff: the key
			// is shown, its value is not.
			if !strings.Contains(dry.stdout, "codegraph") || !strings.Contains(dry.stdout, "GITHUB_PERSONAL_ACCESS_TOKEN") {
				t.Fatalf("the diff should show our entry and its neighbour's token line:\n%s", dry.stdout)
			}
			for _, secret := range []string{ghToken, bearer, "sk-live", "ghp_", "hunter2", "KeyDoNotPrint", "PwDoNotPrint"} {
				if strings.Contains(dry.stdout+dry.stderr, secret) {
					t.Errorf("dry run printed %q:\n%s", secret, dry)
				}
			}
			if !strings.Contains(dry.stdout, "<redacted>") {
				t.Errorf("dry run shows no <redacted> value:\n%s", dry.stdout)
			}
			if got := readFile(t, path); got != tc.content {
				t.Fatalf("dry run changed %s", path)
			}

			real := w.run(t, "", false, "--yes", "--targets", tc.target, "--scope", "global", "--telemetry", "off")
			if real.code != 0 {
				t.Fatalf("install: exit %d\n%s", real.code, real)
			}
			got := readFile(t, path)
			for _, line := range strings.Split(tc.content, "\n") {
				if (strings.Contains(line, ghToken) || strings.Contains(line, bearer)) && !strings.Contains(got, line+"\n") {
					t.Errorf("install did not keep %q byte for byte:\n%s", line, got)
				}
			}
		})
	}
}
