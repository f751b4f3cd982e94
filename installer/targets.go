package installer

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/getcodegraph/codegraph-install/installer/jsonc"
	"github.com/getcodegraph/codegraph-install/installer/tomlcfg"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Scope says where a server is registered: for one project or for the user.
type Scope = schema.Scope

// The two scopes: one project (local) or the user (global); the README's
// "Where the installer writes" table gives each target's file per scope.
// They are the wire format's values, defined once in telemetry/schema.
const (
	ScopeLocal  = schema.ScopeLocal
	ScopeGlobal = schema.ScopeGlobal
)

// Format is a config file's syntax.
type Format string

// Formats we edit.
const (
	FormatJSON  Format = "json"  // parsed as JSONC anyway: .json files often hold comments
	FormatJSONC Format = "jsonc" // comments and trailing commas
	FormatTOML  Format = "toml"
)

// ServerName is the key our entry has in every agent's server map.
const ServerName = "codegraph"

// ErrScopeUnsupported is returned for a scope an agent has no config file for.
var ErrScopeUnsupported = errors.New("scope not supported by this agent")

// Server is the command an agent runs to start codegraph's MCP server.
type Server struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
}

// DefaultServer is `codegraph serve --mcp`.
func DefaultServer() Server { return Server{Command: "codegraph", Args: []string{"serve", "--mcp"}} }

