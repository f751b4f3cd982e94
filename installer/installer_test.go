package installer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

func testEnv(t testing.TB) Env {
	t.Helper()
	root := t.TempDir()
	home := filepath.Join(root, "home")
	project := filepath.Join(root, "project")
	for _, d := range []string{home, project} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{}
	return Env{
		Home: home, ProjectDir: project, GOOS: "linux", Version: "1.2.0",
		Getenv: func(k string) string { return vars[k] },
		Now:    func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		// codegraph is installed, and on the PATH: agents started from a
		// shell get "codegraph", GUI apps this absolute path.
		LookPath: func(name string) (string, error) {
			if name == "codegraph" {
				return "/usr/local/bin/codegraph", nil
			}
			return "", errors.New("not found")
		},
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func install(t testing.TB, env Env, scope Scope, targets ...string) *Plan {
	t.Helper()
	p, err := PlanInstall(env, InstallOptions{Targets: targets, Scope: scope})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Apply(context.Background(), env, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.OK() {
			t.Fatalf("%s: %v", r.Target, r.Err)
		}
	}
	return p
}

func uninstall(t testing.TB, env Env, scope Scope, targets ...string) {
	t.Helper()
	p, err := PlanUninstall(env, UninstallOptions{Targets: targets, Scope: scope})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Apply(context.Background(), env, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.OK() {
			t.Fatalf("%s: %v", r.Target, r.Err)
		}
	}
}

const bigClaudeJSON = `{
  "numStartups": 42,
  "installMethod": "native",
  "autoUpdates": true,
  "userID": "0f5e8a7c2b1d4e6f",
  "tipsHistory": {"memory-command": 3, "theme-command": 1},
  "projects": {
    "/home/me/src/app": {
      "allowedTools": [],
      "mcpServers": {
        "project-local": {"type": "stdio", "command": "local-thing", "args": []}
      },
      "history": [{"display": "fix the bug", "pastedContents": {}}],
      "lastCost": 0.42
    }
  },
  "mcpServers": {
    "github": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_xxx"}
    }
  },
  "cachedChangelog": "# Changelog\n\n## 1.0.0\n- first",
  "oauthAccount": {"emailAddress": "me@example.com", "organizationRole": "admin"}
}
`

const opencodeJSONC = `{
  "$schema": "https://opencode.ai/config.json",
  // my servers
  "mcp": {
    "jira": {
      "type": "remote",
      "url": "https://jira.example.com/mcp",
      "headers": {"Authorization": "Bearer {env:JIRA_TOKEN}"},
      "enabled": false,
    },
  },
  "theme": "opencode",
}
`

const codexTOML = `model = "gpt-5"
[projects."/home/me/app"]
trust_level = "trusted"

[[profiles.fast]]
model = "o4-mini"

[mcp_servers.docs]
command = "docs-mcp"
env = { A = "1",
  B = "2" }
`

const claudeDesktopJSON = `{
  "globalShortcut": "Alt+Space",
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"]
    }
  },
  "preferences": {"menuBarEnabled": false}
}
`

const zedSettings = `// Zed settings
//
// For information on how to configure Zed, see the Zed
// documentation: https://zed.dev/docs/configuring-zed
{
  "theme": {
    "mode": "system",
    "light": "One Light",
    "dark": "One Dark"
  },
  "vim_mode": true, // muscle memory
  "buffer_font_size": 15,
}
`

const gooseYAML = `GOOSE_PROVIDER: anthropic
GOOSE_MODEL: claude-sonnet-4-5
extensions:
  developer:
    bundled: true
    enabled: true
    name: developer
    timeout: 300
    type: builtin
  # memory is off for now
  memory:
    bundled: true
    enabled: false
    name: memory
    timeout: 300
    type: builtin
GOOSE_MODE: smart_approve
`

const clineJSON = `{
  "mcpServers": {
    "github.com/modelcontextprotocol/servers/tree/main/src/github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_x"},
      "disabled": false,
      "autoApprove": ["list_issues"]
    }
  }
}`

const hermesYAML = `model:
  default: anthropic/claude-opus-4
  provider: openrouter

# MCP servers Hermes connects to at startup
mcp_servers:
  time:
    command: "uvx"
    args: ["mcp-server-time"]

terminal:
  backend: local
`

const continueYAML = `name: Local Config
version: 1.0.0
schema: v1
models:
  - name: Claude Sonnet
    provider: anthropic
    model: claude-sonnet-4-5
mcpServers:
  - name: SQLite
    command: npx
    args:
      - "-y"
      - "mcp-sqlite"
      - "/Users/me/test.db"
`

// TestInstallUninstallPerTarget installs into every target and scope,
// checks the result against golden files, then uninstalls and requires the
// original bytes back (or the file gone when we created it).
func TestInstallUninstallPerTarget(t *testing.T) {
	t.Parallel()
	type fixture struct {
		rel     string // file relative to home (global) or project (local)
		content string // "" means the file does not exist
	}
	cases := []struct {
		target string
		scope  Scope
		fx     fixture
		ext    string
	}{
		{"claude", ScopeGlobal, fixture{".claude.json", bigClaudeJSON}, "json"},
		{"claude", ScopeLocal, fixture{".mcp.json", ""}, "json"},
		{"claude", ScopeLocal, fixture{".mcp.json", "\ufeff{\r\n    \"mcpServers\": {\r\n        \"x\": {\"command\": \"x\"}\r\n    }\r\n}"}, "json"},
		{"cursor", ScopeGlobal, fixture{".cursor/mcp.json", `{"mcpServers":{"a b":{"command":"a"}}}`}, "json"},
		{"cursor", ScopeLocal, fixture{".cursor/mcp.json", ""}, "json"},
		{"codex", ScopeGlobal, fixture{".codex/config.toml", codexTOML}, "toml"},
		{"codex", ScopeLocal, fixture{".codex/config.toml", ""}, "toml"},
		{"opencode", ScopeGlobal, fixture{".config/opencode/opencode.jsonc", opencodeJSONC}, "jsonc"},
		{"opencode", ScopeLocal, fixture{"opencode.json", ""}, "json"},
		{"vscode", ScopeLocal, fixture{".vscode/mcp.json", "{\n\t\"servers\": {},\n}\n"}, "json"},
		{"gemini", ScopeGlobal, fixture{".gemini/settings.json", "{\n  \"theme\": \"GitHub\"\n}\n"}, "json"},
		{"gemini", ScopeLocal, fixture{".gemini/settings.json", ""}, "json"},
		{"vscode", ScopeGlobal, fixture{".config/Code/User/mcp.json", "{\n\t// my servers\n\t\"servers\": {\n\t\t\"github\": {\"type\": \"http\", \"url\": \"https://api.githubcopilot.com/mcp/\"}\n\t},\n\t\"inputs\": []\n}\n"}, "json"},
		{"windsurf", ScopeGlobal, fixture{".codeium/windsurf/mcp_config.json", ""}, "json"},
		{"claude-desktop", ScopeGlobal, fixture{".config/Claude/claude_desktop_config.json", claudeDesktopJSON}, "json"},
		{"zed", ScopeGlobal, fixture{".config/zed/settings.json", zedSettings}, "jsonc"},
		{"zed", ScopeLocal, fixture{".zed/settings.json", ""}, "jsonc"},
		{"goose", ScopeGlobal, fixture{".config/goose/config.yaml", gooseYAML}, "yaml"},
		{"goose", ScopeGlobal, fixture{".config/goose/config.yaml", ""}, "yaml"},
		{"cline", ScopeGlobal, fixture{".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json", clineJSON}, "json"},
		{"copilot", ScopeGlobal, fixture{".copilot/mcp-config.json", "{\n  \"mcpServers\": {\n    \"playwright\": {\n      \"type\": \"local\",\n      \"command\": \"npx\",\n      \"args\": [\"@playwright/mcp@latest\"],\n      \"tools\": [\"*\"]\n    }\n  }\n}\n"}, "json"},
		{"copilot", ScopeLocal, fixture{".github/mcp.json", ""}, "json"},
		{"antigravity", ScopeGlobal, fixture{".gemini/config/mcp_config.json", ""}, "json"},
		{"kiro", ScopeGlobal, fixture{".kiro/settings/mcp.json", "{\n  \"mcpServers\": {\n    \"fetch\": {\n      \"command\": \"uvx\",\n      \"args\": [\"mcp-server-fetch\"],\n      \"disabled\": false,\n      \"autoApprove\": []\n    }\n  }\n}\n"}, "json"},
		{"kiro", ScopeLocal, fixture{".kiro/settings/mcp.json", ""}, "json"},
		{"hermes", ScopeGlobal, fixture{".hermes/config.yaml", hermesYAML}, "yaml"},
		{"roo", ScopeGlobal, fixture{".config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json", "{\n  \"mcpServers\": {}\n}"}, "json"},
		{"roo", ScopeLocal, fixture{".roo/mcp.json", ""}, "json"},
		{"amazonq", ScopeGlobal, fixture{".aws/amazonq/mcp.json", "{\n    \"mcpServers\": {\n        \"aws-docs\": {\n            \"command\": \"uvx\",\n            \"args\": [\"awslabs.aws-documentation-mcp-server@latest\"],\n            \"env\": {\"FASTMCP_LOG_LEVEL\": \"ERROR\"},\n            \"timeout\": 120000\n        }\n    }\n}\n"}, "json"},
		{"amazonq", ScopeLocal, fixture{".amazonq/mcp.json", ""}, "json"},
		{"continue", ScopeGlobal, fixture{".continue/config.yaml", continueYAML}, "yaml"},
		{"continue", ScopeLocal, fixture{".continue/mcpServers/codegraph.json", ""}, "json"},
		{"lmstudio", ScopeGlobal, fixture{".lmstudio/mcp.json", ""}, "json"},
		{"warp", ScopeGlobal, fixture{".warp/.mcp.json", "{\"mcpServers\":{\"github\":{\"command\":\"gh-mcp\",\"env\":{\"GITHUB_TOKEN\":\"${GITHUB_TOKEN}\"}}}}"}, "json"},
		{"warp", ScopeLocal, fixture{".warp/.mcp.json", ""}, "json"},
		{"crush", ScopeGlobal, fixture{".config/crush/crush.json", "{\n  \"$schema\": \"https://charm.land/crush.json\",\n  \"lsp\": {\n    \"go\": {\"command\": \"gopls\"}\n  }\n}\n"}, "json"},
		{"crush", ScopeLocal, fixture{".crush.json", ""}, "json"},
		{"amp", ScopeGlobal, fixture{".config/amp/settings.json", "{\n  \"amp.notifications.enabled\": false,\n  \"amp.mcpServers\": {\n    \"playwright\": {\"command\": \"npx\", \"args\": [\"-y\", \"@playwright/mcp@latest\"]}\n  }\n}\n"}, "json"},
		{"amp", ScopeLocal, fixture{".amp/settings.json", ""}, "json"},
		{"qwen", ScopeGlobal, fixture{".qwen/settings.json", "{\n  \"theme\": \"Qwen Dark\",\n  \"mcpServers\": {}\n}\n"}, "json"},
		{"qwen", ScopeLocal, fixture{".qwen/settings.json", ""}, "json"},
		{"kilo", ScopeGlobal, fixture{".config/kilo/kilo.jsonc", "{\n  // my models\n  \"model\": \"kilo/auto\",\n}\n"}, "jsonc"},
		{"kilo", ScopeLocal, fixture{".kilo/kilo.jsonc", ""}, "jsonc"},
		{"trae", ScopeGlobal, fixture{".config/Trae/User/mcp.json", ""}, "json"},
		{"trae", ScopeLocal, fixture{".trae/mcp.json", ""}, "json"},
		{"junie", ScopeGlobal, fixture{".junie/mcp/mcp.json", ""}, "json"},
		{"junie", ScopeLocal, fixture{".junie/mcp/mcp.json", ""}, "json"},
		{"copilot-jetbrains", ScopeGlobal, fixture{".config/github-copilot/intellij/mcp.json", "{\n    \"servers\": {\n        \"github\": {\"url\": \"https://api.githubcopilot.com/mcp/\"}\n    }\n}\n"}, "json"},
		{"droid", ScopeGlobal, fixture{".factory/mcp.json", ""}, "json"},
		{"droid", ScopeLocal, fixture{".factory/mcp.json", ""}, "json"},
		{"qoder", ScopeGlobal, fixture{".qoder/mcp.json", ""}, "json"},
		{"kimi", ScopeGlobal, fixture{".kimi/mcp.json", "{\n  \"mcpServers\": {\n    \"context7\": {\n      \"url\": \"https://mcp.context7.com/mcp\",\n      \"transport\": \"http\"\n    }\n  }\n}\n"}, "json"},
		{"5ire", ScopeGlobal, fixture{".config/5ire/mcp.json", ""}, "json"},
		{"witsy", ScopeGlobal, fixture{".config/Witsy/settings.json", "{\"general\":{\"locale\":\"en-US\"},\"llm\":{\"engine\":\"openai\"}}"}, "json"},
		{"vscode-insiders", ScopeGlobal, fixture{".config/Code - Insiders/User/mcp.json", ""}, "json"},
		{"augment", ScopeGlobal, fixture{".augment/settings.json", "{\n  \"model\": \"sonnet4\"\n}\n"}, "json"},
	}
	// Every target and scope of the registry that writes a file here has
	// its case: a new agent comes with its golden.
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.target+"/"+string(tc.scope)] = true
	}
	for _, tg := range TargetsFor("linux") {
		if _, paste := tg.Pasted(); paste {
			continue
		}
		for _, sc := range tg.Scopes() {
			if !covered[tg.ID+"/"+string(sc)] {
				t.Errorf("no install/uninstall case for %s, scope %s", tg.ID, sc)
			}
		}
	}
	for _, tc := range cases {
		name := tc.target + "-" + string(tc.scope)
		if tc.fx.content != "" {
			name += "-existing"
		}
		if strings.Contains(tc.fx.content, "\r\n") {
			name += "-crlf"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := testEnv(t)
			base := env.Home
			if tc.scope == ScopeLocal {
				base = env.ProjectDir
			}
			path := filepath.Join(base, tc.fx.rel)
			if tc.fx.content != "" {
				writeFile(t, path, tc.fx.content)
			}
			p := install(t, env, tc.scope, tc.target)
			if p.Kind != KindFresh {
				t.Errorf("kind = %s, want fresh", p.Kind)
			}
			if p.Changes[0].Path != path {
				t.Fatalf("path = %s, want %s", p.Changes[0].Path, path)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			testkit.Golden(t, "installer/"+name+".after."+tc.ext, got)
			if tc.fx.content != "" {
				backup, err := os.ReadFile(BackupPath(env, path))
				if err != nil || string(backup) != tc.fx.content {
					t.Errorf("backup missing or wrong: %v", err)
				}
			}
			// A second install is a reinstall and changes nothing.
			p2, err := PlanInstall(env, InstallOptions{Targets: []string{tc.target}, Scope: tc.scope})
			if err != nil {
				t.Fatal(err)
			}
			if p2.Kind != KindReinstall || p2.Changes[0].Action != ActionUnchanged {
				t.Errorf("reinstall: kind=%s action=%s", p2.Kind, p2.Changes[0].Action)
			}
			uninstall(t, env, tc.scope)
			after, err := os.ReadFile(path)
			if tc.fx.content == "" {
				if !os.IsNotExist(err) {
					t.Fatalf("file we created still exists after uninstall: %q", after)
				}
				if _, err := os.Stat(filepath.Dir(path)); tc.fx.rel != filepath.Base(tc.fx.rel) && !os.IsNotExist(err) {
					t.Errorf("directory we created is left behind: %s", filepath.Dir(path))
				}
			} else if string(after) != tc.fx.content {
				t.Fatalf("uninstall did not restore the file:\n got %q\nwant %q", after, tc.fx.content)
			}
			if _, err := os.Stat(ManifestPath(env, tc.scope)); !os.IsNotExist(err) {
				t.Errorf("manifest left behind: %v", err)
			}
		})
	}
}

