package installer

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// secretsCorpus is every secret a --dry-run diff must never print, each in
// the place a user's config holds it: an env block, a headers block, a key
// named like a secret, a flag's value, a --flag=value or NAME=value
// argument, a header given as an argument, a Bearer argument, and
// user-info in URLs (an argument, a url/uri value, a connection string
// under any key). Each case added to the redactor adds its secret here.
var secretsCorpus = []string{
	"ghp_envtoken1", "Bearer hdrsecret2", "sk-apikey3", "sk-flagvalue4", "tok-assign5",
	"ghp_nameassign6", "hdrargsecret7", "bearerarg8", "hunter2", "abc-xapikey9",
	"urlpass10", "ghp_urluser11", "dbpass12",
}

// TestRedactionGoldens: the dry-run diff of an install into an agent whose
// config holds the whole corpus, and the whole file as redacted for
// printing, one golden of each per format (JSON, JSONC in VS Code's file,
// TOML for Codex, YAML for goose): no secret of the corpus appears, the
// rest of the file does, line for line.
func TestRedactionGoldens(t *testing.T) {
	t.Parallel()
	jsonServers := `{
  "mcpServers": {
    "github": {"command": "docker", "args": ["run", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN"], "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_envtoken1"}},
    "remote": {"url": "https://user:urlpass10@mcp.example.com/sse", "headers": {"Authorization": "Bearer hdrsecret2"}},
    "tool": {"command": "tool", "apiKey": "sk-apikey3", "args": ["--api-key", "sk-flagvalue4", "--token=tok-assign5", "GITHUB_TOKEN=ghp_nameassign6", "-H", "X-Api-Key: abc-xapikey9", "--header", "Authorization: hdrargsecret7", "Bearer bearerarg8"]},
    "db": {"command": "pg-mcp", "args": ["postgresql://admin:hunter2@db.internal/prod"], "uri": "https://ghp_urluser11@github.com/org/repo", "connection": "mysql://root:dbpass12@localhost/app"}
  }
}
`
	for _, tc := range []struct {
		name, target, rel, content string
	}{
		{"json", "cursor", ".cursor/mcp.json", jsonServers},
		{"jsonc", "vscode", ".config/Code/User/mcp.json", "// my servers\n" + strings.Replace(jsonServers, `"mcpServers"`, `"servers"`, 1)},
		{"toml", "codex", ".codex/config.toml", `model = "gpt-5"

[mcp_servers.github]
command = "docker"
env = { GITHUB_PERSONAL_ACCESS_TOKEN = "ghp_envtoken1" }

[mcp_servers.remote]
url = "https://user:urlpass10@mcp.example.com/sse"
http_headers = { Authorization = "Bearer hdrsecret2" }

[mcp_servers.tool]
command = "tool"
api_key = "sk-apikey3"
args = ["--api-key", "sk-flagvalue4", "--token=tok-assign5", "GITHUB_TOKEN=ghp_nameassign6", "-H", "X-Api-Key: abc-xapikey9", "--header", "Authorization: hdrargsecret7", "Bearer bearerarg8"]

[mcp_servers.db]
command = "pg-mcp"
args = ["postgresql://admin:hunter2@db.internal/prod"]
uri = "https://ghp_urluser11@github.com/org/repo"
connection = "mysql://root:dbpass12@localhost/app"
`},
		{"yaml", "goose", ".config/goose/config.yaml", `extensions:
  github:
    cmd: docker
    envs:
      GITHUB_PERSONAL_ACCESS_TOKEN: ghp_envtoken1
  remote:
    uri: https://user:urlpass10@mcp.example.com/sse
    headers: {Authorization: Bearer hdrsecret2}
  tool:
    cmd: tool
    api_key: sk-apikey3
    args: [--api-key, sk-flagvalue4, "--token=tok-assign5", "GITHUB_TOKEN=ghp_nameassign6", -H, "X-Api-Key: abc-xapikey9", --header, "Authorization: hdrargsecret7", "Bearer bearerarg8"]
  db:
    cmd: pg-mcp
    args:
      - postgresql://admin:hunter2@db.internal/prod
    url: https://ghp_urluser11@github.com/org/repo
    connection: mysql://root:dbpass12@localhost/app
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := testEnv(t)
			writeFile(t, filepath.Join(env.Home, tc.rel), tc.content)
			for _, s := range secretsCorpus {
				if !strings.Contains(tc.content, s) && !(tc.name == "yaml" && s == "Bearer hdrsecret2") {
					t.Fatalf("the %s fixture lacks %q", tc.name, s)
				}
			}
			p, err := PlanInstall(env, InstallOptions{Targets: []string{tc.target}, Scope: ScopeGlobal})
			if err != nil {
				t.Fatal(err)
			}
			diff := strings.ReplaceAll(p.Diff(), env.Home, "$HOME")
			if !strings.Contains(diff, "codegraph") {
				t.Fatalf("no diff:\n%s", diff)
			}
			for _, s := range secretsCorpus {
				// A secret can be a word of another (Bearer …): check the value.
				if strings.Contains(diff, strings.TrimPrefix(s, "Bearer ")) {
					t.Errorf("the diff prints %q:\n%s", s, diff)
				}
			}
			testkit.Golden(t, "installer/redact-"+tc.name+".diff", []byte(diff))
			// The diff shows a few lines of context; the whole file, as
			// redacted for printing, shows every case.
			tg, _ := TargetByID(tc.target)
			whole := string(Redact(tg.Format(filepath.Join(env.Home, tc.rel)), []byte(tc.content)))
			for _, s := range secretsCorpus {
				if strings.Contains(whole, strings.TrimPrefix(s, "Bearer ")) {
					t.Errorf("the redacted file prints %q:\n%s", s, whole)
				}
			}
			if strings.Count(whole, "\n") != strings.Count(tc.content, "\n") {
				t.Errorf("redaction changed the line count:\n%s", whole)
			}
			testkit.Golden(t, "installer/redact-"+tc.name+".txt", []byte(whole))
		})
	}
}