// String renders the server as a shell-like command line.
func (s Server) String() string {
	parts := []string{shellQuote(s.Command)}
	for _, a := range s.Args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

// Target is one agent we can register with.
type Target struct {
	ID     string // stable id used in flags, manifest and telemetry
	Name   string // human name
	DocURL string // where its MCP config format is documented
	// binaries are looked up on PATH to detect the agent.
	binaries []string
	// marks returns the files or directories whose existence shows the
	// agent is used.
	marks func(env Env) []string
	// path returns the config file for a scope, or ErrScopeUnsupported.
	path func(env Env, scope Scope) (string, error)
	// format of the file at path.
	format func(path string) Format
	// jsonPath is where the entry goes in JSON targets.
	jsonPath []string
	// fields builds the entry for a server.
	fields func(s Server) []jsonc.Field
}

// IsTOML reports whether the target's config is TOML (Codex).
func (t Target) IsTOML() bool { return t.jsonPath == nil }

// ConfigPath returns the config file the target reads for scope on env.GOOS.
// For opencode it looks at which of opencode.jsonc / opencode.json exists.
func (t Target) ConfigPath(env Env, scope Scope) (string, error) {
	if scope != ScopeLocal && scope != ScopeGlobal {
		return "", fmt.Errorf("unknown scope %q (want local or global)", scope)
	}
	if scope == ScopeLocal && env.ProjectDir == "" {
		return "", errors.New("local scope needs a project directory")
	}
	return t.path(env, scope)
}

// Format returns the syntax of the target's file at path.
func (t Target) Format(path string) Format { return t.format(path) }

// Detect reports whether the agent looks installed: its binary is on PATH
// or one of its config files or directories exists.
func (t Target) Detect(env Env) bool {
	if env.LookPath != nil {
		for _, b := range t.binaries {
			if _, err := env.LookPath(b); err == nil {
				return true
			}
		}
	}
	for _, m := range t.marks(env) {
		if _, err := os.Stat(m); err == nil {
			return true
		}
	}
	return false
}

func jsonFormat(string) Format { return FormatJSON }

func byExt(path string) Format {
	switch {
	case strings.HasSuffix(path, ".jsonc"):
		return FormatJSONC
	case strings.HasSuffix(path, ".toml"):
		return FormatTOML
	}
	return FormatJSON
}

func stdioFields(withType bool) func(Server) []jsonc.Field {
	return func(s Server) []jsonc.Field {
		args := append([]string{}, s.Args...)
		f := []jsonc.Field{{Key: "command", Value: s.Command}, {Key: "args", Value: args}}
		if withType {
			f = append([]jsonc.Field{{Key: "type", Value: "stdio"}}, f...)
		}
		return f
	}
}

// tomlKVs is the Codex entry.
func tomlKVs(s Server) []tomlcfg.KV {
	return []tomlcfg.KV{{Key: "command", Value: s.Command}, {Key: "args", Value: append([]string{}, s.Args...)}}
}

func globalOnly(f func(env Env) string) func(env Env, scope Scope) (string, error) {
	return func(env Env, scope Scope) (string, error) {
		if scope == ScopeLocal {
			return "", ErrScopeUnsupported
		}
		return f(env), nil
	}
}

func xdgConfigHome(env Env) string {
	if v := env.getenv("XDG_CONFIG_HOME"); v != "" {
		return v
	}
	return env.join(env.Home, ".config")
}

func codexHome(env Env) string {
	if v := env.getenv("CODEX_HOME"); v != "" {
		return v
	}
	return env.join(env.Home, ".codex")
}

// vscodeUserDir is VS Code's user settings folder (where its user-level
// mcp.json lives) on each OS.
func vscodeUserDir(env Env) string {
	switch env.GOOS {
	case "windows":
		appData := env.getenv("APPDATA")
		if appData == "" {
			appData = env.join(env.Home, "AppData", "Roaming")
		}
		return env.join(appData, "Code", "User")
	case "darwin":
		return env.join(env.Home, "Library", "Application Support", "Code", "User")
	}
	return env.join(xdgConfigHome(env), "Code", "User")
}

// opencodeFile picks opencode.jsonc when it exists, else opencode.json.
func opencodeFile(env Env, dir string) string {
	jsoncPath := env.join(dir, "opencode.jsonc")
	if _, err := os.Lstat(jsoncPath); err == nil {
		return jsoncPath
	}
	return env.join(dir, "opencode.json")
}

var registry = []Target{
	{
		// https://code.claude.com/docs/en/mcp (scopes: "user" = top-level
		// mcpServers of ~/.claude.json; "project" = .mcp.json at the project
		// root). The per-project "local" scope under projects[…] is never used.
		ID: "claude", Name: "Claude Code", DocURL: "https://code.claude.com/docs/en/mcp",
		binaries: []string{"claude"},
		// Claude Code keeps its settings in ~/.claude/ and its app state,
		// MCP servers included, in ~/.claude.json: either shows it is used.
		marks: func(env Env) []string {
			return []string{env.join(env.Home, ".claude"), env.join(env.Home, ".claude.json")}
		},
		path: func(env Env, scope Scope) (string, error) {
			if scope == ScopeGlobal {
				return env.join(env.Home, ".claude.json"), nil
			}
			return env.join(env.ProjectDir, ".mcp.json"), nil
		},
		format: jsonFormat, jsonPath: []string{"mcpServers", ServerName}, fields: stdioFields(true),
	},
	{
		// https://cursor.com/docs/mcp ("~/.cursor/mcp.json" global,
		// ".cursor/mcp.json" in the project; key mcpServers).
		ID: "cursor", Name: "Cursor", DocURL: "https://cursor.com/docs/mcp",
		binaries: []string{"cursor", "cursor-agent"},
		marks:    func(env Env) []string { return []string{env.join(env.Home, ".cursor")} },
		path: func(env Env, scope Scope) (string, error) {
			if scope == ScopeGlobal {
				return env.join(env.Home, ".cursor", "mcp.json"), nil
			}
			return env.join(env.ProjectDir, ".cursor", "mcp.json"), nil
		},
		format: jsonFormat, jsonPath: []string{"mcpServers", ServerName}, fields: stdioFields(false),
	},
	{
		// https://developers.openai.com/codex/mcp/ ([mcp_servers.<name>] in
		// ~/.codex/config.toml, $CODEX_HOME when set; .codex/config.toml in a
		// trusted project).
		ID: "codex", Name: "Codex CLI", DocURL: "https://developers.openai.com/codex/mcp/",
		binaries: []string{"codex"},
		marks:    func(env Env) []string { return []string{codexHome(env)} },
		path: func(env Env, scope Scope) (string, error) {
			if scope == ScopeGlobal {
				return env.join(codexHome(env), "config.toml"), nil
			}
			return env.join(env.ProjectDir, ".codex", "config.toml"), nil
		},
		format: byExt,
	},
	{
		// https://opencode.ai/docs/mcp-servers/ and https://opencode.ai/docs/config/
		// (mcp.<name> = {type: "local", command: [...], enabled}; global
		// ~/.config/opencode/, project root opencode.json; JSON or JSONC).
		ID: "opencode", Name: "opencode", DocURL: "https://opencode.ai/docs/mcp-servers/",
		binaries: []string{"opencode"},
		marks:    func(env Env) []string { return []string{env.join(xdgConfigHome(env), "opencode")} },
		path: func(env Env, scope Scope) (string, error) {
			if scope == ScopeGlobal {
				return opencodeFile(env, env.join(xdgConfigHome(env), "opencode")), nil
			}
			return opencodeFile(env, env.ProjectDir), nil
		},
		format: byExt, jsonPath: []string{"mcp", ServerName},
		fields: func(s Server) []jsonc.Field {
			return []jsonc.Field{
				{Key: "type", Value: "local"},
				{Key: "command", Value: append([]string{s.Command}, s.Args...)},
				{Key: "enabled", Value: true},
			}
		},
	},
	{
		// https://code.visualstudio.com/docs/copilot/customization/mcp-servers
		// (.vscode/mcp.json in the workspace, mcp.json in the user profile
		// folder; key "servers", entries {type: "stdio", command, args}).
		ID: "vscode", Name: "VS Code (Copilot)", DocURL: "https://code.visualstudio.com/docs/copilot/customization/mcp-servers",
		binaries: []string{"code"},
		marks:    func(env Env) []string { return []string{vscodeUserDir(env)} },
		path: func(env Env, scope Scope) (string, error) {
			if scope == ScopeGlobal {
				return env.join(vscodeUserDir(env), "mcp.json"), nil
			}
			return env.join(env.ProjectDir, ".vscode", "mcp.json"), nil
		},
		format: func(string) Format { return FormatJSONC }, jsonPath: []string{"servers", ServerName}, fields: stdioFields(true),
	},
	{
		// https://geminicli.com/docs/tools/mcp-server/ (mcpServers in
		// ~/.gemini/settings.json or .gemini/settings.json in the project).
		ID: "gemini", Name: "Gemini CLI", DocURL: "https://geminicli.com/docs/tools/mcp-server/",
		binaries: []string{"gemini"},
		marks:    func(env Env) []string { return []string{env.join(env.Home, ".gemini")} },
		path: func(env Env, scope Scope) (string, error) {
			if scope == ScopeGlobal {
				return env.join(env.Home, ".gemini", "settings.json"), nil
			}
			return env.join(env.ProjectDir, ".gemini", "settings.json"), nil
		},
		format: jsonFormat, jsonPath: []string{"mcpServers", ServerName}, fields: stdioFields(false),
	},
	{
		// https://docs.windsurf.com/windsurf/cascade/mcp (only a user-level
		// ~/.codeium/windsurf/mcp_config.json; no project file).
		ID: "windsurf", Name: "Windsurf", DocURL: "https://docs.windsurf.com/windsurf/cascade/mcp",
		binaries: []string{"windsurf"},
		marks:    func(env Env) []string { return []string{env.join(env.Home, ".codeium", "windsurf")} },
		path: globalOnly(func(env Env) string {
			return env.join(env.Home, ".codeium", "windsurf", "mcp_config.json")
		}),
		format: jsonFormat, jsonPath: []string{"mcpServers", ServerName}, fields: stdioFields(false),
	},
}

// Targets returns every known target, the four main ones first.
func Targets() []Target { return append([]Target(nil), registry...) }

// TargetIDs returns the id of every target, in registry order.
func TargetIDs() []string {
	out := make([]string, len(registry))
	for i, t := range registry {
		out[i] = t.ID
	}
	return out
}

// TargetByID finds a target by its id.
func TargetByID(id string) (Target, bool) {
	for _, t := range registry {
		if t.ID == id {
			return t, true
		}
	}
	return Target{}, false
}

// Detected returns the ids of the targets that look installed, in registry
// order: the form pre-selects them.
func Detected(env Env) []string {
	var ids []string
	for _, t := range registry {
		if t.Detect(env) {
			ids = append(ids, t.ID)
		}
	}
	return ids
}