func TestInvalidFileUntouched(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	cursor := filepath.Join(env.Home, ".cursor", "mcp.json")
	codex := filepath.Join(env.Home, ".codex", "config.toml")
	writeFile(t, cursor, "{\"mcpServers\": {\n  \"a\": {,}\n}")
	writeFile(t, codex, "model = \"x\"\nmodel = \"y\"\n")
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, f := range []string{cursor, codex} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"cursor", "codex", "claude"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Apply(context.Background(), env, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res[:2] {
		// The path as the user names it (under ~), the line, what
		// happened and the next step; no parser's name.
		msg := r.Err.Error()
		shown := DisplayPath(env.Home, r.Path)
		if r.OK() || !strings.HasPrefix(msg, shown+" is not valid ") || !strings.Contains(msg, "line") ||
			!strings.Contains(msg, "nothing was changed") || !strings.HasSuffix(msg, "then run codegraph-install again.") ||
			strings.Contains(msg, "hujson") || strings.Contains(msg, "toml:") {
			t.Errorf("%s: want an error naming %s, the line and the next step, got %v", r.Target, shown, r.Err)
		}
	}
	if !res[2].OK() {
		t.Errorf("claude should still be installed: %v", res[2].Err)
	}
	for _, f := range []string{cursor, codex} {
		fi, err := os.Stat(f)
		if err != nil || !fi.ModTime().Equal(old) {
			t.Errorf("%s was touched", f)
		}
		if _, err := os.Stat(BackupPath(env, f)); !os.IsNotExist(err) {
			t.Errorf("backup written for refused %s", f)
		}
	}
	m, err := ReadManifest(env, ScopeGlobal)
	if err != nil || m == nil || len(m.Targets) != 1 || m.Targets[0].ID != "claude" {
		t.Fatalf("manifest should list only claude: %+v %v", m, err)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, target, rel, content, want string
		scope                            Scope
	}{
		{"mcpservers-not-object", "claude", ".claude.json", `{"mcpServers": []}`, "not an object", ScopeGlobal},
		{"mcpservers-null", "cursor", ".cursor/mcp.json", `{"mcpServers": null}`, "null", ScopeGlobal},
		{"codex-inline", "codex", ".codex/config.toml", "mcp_servers = { a = { command = \"a\" } }\n", "inline table", ScopeGlobal},
		{"windsurf-local", "windsurf", "", "", "Run codegraph-install --yes --targets windsurf --scope global", ScopeLocal},
		{"continue-config-missing", "continue", "", "", "Start Continue once", ScopeGlobal},
		{"goose-flow-extensions", "goose", ".config/goose/config.yaml", "extensions: {developer: {enabled: true}}\n", "by hand", ScopeGlobal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := testEnv(t)
			if tc.rel != "" {
				writeFile(t, filepath.Join(env.Home, tc.rel), tc.content)
			}
			p, err := PlanInstall(env, InstallOptions{Targets: []string{tc.target}, Scope: tc.scope})
			if err != nil {
				t.Fatal(err)
			}
			c := p.Changes[0]
			if c.Action != ActionError || !strings.Contains(c.Message, tc.want) {
				t.Fatalf("action=%s message=%q, want error mentioning %q", c.Action, c.Message, tc.want)
			}
		})
	}
}

func TestReadOnlyFileRefused(t *testing.T) {
	t.Parallel()
	// We check the mode bits ourselves, so this holds even when run as root.
	env := testEnv(t)
	path := filepath.Join(env.Home, ".cursor", "mcp.json")
	writeFile(t, path, "{}")
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"cursor"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes[0].Action != ActionError || !strings.Contains(p.Changes[0].Message, "read-only") {
		t.Fatalf("got %s %q", p.Changes[0].Action, p.Changes[0].Message)
	}
}

func TestSymlinkWrittenThrough(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	real := filepath.Join(env.Home, "dotfiles", "mcp.json")
	writeFile(t, real, "{\n  \"mcpServers\": {}\n}\n")
	link := filepath.Join(env.Home, ".cursor", "mcp.json")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	install(t, env, ScopeGlobal, "cursor")
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("symlink replaced by a file")
	}
	b, _ := os.ReadFile(real)
	if !bytes.Contains(b, []byte("codegraph")) {
		t.Fatal("target of the symlink not updated")
	}
	uninstall(t, env, ScopeGlobal)
	b, _ = os.ReadFile(real)
	if string(b) != "{\n  \"mcpServers\": {}\n}\n" {
		t.Fatalf("not restored: %q", b)
	}
}

// TestClaudeRewrittenBetweenPlanAndApply: Claude Code rewrites
// ~/.claude.json at any time; Apply must edit the fresh content.
func TestClaudeRewrittenBetweenPlanAndApply(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	path := filepath.Join(env.Home, ".claude.json")
	writeFile(t, path, "{\n  \"numStartups\": 1\n}\n")
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"claude"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "{\n  \"numStartups\": 2,\n  \"tips\": {}\n}\n")
	if _, err := Apply(context.Background(), env, p); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, []byte(`"numStartups": 2`)) || !bytes.Contains(b, []byte(`"codegraph"`)) {
		t.Fatalf("fresh content not used: %s", b)
	}
	uninstall(t, env, ScopeGlobal)
	b, _ = os.ReadFile(path)
	if string(b) != "{\n  \"numStartups\": 2,\n  \"tips\": {}\n}\n" {
		t.Fatalf("got %q", b)
	}
}

func TestUpgradeKeepsOriginalUndo(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	path := filepath.Join(env.ProjectDir, ".mcp.json")
	orig := "{\n  \"mcpServers\": {\n    \"codegraph\": {\"command\": \"mine\", \"env\": {\"X\": \"1\"}}\n  }\n}\n"
	writeFile(t, path, orig)
	install(t, env, ScopeLocal, "claude")
	env.Version = "2.0.0"
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"claude"}, Scope: ScopeLocal, Server: Server{Command: "/opt/codegraph", Args: []string{"serve", "--mcp"}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != KindUpgrade {
		t.Fatalf("kind %s", p.Kind)
	}
	if _, err := Apply(context.Background(), env, p); err != nil {
		t.Fatal(err)
	}
	m, _ := ReadManifest(env, ScopeLocal)
	if m.Version != "2.0.0" || m.Targets[0].PreviousEntry == nil || !strings.Contains(*m.Targets[0].PreviousEntry, "mine") {
		t.Fatalf("manifest lost the user's original entry: %+v", m)
	}
	uninstall(t, env, ScopeLocal)
	b, _ := os.ReadFile(path)
	if string(b) != orig {
		t.Fatalf("user's entry not restored: %q", b)
	}
}

func TestUninstallOnlyNamedTargets(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	install(t, env, ScopeGlobal, "claude", "cursor")
	uninstall(t, env, ScopeGlobal, "cursor")
	m, err := ReadManifest(env, ScopeGlobal)
	if err != nil || m == nil || len(m.Targets) != 1 || m.Targets[0].ID != "claude" {
		t.Fatalf("manifest: %+v %v", m, err)
	}
	if _, err := os.Stat(filepath.Join(env.Home, ".claude.json")); err != nil {
		t.Fatal("claude file removed too early")
	}
	if _, err := os.Stat(filepath.Join(env.Home, ".cursor")); !os.IsNotExist(err) {
		t.Fatal("cursor dir we created not removed")
	}
	fi, err := os.Stat(filepath.Join(env.Home, ".codegraph"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("~/.codegraph mode: %v %v", fi, err)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	writeFile(t, filepath.Join(env.Home, ".claude.json"), "{\n  \"a\": 1\n}\n")
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"claude", "cursor", "codex", "opencode", "windsurf"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "installer/dry-run.diff", []byte(strings.ReplaceAll(p.Diff(), env.Home, "$HOME")))
	entries, _ := os.ReadDir(env.Home)
	if len(entries) != 1 {
		t.Fatalf("planning wrote files: %v", entries)
	}
}

func TestConfigPaths(t *testing.T) {
	t.Parallel()
	var sb strings.Builder
	for _, goos := range []string{"linux", "darwin", "windows"} {
		home, project := "/home/me", "/src/app"
		if goos == "darwin" {
			home = "/Users/me"
		}
		if goos == "windows" {
			home, project = `C:\Users\me`, `C:\src\app`
		}
		env := Env{Home: home, ProjectDir: project, GOOS: goos, Getenv: func(string) string { return "" }}
		for _, tg := range Targets() {
			for _, sc := range []Scope{ScopeGlobal, ScopeLocal} {
				p, err := tg.ConfigPath(env, sc)
				if err != nil {
					p = "unsupported"
				}
				sb.WriteString(goos + " " + tg.ID + " " + string(sc) + " " + p + "\n")
			}
		}
	}
	testkit.Golden(t, "installer/config-paths.txt", []byte(sb.String()))
}

func TestEnvOverrides(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	vars := map[string]string{"CODEX_HOME": "/opt/codex", "XDG_CONFIG_HOME": "/xdg"}
	env.Getenv = func(k string) string { return vars[k] }
	codex, _ := TargetByID("codex")
	if p, _ := codex.ConfigPath(env, ScopeGlobal); p != "/opt/codex/config.toml" {
		t.Errorf("codex: %s", p)
	}
	oc, _ := TargetByID("opencode")
	if p, _ := oc.ConfigPath(env, ScopeGlobal); p != "/xdg/opencode/opencode.json" {
		t.Errorf("opencode: %s", p)
	}
	writeFile(t, filepath.Join(env.ProjectDir, "opencode.jsonc"), "{}")
	if p, _ := oc.ConfigPath(env, ScopeLocal); p != filepath.Join(env.ProjectDir, "opencode.jsonc") {
		t.Errorf("opencode local should prefer .jsonc: %s", p)
	}
	// Each agent's own override of its home.
	vars["CLAUDE_CONFIG_DIR"], vars["CRUSH_GLOBAL_CONFIG"], vars["KIMI_SHARE_DIR"] = "/opt/claude", "/opt/crush", "/opt/kimi"
	for id, want := range map[string]string{
		"claude": "/opt/claude/.claude.json", "crush": "/opt/crush/crush.json", "kimi": "/opt/kimi/mcp.json",
		"kilo": "/xdg/kilo/kilo.jsonc", "copilot-jetbrains": "/xdg/github-copilot/intellij/mcp.json",
	} {
		tg, _ := TargetByID(id)
		if p, _ := tg.ConfigPath(env, ScopeGlobal); p != want {
			t.Errorf("%s: %s, want %s", id, p, want)
		}
	}
	// Crush on Windows: %LOCALAPPDATA%, not %APPDATA%.
	win := Env{Home: `C:\Users\me`, GOOS: "windows", Getenv: func(k string) string {
		return map[string]string{"LOCALAPPDATA": `D:\Local`, "APPDATA": `D:\Roaming`}[k]
	}}
	crush, _ := TargetByID("crush")
	if p, _ := crush.ConfigPath(win, ScopeGlobal); p != `D:\Local\crush\crush.json` {
		t.Errorf("crush on windows: %s", p)
	}
	// Crush's project file: .crush.json, or an existing crush.json.
	if p, _ := crush.ConfigPath(env, ScopeLocal); p != filepath.Join(env.ProjectDir, ".crush.json") {
		t.Errorf("crush local: %s", p)
	}
	writeFile(t, filepath.Join(env.ProjectDir, "crush.json"), "{}")
	if p, _ := crush.ConfigPath(env, ScopeLocal); p != filepath.Join(env.ProjectDir, "crush.json") {
		t.Errorf("crush local with crush.json: %s", p)
	}
	// Kilo's project file: an existing kilo.json at the root wins.
	kilo, _ := TargetByID("kilo")
	writeFile(t, filepath.Join(env.ProjectDir, "kilo.json"), "{}")
	if p, _ := kilo.ConfigPath(env, ScopeLocal); p != filepath.Join(env.ProjectDir, "kilo.json") {
		t.Errorf("kilo local with kilo.json: %s", p)
	}
}

// TestAntigravityVersions: Antigravity 2.0's ~/.gemini/config/mcp_config.json
// unless only 1.x's ~/.gemini/antigravity/ is there.
func TestAntigravityVersions(t *testing.T) {
	t.Parallel()
	ag, _ := TargetByID("antigravity")
	env := testEnv(t)
	v1 := filepath.Join(env.Home, ".gemini", "antigravity", "mcp_config.json")
	v2 := filepath.Join(env.Home, ".gemini", "config", "mcp_config.json")
	if p, _ := ag.ConfigPath(env, ScopeGlobal); p != v2 {
		t.Errorf("fresh: %s", p)
	}
	if err := os.MkdirAll(filepath.Dir(v1), 0o755); err != nil {
		t.Fatal(err)
	}
	if p, _ := ag.ConfigPath(env, ScopeGlobal); p != v1 {
		t.Errorf("1.x folder only: %s", p)
	}
	if err := os.MkdirAll(filepath.Dir(v2), 0o755); err != nil {
		t.Fatal(err)
	}
	if p, _ := ag.ConfigPath(env, ScopeGlobal); p != v2 {
		t.Errorf("both folders: %s", p)
	}
	writeFile(t, v1, "{}")
	if p, _ := ag.ConfigPath(env, ScopeGlobal); p != v1 {
		t.Errorf("1.x file only: %s", p)
	}
	writeFile(t, v2, "{}")
	if p, _ := ag.ConfigPath(env, ScopeGlobal); p != v2 {
		t.Errorf("both files: %s", p)
	}
}

// TestAmpDottedKey: Amp's servers key "amp.mcpServers" is one key with a
// dot in it; an object "amp" holding "mcpServers" is someone else's.
func TestAmpDottedKey(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	path := filepath.Join(env.Home, ".config", "amp", "settings.json")
	const before = "{\n  \"amp\": {\"mcpServers\": {}}\n}\n"
	writeFile(t, path, before)
	install(t, env, ScopeGlobal, "amp")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	if _, ok := m["amp.mcpServers"]["codegraph"]; !ok || len(m["amp"]["mcpServers"].(map[string]any)) != 0 {
		t.Errorf("entry not under the literal key \"amp.mcpServers\":\n%s", got)
	}
	amp, _ := TargetByID("amp")
	if e, err := amp.ReadEntry(path); err != nil || e == nil || e.Command != "codegraph" {
		t.Errorf("ReadEntry = %+v, %v", e, err)
	}
	uninstall(t, env, ScopeGlobal)
	if after, _ := os.ReadFile(path); string(after) != before {
		t.Errorf("uninstall: %q", after)
	}
}

// TestOSOnlyTargets: Visual Studio (Windows) and the Mac-only apps have no
// config file elsewhere: both scopes say so, nothing is detected, and an
// install fails for them alone; on their OS they are installed as usual.
func TestOSOnlyTargets(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"visualstudio", "boltai", "enconvo"} {
		tg, _ := TargetByID(id)
		env := testEnv(t)
		if id != "visualstudio" {
			env.GOOS = "windows"
		}
		for _, sc := range []Scope{ScopeGlobal, ScopeLocal} {
			if _, err := tg.ConfigPath(env, sc); !errors.Is(err, ErrNotOnThisOS) {
				t.Errorf("%s %s on %s: %v", id, sc, env.GOOS, err)
			}
		}
		env.GOOS = "linux"
		writeFile(t, filepath.Join(env.Home, ".mcp.json"), "{}")
		writeFile(t, filepath.Join(env.Home, ".boltai", "mcp.json"), "{}")
		writeFile(t, filepath.Join(env.Home, ".config", "enconvo", "mcp_config.json"), "{}")
		if tg.Detect(env) {
			t.Errorf("%s detected on linux", id)
		}
		p, err := PlanInstall(env, InstallOptions{Targets: []string{id, "cursor"}, Scope: ScopeGlobal})
		if err != nil {
			t.Fatal(err)
		}
		if p.Changes[0].Action != ActionError || !strings.Contains(p.Changes[0].Message, "only") || p.Changes[1].Action == ActionError {
			t.Errorf("%s: %+v", id, p.Changes)
		}
	}
	// On Windows, Visual Studio's file is %USERPROFILE%\.mcp.json with
	// VS Code's "servers" spelling.
	vs, _ := TargetByID("visualstudio")
	win := Env{Home: `C:\Users\me`, GOOS: "windows", Getenv: func(string) string { return "" }}
	path, err := vs.ConfigPath(win, ScopeGlobal)
	if err != nil || path != `C:\Users\me\.mcp.json` {
		t.Fatalf("visualstudio on windows: %q, %v", path, err)
	}
	out, _, _, err := editInstall(vs, path, nil, Server{Command: `C:\Users\me\.codegraph\bin\codegraph.exe`, Args: []string{"serve", "--mcp"}})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "installer/visualstudio-global.after.json", out)
	// The Mac-only apps on a Mac: install, golden, uninstall restores.
	for _, tc := range []struct{ id, rel string }{{"boltai", ".boltai/mcp.json"}, {"enconvo", ".config/enconvo/mcp_config.json"}} {
		env := testEnv(t)
		env.GOOS = "darwin"
		path := filepath.Join(env.Home, tc.rel)
		install(t, env, ScopeGlobal, tc.id)
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		testkit.Golden(t, "installer/"+tc.id+"-global.after.json", got)
		uninstall(t, env, ScopeGlobal)
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s: file left after uninstall: %v", tc.id, err)
		}
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	if err := os.MkdirAll(filepath.Join(env.Home, ".cursor"), 0o755); err != nil {
		t.Fatal(err)
	}
	env.LookPath = func(name string) (string, error) {
		if name == "codex" {
			return "/usr/bin/codex", nil
		}
		return "", errors.New("no")
	}
	got := strings.Join(Detected(env), ",")
	if got != "cursor,codex" {
		t.Fatalf("detected %s", got)
	}
	// Claude Code's app state file alone shows it is used.
	if err := os.WriteFile(filepath.Join(env.Home, ".claude.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(Detected(env), ","); got != "claude,cursor,codex" {
		t.Fatalf("with ~/.claude.json detected %s", got)
	}
}

func TestParseServerCommand(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want Server
		err  bool
	}{
		{"codegraph serve --mcp", Server{"codegraph", []string{"serve", "--mcp"}}, false},
		{`"/opt/my tools/codegraph" serve --db 'a b'`, Server{"/opt/my tools/codegraph", []string{"serve", "--db", "a b"}}, false},
		{`npx -y codegraph\ x`, Server{"npx", []string{"-y", "codegraph x"}}, false},
		{"", Server{}, true},
		{"'unterminated", Server{}, true},
	}
	for _, tc := range cases {
		got, err := ParseServerCommand(tc.in)
		if (err != nil) != tc.err || tc.err == false && (got.Command != tc.want.Command || strings.Join(got.Args, "|") != strings.Join(tc.want.Args, "|")) {
			t.Errorf("%q: got %+v %v", tc.in, got, err)
		}
	}
}

// BenchmarkInstallFourTargets: plan + apply into claude, cursor, codex and
// opencode in a fresh temp HOME per iteration.
func BenchmarkInstallFourTargets(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		env := testEnv(b)
		writeFile(b, filepath.Join(env.Home, ".claude.json"), bigClaudeJSON)
		writeFile(b, filepath.Join(env.Home, ".codex", "config.toml"), codexTOML)
		b.StartTimer()
		p, err := PlanInstall(env, InstallOptions{Targets: []string{"claude", "cursor", "codex", "opencode"}, Scope: ScopeGlobal})
		if err != nil {
			b.Fatal(err)
		}
		res, err := Apply(context.Background(), env, p)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if !r.OK() {
				b.Fatal(r.Err)
			}
		}
	}
}

// TestReadEntryEveryTarget: what install writes, ReadEntry reads back as
// the agent would, for every target and scope; after uninstall it is gone.
func TestReadEntryEveryTarget(t *testing.T) {
	t.Parallel()
	for _, tg := range Targets() {
		for _, sc := range tg.Scopes() {
			t.Run(tg.ID+"-"+string(sc), func(t *testing.T) {
				t.Parallel()
				env := testEnv(t)
				switch tg.onlyOS {
				case "darwin": // same separators: runs here as on a Mac
					env.GOOS = "darwin"
				case "windows": // TestOSOnlyTargets covers it
					t.Skip("runs on Windows only")
				}
				path, err := tg.ConfigPath(env, sc)
				if err != nil {
					t.Fatal(err)
				}
				if tg.agentCreates && tg.Format(path) == FormatYAML {
					writeFile(t, path, "name: c\nversion: 1.0.0\nschema: v1\n")
				}
				install(t, env, sc, tg.ID)
				e, err := tg.ReadEntry(path)
				if err != nil || e == nil {
					t.Fatalf("ReadEntry = %v, %v", e, err)
				}
				want := DefaultServer()
				if tg.GUI {
					want.Command = "/usr/local/bin/codegraph"
				}
				if e.Command != want.Command || strings.Join(e.Args, " ") != strings.Join(want.Args, " ") || e.Disabled {
					t.Errorf("entry = %+v, want %s", e, want)
				}
				uninstall(t, env, sc)
				if e, err := tg.ReadEntry(path); err != nil || e != nil {
					t.Errorf("after uninstall: %+v, %v", e, err)
				}
			})
		}
	}
}

func TestEntryFromSpellings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   map[string]any
		want Entry
	}{
		{map[string]any{"type": "local", "command": []any{"/x/codegraph", "serve", "--mcp"}, "environment": map[string]any{"A": "1"}, "enabled": false},
			Entry{Command: "/x/codegraph", Args: []string{"serve", "--mcp"}, Env: map[string]string{"A": "1"}, Disabled: true}},
		{map[string]any{"cmd": "codegraph", "args": []any{"serve"}, "envs": map[string]any{"B": 2}},
			Entry{Command: "codegraph", Args: []string{"serve"}, Env: map[string]string{"B": "2"}}},
		{map[string]any{"command": "c", "disabled": true},
			Entry{Command: "c", Env: map[string]string{}, Disabled: true}},
	}
	for _, tc := range cases {
		got := entryFrom(tc.in)
		if got.Command != tc.want.Command || strings.Join(got.Args, "|") != strings.Join(tc.want.Args, "|") ||
			got.Disabled != tc.want.Disabled || len(got.Env) != len(tc.want.Env) {
			t.Errorf("entryFrom(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
		for k, v := range tc.want.Env {
			if got.Env[k] != v {
				t.Errorf("env %s = %q, want %q", k, got.Env[k], v)
			}
		}
	}
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	cases := []struct {
		r    Result
		want string
	}{
		{Result{Action: ActionCreate, Op: OpInstall}, "created"},
		{Result{Action: ActionModify, Op: OpInstall}, "updated"},
		{Result{Action: ActionUnchanged, Op: OpInstall}, "up to date"},
		{Result{Action: ActionModify, Op: OpUninstall}, "removed"},
		{Result{Action: ActionModify, Op: OpUninstall, Restored: true}, "restored"},
		{Result{Action: ActionDelete, Op: OpUninstall}, "removed"},
		{Result{Action: ActionUnchanged, Op: OpUninstall}, "already gone"},
		{Result{Action: ActionModify, Op: OpInstall, Err: errors.New("x")}, "failed"},
	}
	for _, tc := range cases {
		if got := tc.r.Outcome(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.r, got, tc.want)
		}
	}
}

// TestOversizedConfigRefusedUnread: a config over MaxConfigSize is refused
// by install; one over it by more than our entry's room (a file an install
// grew past the cap must still be checked and undone) by ReadEntry too,
// from its size alone (sparse files: nothing is read).
func TestOversizedConfigRefusedUnread(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	path := filepath.Join(env.Home, ".claude.json")
	sized := func(n int64) {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(n); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	sized(MaxConfigSize + 1)
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"claude"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Changes[0]; c.Action != ActionError || !strings.Contains(c.Message, "64 MiB") {
		t.Fatalf("got %s %q", c.Action, c.Message)
	}
	sized(MaxConfigSize + entrySlack + 1)
	tg, _ := TargetByID("claude")
	if _, err := tg.ReadEntry(path); err == nil || !strings.Contains(err.Error(), "64 MiB") {
		t.Fatalf("ReadEntry: %v", err)
	}
}

// TestEditJustUnderTheCap: a config just under MaxConfigSize is installed
// into, and the file, now over the cap by our entry, is read back, checked
// and uninstalled to the byte (it once was written, then refused as too
// large by the install's own check).
func TestEditJustUnderTheCap(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	path := filepath.Join(env.Home, ".cursor", "mcp.json")
	doc := []byte(`{"mcpServers": {}, "a": "` + strings.Repeat("x", MaxConfigSize-32) + `"}`)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := InstallOptions{Targets: []string{"cursor"}, Scope: ScopeGlobal}
	p, err := PlanInstall(env, opts)
	if err != nil {
		t.Fatal(err)
	}
	results, err := Apply(context.Background(), env, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("install: %v", r.Err)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() <= MaxConfigSize {
		t.Fatalf("the entry was not added past the cap (%v)", err)
	}
	tg, _ := TargetByID("cursor")
	if e, err := tg.ReadEntry(path); err != nil || e == nil {
		t.Fatalf("ReadEntry: %v %v", e, err)
	}
	up, err := PlanUninstall(env, UninstallOptions{Targets: []string{"cursor"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	results, err = Apply(context.Background(), env, up)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("uninstall: %v", r.Err)
		}
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, doc) {
		t.Errorf("not restored to the byte (%v)", err)
	}
}

func TestLocalScopeInHomeRefused(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	env.ProjectDir = env.Home
	var lh *LocalInHomeError
	if _, err := PlanInstall(env, InstallOptions{Targets: []string{"cursor"}, Scope: ScopeLocal}); !errors.As(err, &lh) {
		t.Errorf("install: err = %v, want LocalInHomeError", err)
	}
	if _, err := PlanUninstall(env, UninstallOptions{Scope: ScopeLocal}); !errors.As(err, &lh) {
		t.Errorf("uninstall: err = %v, want LocalInHomeError", err)
	}
	if entries, _ := os.ReadDir(env.Home); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
	// A symlink to the home directory is the home directory.
	link := filepath.Join(t.TempDir(), "me")
	if err := os.Symlink(env.Home, link); err != nil {
		t.Fatal(err)
	}
	env.ProjectDir = link
	if !ProjectIsHome(env) {
		t.Error("symlink to home not recognised")
	}
	env.ProjectDir = filepath.Join(env.Home, "src")
	if ProjectIsHome(env) {
		t.Error("a directory below home taken for home")
	}
}

// TestCommentOnlyServersObject: `"servers": { // add servers here }` failed
// with "internal error: edit would not be exactly reversible" in the JSONC
// targets; it now edits like any other object and reverts byte for byte.
func TestCommentOnlyServersObject(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		target, rel, key string
		scope            Scope
	}{
		{"vscode", ".vscode/mcp.json", "servers", ScopeLocal},
		{"opencode", ".config/opencode/opencode.jsonc", "mcp", ScopeGlobal},
		{"zed", ".config/zed/settings.json", "context_servers", ScopeGlobal},
		{"claude", ".claude.json", "mcpServers", ScopeGlobal},
	} {
		env := testEnv(t)
		base := env.Home
		if tc.scope == ScopeLocal {
			base = env.ProjectDir
		}
		path := filepath.Join(base, tc.rel)
		orig := "{\n  \"" + tc.key + "\": {\n    // add servers here\n  }\n}\n"
		writeFile(t, path, orig)
		install(t, env, tc.scope, tc.target)
		tg, _ := TargetByID(tc.target)
		if e, err := tg.ReadEntry(path); err != nil || e == nil {
			t.Fatalf("%s: entry %v, %v", tc.target, e, err)
		}
		uninstall(t, env, tc.scope)
		if b, _ := os.ReadFile(path); string(b) != orig {
			t.Errorf("%s: not restored:\n%s", tc.target, b)
		}
	}
}

// TestUninstallKeepsIdenticalUserEntry: an entry the user wrote that says
// exactly what we would write stays after uninstall, and uninstall is OK.
func TestUninstallKeepsIdenticalUserEntry(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	path := filepath.Join(env.ProjectDir, ".mcp.json")
	orig := "{\"mcpServers\": {\"codegraph\": {\"type\": \"stdio\", \"command\": \"codegraph\", \"args\": [\"serve\", \"--mcp\"]}}}\n"
	writeFile(t, path, orig)
	install(t, env, ScopeLocal, "claude")
	uninstall(t, env, ScopeLocal)
	if b, _ := os.ReadFile(path); string(b) != orig {
		t.Fatalf("got %q", b)
	}
}
