package installer

import (
	"errors"
	"fmt"
	"os"
	"strings"

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
	FormatYAML  Format = "yaml"
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
	parts := []string{ShellQuote(s.Command)}
	for _, a := range s.Args {
		parts = append(parts, ShellQuote(a))
	}
	return strings.Join(parts, " ")
}

// Target is one agent we can register with. The registry below is a table:
// where the formats repeat (most agents take {"command", "args"} under
// "mcpServers"), only the paths differ from one row to the next.
type Target struct {
	ID     string // stable id used in flags, manifest and telemetry
	Name   string // human name
	DocURL string // where its MCP config format is documented
	// GUI marks a desktop app, or an editor extension running inside one:
	// started from a dock, a menu or a launcher, it does not get the PATH
	// a login shell sets up, so it is always given the binary's absolute
	// path (see Resolve).
	GUI bool
	// LiveWriter marks a global config file that the agent itself rewrites
	// while it runs (Claude Code keeps its app state in ~/.claude.json):
	// after our write the file is watched for a rewrite that lost our
	// change, if a process of the agent may be running (agentMayRun).
	// Other files are watched only when a change by someone else was seen
	// while we wrote them, so a quiet install costs no waiting.
	LiveWriter bool
	// binaries are looked up on PATH to detect the agent, and are the
	// names its running processes are recognised by (agentMayRun).
	binaries []string
	// marks returns the files or directories whose existence shows the
	// agent is used.
	marks func(env Env) []string
	// global and local return the config file of each scope; nil when the
	// agent has none for that scope.
	global, local func(env Env) string
	// format of the file at a path.
	format func(path string) Format
	// servers is the top-level key holding the server entries; ours is
	// servers.codegraph (a TOML table [servers.codegraph] for Codex).
	servers string
	// list: in YAML the servers are a list of entries named by their
	// "name" key (Continue), not a mapping.
	list bool
	// shape is how the agent spells one entry.
	shape shape
	// agentCreates: the agent writes its YAML config itself on first start
	// (with fields it requires), so we edit it but never create it.
	agentCreates bool
	// onlyOS names the one OS the agent runs on ("windows" for Visual
	// Studio, "darwin" for Mac-only apps); "" means every OS. Elsewhere it
	// has no config file: ConfigPath returns ErrNotOnThisOS for both scopes
	// and Detect reports false.
	onlyOS string
}

// ErrNotOnThisOS is returned (wrapped, with the OS it runs on) for an agent
// that does not exist on env.GOOS, such as Visual Studio on Linux.
var ErrNotOnThisOS = errors.New("agent does not run on this OS")

// OnlyOn is the one OS the agent runs on, as people name it ("Windows"),
// "" when it runs on every OS.
func (t Target) OnlyOn() string {
	if t.onlyOS == "" {
		return ""
	}
	return osName(t.onlyOS)
}

// osNames are how onlyOS values are named to people.
var osNames = map[string]string{"windows": "Windows", "darwin": "macOS", "linux": "Linux"}

func osName(goos string) string {
	if n, ok := osNames[goos]; ok {
		return n
	}
	return goos
}

// Scopes lists the scopes the agent has a config file for.
func (t Target) Scopes() []Scope {
	var out []Scope
	if t.global != nil {
		out = append(out, ScopeGlobal)
	}
	if t.local != nil {
		out = append(out, ScopeLocal)
	}
	return out
}

// ConfigPath returns the config file the target reads for scope on env.GOOS.
// For opencode it looks at which of opencode.jsonc / opencode.json exists.
func (t Target) ConfigPath(env Env, scope Scope) (string, error) {
	if scope != ScopeLocal && scope != ScopeGlobal {
		return "", fmt.Errorf("unknown scope %q (want local or global)", scope)
	}
	if t.onlyOS != "" && env.GOOS != t.onlyOS {
		return "", &messageError{err: ErrNotOnThisOS, msg: fmt.Sprintf("%s runs on %s only: it has no MCP config file on %s; nothing was changed for it.",
			t.Name, osName(t.onlyOS), osName(env.GOOS))}
	}
	if scope == ScopeGlobal {
		if t.global == nil {
			return "", ErrScopeUnsupported
		}
		return t.global(env), nil
	}
	if t.local == nil {
		return "", ErrScopeUnsupported
	}
	if env.ProjectDir == "" {
		return "", errors.New("local scope needs a project directory")
	}
	return t.local(env), nil
}

// Format returns the syntax of the target's file at path.
func (t Target) Format(path string) Format { return t.format(path) }

// Detect reports whether the agent looks installed: its binary is on PATH
// or one of its config files or directories exists.
func (t Target) Detect(env Env) bool {
	if t.onlyOS != "" && env.GOOS != t.onlyOS {
		return false
	}
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

// shape is how an agent spells one server entry.
type shape int

const (
	shapeStdio      shape = iota // {"command": …, "args": […]}
	shapeTypedStdio              // {"type": "stdio", "command": …, "args": […]}
	shapeOpencode                // {"type": "local", "command": [cmd, args…], "enabled": true}
	shapeZed                     // {"source": "custom", "command": …, "args": […]}
	shapeCopilot                 // {"type": "local", "command": …, "args": […], "tools": ["*"]}
	shapeGoose                   // type, name, enabled, cmd, args, envs, env_keys, timeout
)

// field is one key of an entry, in the order written. Value is a string, a
// bool, an int, a []string or an empty map[string]string.
type field struct {
	Key   string
	Value any
}

func (s shape) fields(srv Server) []field {
	args := append([]string{}, srv.Args...)
	switch s {
	case shapeTypedStdio:
		return []field{{"type", "stdio"}, {"command", srv.Command}, {"args", args}}
	case shapeOpencode:
		return []field{{"type", "local"}, {"command", append([]string{srv.Command}, args...)}, {"enabled", true}}
	case shapeZed:
		// "source": "custom" is what Zed versions before its untagged
		// settings enum require; later ones ignore it.
		return []field{{"source", "custom"}, {"command", srv.Command}, {"args", args}}
	case shapeCopilot:
		return []field{{"type", "local"}, {"command", srv.Command}, {"args", args}, {"tools", []string{"*"}}}
	case shapeGoose:
		return []field{{"type", "stdio"}, {"name", ServerName}, {"enabled", true}, {"cmd", srv.Command},
			{"args", args}, {"envs", map[string]string{}}, {"env_keys", []string{}}, {"timeout", 300}}
	}
	return []field{{"command", srv.Command}, {"args", args}}
}

func jsonFormat(string) Format  { return FormatJSON }
func jsoncFormat(string) Format { return FormatJSONC }

func byExt(path string) Format {
	switch {
	case strings.HasSuffix(path, ".jsonc"):
		return FormatJSONC
	case strings.HasSuffix(path, ".toml"):
		return FormatTOML
	case strings.HasSuffix(path, ".yaml"), strings.HasSuffix(path, ".yml"):
		return FormatYAML
	}
	return FormatJSON
}

// inHome is a file below the home directory, the same on every OS.
func inHome(parts ...string) func(env Env) string {
	return func(env Env) string { return env.join(append([]string{env.Home}, parts...)...) }
}

// inProject is a file below the project directory.
func inProject(parts ...string) func(env Env) string {
	return func(env Env) string { return env.join(append([]string{env.ProjectDir}, parts...)...) }
}

// byOS picks a path function per OS; linux is also the default.
func byOS(linux, darwin, windows func(env Env) string) func(env Env) string {
	return func(env Env) string {
		switch env.GOOS {
		case "darwin":
			return darwin(env)
		case "windows":
			return windows(env)
		}
		return linux(env)
	}
}

// envOr is $name/parts… when the variable is set, else fallback.
func envOr(name string, fallback func(env Env) string, parts ...string) func(env Env) string {
	return func(env Env) string {
		if v := env.getenv(name); v != "" {
			return env.join(append([]string{v}, parts...)...)
		}
		return fallback(env)
	}
}

func xdgConfigHome(env Env) string {
	if v := env.getenv("XDG_CONFIG_HOME"); v != "" {
		return v
	}
	return env.join(env.Home, ".config")
}

// inXDGConfig is a file below $XDG_CONFIG_HOME (default ~/.config).
func inXDGConfig(parts ...string) func(env Env) string {
	return func(env Env) string { return env.join(append([]string{xdgConfigHome(env)}, parts...)...) }
}

func appData(env Env) string {
	if v := env.getenv("APPDATA"); v != "" {
		return v
	}
	return env.join(env.Home, "AppData", "Roaming")
}

// inAppData is a file below %APPDATA% (Windows' roaming app settings).
func inAppData(parts ...string) func(env Env) string {
	return func(env Env) string { return env.join(append([]string{appData(env)}, parts...)...) }
}

// inAppSupport is a desktop app's settings folder: ~/Library/Application
// Support on macOS, %APPDATA% on Windows, $XDG_CONFIG_HOME on Linux.
func inAppSupport(parts ...string) func(env Env) string {
	return byOS(inXDGConfig(parts...), inHome(append([]string{"Library", "Application Support"}, parts...)...), inAppData(parts...))
}

// vscodeUserDir is VS Code's user settings folder (where its user-level
// mcp.json lives, and globalStorage/ for its extensions) on each OS.
func vscodeUserDir(env Env) string { return inAppSupport("Code", "User")(env) }

// inVSCodeExtension is a file an extension keeps in VS Code's globalStorage.
func inVSCodeExtension(ext string, parts ...string) func(env Env) string {
	return func(env Env) string {
		return env.join(append([]string{vscodeUserDir(env), "globalStorage", ext}, parts...)...)
	}
}

func localAppData(env Env) string {
	if v := env.getenv("LOCALAPPDATA"); v != "" {
		return v
	}
	return env.join(env.Home, "AppData", "Local")
}

// inLocalAppData is a file below %LOCALAPPDATA% (Windows' per-machine app
// settings).
func inLocalAppData(parts ...string) func(env Env) string {
	return func(env Env) string { return env.join(append([]string{localAppData(env)}, parts...)...) }
}

// firstExisting is the first of paths that exists, else the first one:
// for agents that read one of several names, the file the user already
// has is the one edited, and a new file gets the documented name.
func firstExisting(paths ...func(env Env) string) func(env Env) string {
	return func(env Env) string {
		for _, p := range paths {
			if _, err := os.Lstat(p(env)); err == nil {
				return p(env)
			}
		}
		return paths[0](env)
	}
}

// claudeJSON is Claude Code's app state file (its user-scope MCP servers).
func claudeJSON(env Env) string {
	return envOr("CLAUDE_CONFIG_DIR", inHome(".claude.json"), ".claude.json")(env)
}

// antigravityConfig is the mcp_config.json the installed Antigravity reads
// (see its row).
func antigravityConfig(env Env) string {
	v2, v1 := inHome(".gemini", "config", "mcp_config.json")(env), inHome(".gemini", "antigravity", "mcp_config.json")(env)
	if _, err := os.Lstat(v2); err == nil {
		return v2
	}
	if _, err := os.Lstat(v1); err == nil {
		return v1
	}
	_, errV2 := os.Stat(inHome(".gemini", "config")(env))
	if _, err := os.Stat(inHome(".gemini", "antigravity")(env)); err == nil && errV2 != nil {
		return v1
	}
	return v2
}

func codexHome(env Env) string { return envOr("CODEX_HOME", inHome(".codex"))(env) }

// opencodeFile picks opencode.jsonc when it exists, else opencode.json.
func opencodeFile(dir func(env Env) string) func(env Env) string {
	return func(env Env) string {
		jsoncPath := env.join(dir(env), "opencode.jsonc")
		if _, err := os.Lstat(jsoncPath); err == nil {
			return jsoncPath
		}
		return env.join(dir(env), "opencode.json")
	}
}

func marks(fs ...func(env Env) string) func(env Env) []string {
	return func(env Env) []string {
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = f(env)
		}
		return out
	}
}

// registry is every agent we register with. Each row cites the page that
// documents its file locations and entry format.
var registry = []Target{
	{
		// https://code.claude.com/docs/en/mcp (scopes: "user" = top-level
		// mcpServers of ~/.claude.json; "project" = .mcp.json at the project
		// root). The per-project "local" scope under projects[…] is never used.
		// Claude Code keeps its settings in ~/.claude/ and its app state,
		// MCP servers included, in ~/.claude.json: either shows it is used.
		// https://code.claude.com/docs/en/settings (environment variables):
		// CLAUDE_CONFIG_DIR relocates ~/.claude; Claude Code then keeps its
		// app state in $CLAUDE_CONFIG_DIR/.claude.json (not ~/.claude.json),
		// as its source reads it (join(CLAUDE_CONFIG_DIR || home,
		// ".claude.json")) and tools that manage its config agree.
		ID: "claude", Name: "Claude Code", DocURL: "https://code.claude.com/docs/en/mcp", LiveWriter: true,
		binaries: []string{"claude"},
		marks:    marks(envOr("CLAUDE_CONFIG_DIR", inHome(".claude")), claudeJSON),
		global:   claudeJSON, local: inProject(".mcp.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeTypedStdio,
	},
	{
		// https://cursor.com/docs/mcp ("~/.cursor/mcp.json" global,
		// ".cursor/mcp.json" in the project; key mcpServers).
		ID: "cursor", Name: "Cursor", DocURL: "https://cursor.com/docs/mcp", GUI: true,
		binaries: []string{"cursor", "cursor-agent"},
		marks:    marks(inHome(".cursor")),
		global:   inHome(".cursor", "mcp.json"), local: inProject(".cursor", "mcp.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://developers.openai.com/codex/mcp/ ([mcp_servers.<name>] in
		// ~/.codex/config.toml, $CODEX_HOME when set; .codex/config.toml in a
		// trusted project).
		ID: "codex", Name: "Codex CLI", DocURL: "https://developers.openai.com/codex/mcp/",
		binaries: []string{"codex"},
		marks:    marks(codexHome),
		global:   envOr("CODEX_HOME", inHome(".codex", "config.toml"), "config.toml"), local: inProject(".codex", "config.toml"),
		format: byExt, servers: "mcp_servers", shape: shapeStdio,
	},
	{
		// https://opencode.ai/docs/mcp-servers/ and https://opencode.ai/docs/config/
		// (mcp.<name> = {type: "local", command: [...], enabled}; global
		// ~/.config/opencode/, project root opencode.json; JSON or JSONC).
		ID: "opencode", Name: "opencode", DocURL: "https://opencode.ai/docs/mcp-servers/",
		binaries: []string{"opencode"},
		marks:    marks(inXDGConfig("opencode")),
		global:   opencodeFile(inXDGConfig("opencode")), local: opencodeFile(inProject()),
		format: byExt, servers: "mcp", shape: shapeOpencode,
	},
	{
		// https://code.visualstudio.com/docs/copilot/customization/mcp-servers
		// (.vscode/mcp.json in the workspace, mcp.json in the user profile
		// folder; key "servers", entries {type: "stdio", command, args}).
		ID: "vscode", Name: "VS Code (Copilot)", DocURL: "https://code.visualstudio.com/docs/copilot/customization/mcp-servers", GUI: true,
		binaries: []string{"code"},
		marks:    marks(vscodeUserDir),
		global:   inAppSupport("Code", "User", "mcp.json"), local: inProject(".vscode", "mcp.json"),
		format: jsoncFormat, servers: "servers", shape: shapeTypedStdio,
	},
	{
		// https://geminicli.com/docs/tools/mcp-server/ (mcpServers in
		// ~/.gemini/settings.json or .gemini/settings.json in the project).
		ID: "gemini", Name: "Gemini CLI", DocURL: "https://geminicli.com/docs/tools/mcp-server/",
		binaries: []string{"gemini"},
		marks:    marks(inHome(".gemini", "settings.json")),
		global:   inHome(".gemini", "settings.json"), local: inProject(".gemini", "settings.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://docs.windsurf.com/windsurf/cascade/mcp (only a user-level
		// ~/.codeium/windsurf/mcp_config.json; no project file).
		ID: "windsurf", Name: "Windsurf", DocURL: "https://docs.windsurf.com/windsurf/cascade/mcp", GUI: true,
		binaries: []string{"windsurf"},
		marks:    marks(inHome(".codeium", "windsurf")),
		global:   inHome(".codeium", "windsurf", "mcp_config.json"),
		format:   jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://modelcontextprotocol.io/docs/develop/connect-local-servers
		// (claude_desktop_config.json in ~/Library/Application Support/Claude
		// on macOS, %APPDATA%\Claude on Windows; Linux builds use
		// ~/.config/Claude). mcpServers, {command, args}; user level only.
		ID: "claude-desktop", Name: "Claude Desktop", DocURL: "https://modelcontextprotocol.io/docs/develop/connect-local-servers", GUI: true,
		marks:  marks(inAppSupport("Claude")),
		global: inAppSupport("Claude", "claude_desktop_config.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://zed.dev/docs/ai/mcp and https://zed.dev/docs/configuring-zed
		// (context_servers.<name> = {command, args, env} in settings.json:
		// ~/.config/zed/ on macOS and Linux, $XDG_CONFIG_HOME/zed when set,
		// %APPDATA%\Zed on Windows; .zed/settings.json in a project). Zed's
		// settings files take comments.
		ID: "zed", Name: "Zed", DocURL: "https://zed.dev/docs/ai/mcp", GUI: true,
		binaries: []string{"zed", "zeditor"},
		marks:    marks(byOS(inXDGConfig("zed"), inHome(".config", "zed"), inAppData("Zed"))),
		global:   byOS(inXDGConfig("zed", "settings.json"), inHome(".config", "zed", "settings.json"), inAppData("Zed", "settings.json")),
		local:    inProject(".zed", "settings.json"),
		format:   jsoncFormat, servers: "context_servers", shape: shapeZed,
	},
	{
		// https://block.github.io/goose/docs/guides/config-files (config.yaml
		// in ~/.config/goose on macOS and Linux, %APPDATA%\Block\goose\config
		// on Windows; stdio extensions under `extensions` with type, name,
		// enabled, cmd, args, envs, env_keys, timeout). The desktop app
		// reads the same file, so it counts as a GUI app.
		ID: "goose", Name: "goose", DocURL: "https://block.github.io/goose/docs/guides/config-files", GUI: true,
		binaries: []string{"goose"},
		marks:    marks(byOS(inXDGConfig("goose"), inHome(".config", "goose"), inAppData("Block", "goose"))),
		global:   byOS(inXDGConfig("goose", "config.yaml"), inHome(".config", "goose", "config.yaml"), inAppData("Block", "goose", "config", "config.yaml")),
		format:   byExt, servers: "extensions", shape: shapeGoose,
	},
	{
		// https://docs.cline.bot/mcp/configuring-mcp-servers
		// (cline_mcp_settings.json in the extension's VS Code globalStorage,
		// saoudrizwan.claude-dev/settings/; mcpServers, {command, args}).
		ID: "cline", Name: "Cline", DocURL: "https://docs.cline.bot/mcp/configuring-mcp-servers", GUI: true,
		marks:  marks(inVSCodeExtension("saoudrizwan.claude-dev")),
		global: inVSCodeExtension("saoudrizwan.claude-dev", "settings", "cline_mcp_settings.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://docs.github.com/en/copilot/how-tos/copilot-cli/customize-copilot/add-mcp-servers
		// (~/.copilot/mcp-config.json, $COPILOT_HOME when set; per-repository
		// .github/mcp.json; mcpServers, {type: "local", command, args, tools}).
		ID: "copilot", Name: "GitHub Copilot CLI", DocURL: "https://docs.github.com/en/copilot/how-tos/copilot-cli/customize-copilot/add-mcp-servers",
		binaries: []string{"copilot"},
		marks:    marks(envOr("COPILOT_HOME", inHome(".copilot"))),
		global:   envOr("COPILOT_HOME", inHome(".copilot", "mcp-config.json"), "mcp-config.json"),
		local:    inProject(".github", "mcp.json"),
		format:   jsonFormat, servers: "mcpServers", shape: shapeCopilot,
	},
	{
		// https://antigravity.google/docs/mcp (Manage MCP Servers → View raw
		// config; mcpServers, {command, args}; user level only). Sources
		// disagree on the file: Antigravity 1.x reads
		// ~/.gemini/antigravity/mcp_config.json; Antigravity 2.0 (IDE and the
		// agy CLI that replaced Gemini CLI) reads the shared
		// ~/.gemini/config/mcp_config.json (the agy migration guide at
		// https://antigravity.google/docs/cli/gcli-migration, and
		// jcodemunch-mcp v1.108.89's correction of the same mistake). So the
		// file that exists wins; with neither, the 1.x folder alone means
		// 1.x, and anything else gets the 2.0 file.
		ID: "antigravity", Name: "Antigravity", DocURL: "https://antigravity.google/docs/mcp", GUI: true,
		binaries: []string{"antigravity", "agy"},
		marks:    marks(inHome(".gemini", "config"), inHome(".gemini", "antigravity")),
		global:   antigravityConfig,
		format:   jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://kiro.dev/docs/mcp/configuration/ (~/.kiro/settings/mcp.json
		// for the user, .kiro/settings/mcp.json in the workspace; mcpServers).
		ID: "kiro", Name: "Kiro", DocURL: "https://kiro.dev/docs/mcp/configuration/", GUI: true,
		binaries: []string{"kiro"},
		marks:    marks(inHome(".kiro")),
		global:   inHome(".kiro", "settings", "mcp.json"), local: inProject(".kiro", "settings", "mcp.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://hermes-agent.nousresearch.com/docs/user-guide/features/mcp
		// (mcp_servers.<name> = {command, args, env} in ~/.hermes/config.yaml;
		// Hermes reads $HERMES_HOME instead of ~/.hermes when it is set).
		ID: "hermes", Name: "Hermes Agent", DocURL: "https://hermes-agent.nousresearch.com/docs/user-guide/features/mcp",
		binaries: []string{"hermes"},
		marks:    marks(envOr("HERMES_HOME", inHome(".hermes"))),
		global:   envOr("HERMES_HOME", inHome(".hermes", "config.yaml"), "config.yaml"),
		format:   byExt, servers: "mcp_servers", shape: shapeStdio,
	},
	{
		// https://docs.roocode.com/features/mcp/using-mcp-in-roo (global
		// mcp_settings.json in the extension's VS Code globalStorage,
		// rooveterinaryinc.roo-cline/settings/; .roo/mcp.json in a project;
		// mcpServers, {command, args}).
		ID: "roo", Name: "Roo Code", DocURL: "https://docs.roocode.com/features/mcp/using-mcp-in-roo", GUI: true,
		marks:  marks(inVSCodeExtension("rooveterinaryinc.roo-cline")),
		global: inVSCodeExtension("rooveterinaryinc.roo-cline", "settings", "mcp_settings.json"),
		local:  inProject(".roo", "mcp.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://docs.aws.amazon.com/amazonq/latest/qdeveloper-ug/command-line-mcp-configuration.html
		// (~/.aws/amazonq/mcp.json global, .amazonq/mcp.json in the
		// workspace; mcpServers, {command, args, env, timeout}).
		ID: "amazonq", Name: "Amazon Q Developer CLI", DocURL: "https://docs.aws.amazon.com/amazonq/latest/qdeveloper-ug/command-line-mcp-configuration.html",
		binaries: []string{"q"},
		marks:    marks(inHome(".aws", "amazonq")),
		global:   inHome(".aws", "amazonq", "mcp.json"), local: inProject(".amazonq", "mcp.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://docs.continue.dev/customize/deep-dives/mcp (mcpServers, a
		// list of {name, command, args}, in ~/.continue/config.yaml; in a
		// workspace, .continue/mcpServers/ takes files, JSON ones in the
		// mcpServers format Claude Desktop and Cursor use included).
		// Continue writes config.yaml itself, with the name and version it
		// requires, so a missing one is never created here.
		ID: "continue", Name: "Continue", DocURL: "https://docs.continue.dev/customize/deep-dives/mcp", GUI: true,
		marks:  marks(inHome(".continue")),
		global: inHome(".continue", "config.yaml"), local: inProject(".continue", "mcpServers", "codegraph.json"),
		format: byExt, servers: "mcpServers", list: true, shape: shapeStdio, agentCreates: true,
	},
	{
		// https://lmstudio.ai/docs/app/mcp (~/.lmstudio/mcp.json, the
		// mcpServers notation of Cursor; user level only).
		ID: "lmstudio", Name: "LM Studio", DocURL: "https://lmstudio.ai/docs/app/mcp", GUI: true,
		binaries: []string{"lms"},
		marks:    marks(inHome(".lmstudio")),
		global:   inHome(".lmstudio", "mcp.json"),
		format:   jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://docs.warp.dev/agent-platform/capabilities/mcp/ (file-based
		// servers: ~/.warp/.mcp.json for the user, .warp/.mcp.json in a
		// repository; mcpServers, {command, args}).
		ID: "warp", Name: "Warp", DocURL: "https://docs.warp.dev/agent-platform/capabilities/mcp/", GUI: true,
		binaries: []string{"warp-terminal"},
		marks:    marks(inHome(".warp")),
		global:   inHome(".warp", ".mcp.json"), local: inProject(".warp", ".mcp.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://github.com/charmbracelet/crush#configuration (mcp.<name> =
		// {type: "stdio", command, args}; project .crush.json, then
		// crush.json, then the global crush.json). Global file, from Crush's
		// config loader: $CRUSH_GLOBAL_CONFIG/crush.json when set, else
		// $XDG_CONFIG_HOME/crush/crush.json (default ~/.config/crush, macOS
		// too); on Windows %LOCALAPPDATA%\crush\crush.json (sources that put
		// it in %APPDATA% or ~/.config on Windows do not follow the loader).
		ID: "crush", Name: "Crush", DocURL: "https://github.com/charmbracelet/crush#configuration",
		binaries: []string{"crush"},
		marks:    marks(envOr("CRUSH_GLOBAL_CONFIG", byOS(inXDGConfig("crush"), inXDGConfig("crush"), inLocalAppData("crush")))),
		global:   envOr("CRUSH_GLOBAL_CONFIG", byOS(inXDGConfig("crush", "crush.json"), inXDGConfig("crush", "crush.json"), inLocalAppData("crush", "crush.json")), "crush.json"),
		local:    firstExisting(inProject(".crush.json"), inProject("crush.json")),
		format:   jsonFormat, servers: "mcp", shape: shapeTypedStdio,
	},
	{
		// https://ampcode.com/manual#configuration (user settings in
		// ~/.config/amp/settings.json on macOS and Linux,
		// %USERPROFILE%\.config\amp\settings.json on Windows, or
		// settings.jsonc; workspace .amp/settings.json). Servers are under
		// the literal key "amp.mcpServers" — one key with a dot in it, not
		// a path (the editor is given path segments, never a dotted string),
		// entries {command, args}. toolhive puts the Windows file under
		// %APPDATA%; Amp's manual says %USERPROFILE%\.config, followed here.
		ID: "amp", Name: "Amp", DocURL: "https://ampcode.com/manual#configuration",
		binaries: []string{"amp"},
		marks:    marks(inHome(".config", "amp")),
		global:   firstExisting(inHome(".config", "amp", "settings.json"), inHome(".config", "amp", "settings.jsonc")),
		local:    firstExisting(inProject(".amp", "settings.json"), inProject(".amp", "settings.jsonc")),
		format:   byExt, servers: "amp.mcpServers", shape: shapeStdio,
	},
	{
		// https://qwenlm.github.io/qwen-code-docs/en/users/features/mcp/
		// (mcpServers in settings.json: user scope ~/.qwen/settings.json,
		// project scope .qwen/settings.json; {command, args}).
		ID: "qwen", Name: "Qwen Code", DocURL: "https://qwenlm.github.io/qwen-code-docs/en/users/features/mcp/",
		binaries: []string{"qwen"},
		marks:    marks(inHome(".qwen")),
		global:   inHome(".qwen", "settings.json"), local: inProject(".qwen", "settings.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://kilo.ai/docs/automate/mcp/using-in-kilo-code (source:
		// Kilo-Org/kilocode packages/kilo-docs/pages/automate/mcp/using-in-kilo-code.md).
		// The current extension and the kilo CLI share opencode's format:
		// mcp.<name> = {type: "local", command: [cmd, args…], enabled} in
		// ~/.config/kilo/kilo.jsonc (or kilo.json) and, in a project, an
		// existing ./kilo.jsonc or ./kilo.json, else .kilo/kilo.jsonc. The
		// globalStorage kilocode.kilo-code/settings/mcp_settings.json and
		// .kilocode/mcp.json of the issue are what those docs now call
		// "VSCode (Legacy)", so the current files are the ones written.
		ID: "kilo", Name: "Kilo Code", DocURL: "https://kilo.ai/docs/automate/mcp/using-in-kilo-code", GUI: true,
		binaries: []string{"kilo"},
		marks:    marks(inXDGConfig("kilo"), inVSCodeExtension("kilocode.kilo-code")),
		global:   firstExisting(inXDGConfig("kilo", "kilo.jsonc"), inXDGConfig("kilo", "kilo.json")),
		local:    firstExisting(inProject(".kilo", "kilo.jsonc"), inProject("kilo.jsonc"), inProject("kilo.json"), inProject(".kilo", "kilo.json")),
		format:   byExt, servers: "mcp", shape: shapeOpencode,
	},
	{
		// https://docs.trae.ai/ide/model-context-protocol (Trae, a VS Code
		// fork, keeps user MCP servers in mcp.json in its user folder:
		// Trae/User/ under ~/Library/Application Support, %APPDATA% or
		// ~/.config, as stacklok/toolhive pkg/client/config.go and
		// smithery-ai/cli src/config/clients.ts have it; project servers in
		// .trae/mcp.json once project MCP is enabled in its settings, per
		// docs.trae.cn/ide_add-mcp-servers as cited by tools that write it).
		// The docs page itself could not be opened from here.
		ID: "trae", Name: "Trae", DocURL: "https://docs.trae.ai/ide/model-context-protocol", GUI: true,
		marks:  marks(inAppSupport("Trae")),
		global: inAppSupport("Trae", "User", "mcp.json"), local: inProject(".trae", "mcp.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://www.jetbrains.com/help/junie/model-context-protocol-mcp.html
		// and https://junie.jetbrains.com/docs/junie-cli-mcp-configuration.html
		// (~/.junie/mcp/mcp.json for the user, .junie/mcp/mcp.json in the
		// project; mcpServers, {command, args}, stdio only). The IDE plugin
		// runs inside a JetBrains IDE, hence GUI; the CLI is junie.
		ID: "junie", Name: "Junie (JetBrains)", DocURL: "https://www.jetbrains.com/help/junie/model-context-protocol-mcp.html", GUI: true,
		binaries: []string{"junie"},
		marks:    marks(inHome(".junie")),
		global:   inHome(".junie", "mcp", "mcp.json"), local: inProject(".junie", "mcp", "mcp.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://learn.microsoft.com/visualstudio/ide/mcp-servers (Visual
		// Studio 2022 17.14+ and 2026 read %USERPROFILE%\.mcp.json; key
		// "servers", {type: "stdio", command, args}). Windows only: on Linux
		// and macOS ConfigPath says so (ErrNotOnThisOS) and Detect is false.
		// The solution-level <SOLUTIONDIR>\.mcp.json is not used: it is the
		// file Claude Code reads as .mcp.json, with another servers key.
		ID: "visualstudio", Name: "Visual Studio", DocURL: "https://learn.microsoft.com/visualstudio/ide/mcp-servers", GUI: true,
		onlyOS: "windows",
		marks:  marks(inLocalAppData("Microsoft", "VisualStudio")),
		global: inHome(".mcp.json"),
		format: jsonFormat, servers: "servers", shape: shapeTypedStdio,
	},
	{
		// https://docs.github.com/en/copilot/how-tos/provide-context/use-mcp/extend-copilot-chat-with-mcp
		// (JetBrains tab: the plugin's mcp.json, VS Code's format: key
		// "servers", {type: "stdio", command, args}). The file is
		// ~/.config/github-copilot/intellij/mcp.json on Linux and macOS
		// ($XDG_CONFIG_HOME when set, like the plugin's other files) and
		// %LOCALAPPDATA%\github-copilot\intellij\mcp.json on Windows, as
		// laravel/boost and other installers write it; the docs page
		// itself could not be opened from here.
		ID: "copilot-jetbrains", Name: "Copilot for JetBrains", DocURL: "https://docs.github.com/en/copilot/how-tos/provide-context/use-mcp/extend-copilot-chat-with-mcp", GUI: true,
		marks:  marks(byOS(inXDGConfig("github-copilot", "intellij"), inXDGConfig("github-copilot", "intellij"), inLocalAppData("github-copilot", "intellij"))),
		global: byOS(inXDGConfig("github-copilot", "intellij", "mcp.json"), inXDGConfig("github-copilot", "intellij", "mcp.json"), inLocalAppData("github-copilot", "intellij", "mcp.json")),
		format: jsonFormat, servers: "servers", shape: shapeTypedStdio,
	},
	{
		// https://docs.factory.ai/cli/configuration/mcp (droid: user
		// servers in ~/.factory/mcp.json, project servers in
		// .factory/mcp.json; mcpServers, {type: "stdio", command, args}).
		ID: "droid", Name: "Factory Droid", DocURL: "https://docs.factory.ai/cli/configuration/mcp",
		binaries: []string{"droid"},
		marks:    marks(inHome(".factory")),
		global:   inHome(".factory", "mcp.json"), local: inProject(".factory", "mcp.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeTypedStdio,
	},
	{
		// https://docs.qoder.com/user-guide/chat/model-context-protocol
		// (mcpServers, {command, args}). Paths as stacklok/toolhive
		// pkg/client/config.go has them: ~/.qoder/mcp.json on macOS and
		// Linux, %APPDATA%\Qoder\SharedClientCache\mcp.json on Windows. Not
		// confirmed in Qoder's own docs (not readable from here).
		ID: "qoder", Name: "Qoder", DocURL: "https://docs.qoder.com/user-guide/chat/model-context-protocol", GUI: true,
		binaries: []string{"qoder"},
		marks:    marks(byOS(inHome(".qoder"), inHome(".qoder"), inAppData("Qoder"))),
		global:   byOS(inHome(".qoder", "mcp.json"), inHome(".qoder", "mcp.json"), inAppData("Qoder", "SharedClientCache", "mcp.json")),
		format:   jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://moonshotai.github.io/kimi-cli/en/configuration/data-locations.html
		// (MoonshotAI/kimi-cli docs/en/configuration/data-locations.md:
		// ~/.kimi/mcp.json, mcpServers, {command, args}; $KIMI_SHARE_DIR
		// replaces ~/.kimi when set). User level only.
		ID: "kimi", Name: "Kimi CLI", DocURL: "https://moonshotai.github.io/kimi-cli/en/configuration/data-locations.html",
		binaries: []string{"kimi"},
		marks:    marks(envOr("KIMI_SHARE_DIR", inHome(".kimi"))),
		global:   envOr("KIMI_SHARE_DIR", inHome(".kimi", "mcp.json"), "mcp.json"),
		format:   jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://github.com/nanbingxyz/5ire (README: servers can be added
		// by editing {userData}/5ire/mcp.json: ~/Library/Application
		// Support/5ire, %APPDATA%\5ire, ~/.config/5ire); mcpServers,
		// {command, args}, as installers that write it have it. The key is
		// not confirmed in 5ire's own docs: older releases kept a list.
		ID: "5ire", Name: "5ire", DocURL: "https://github.com/nanbingxyz/5ire", GUI: true,
		marks:  marks(inAppSupport("5ire")),
		global: inAppSupport("5ire", "mcp.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://docs.boltai.com/docs/plugins/mcp-servers (BoltAI, a macOS
		// app, imports servers from ~/.boltai/mcp.json, mcpServers, {command,
		// args}, as smithery-ai/cli src/config/clients.ts writes it). macOS
		// only; the docs page could not be opened from here.
		ID: "boltai", Name: "BoltAI", DocURL: "https://docs.boltai.com/docs/plugins/mcp-servers", GUI: true,
		onlyOS: "darwin",
		marks:  marks(inHome(".boltai")),
		global: inHome(".boltai", "mcp.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://github.com/nbonamy/witsy (Witsy's settings.json in its
		// app-support folder, Witsy/; mcpServers, {command, args}, as both
		// supermemoryai/install-mcp and smithery-ai/cli write it).
		ID: "witsy", Name: "Witsy", DocURL: "https://github.com/nbonamy/witsy", GUI: true,
		marks:  marks(inAppSupport("Witsy")),
		global: inAppSupport("Witsy", "settings.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://docs.enconvo.com (Enconvo, a macOS app, reads
		// ~/.config/enconvo/mcp_config.json, mcpServers, {command, args}, as
		// supermemoryai/install-mcp and smithery-ai/cli write it). macOS
		// only; not confirmed in Enconvo's own docs.
		ID: "enconvo", Name: "Enconvo", DocURL: "https://docs.enconvo.com", GUI: true,
		onlyOS: "darwin",
		marks:  marks(inHome(".config", "enconvo")),
		global: inHome(".config", "enconvo", "mcp_config.json"),
		format: jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
	{
		// https://code.visualstudio.com/docs/copilot/customization/mcp-servers
		// (as VS Code, in the Insiders build's user folder "Code -
		// Insiders/User", toolhive's VSCodeInsider). Its workspace file is
		// VS Code's .vscode/mcp.json, installed by the vscode target.
		ID: "vscode-insiders", Name: "VS Code Insiders", DocURL: "https://code.visualstudio.com/docs/copilot/customization/mcp-servers", GUI: true,
		binaries: []string{"code-insiders"},
		marks:    marks(inAppSupport("Code - Insiders", "User")),
		global:   inAppSupport("Code - Insiders", "User", "mcp.json"),
		format:   jsoncFormat, servers: "servers", shape: shapeTypedStdio,
	},
	{
		// https://docs.augmentcode.com/cli/integrations (Auggie, Augment's
		// CLI: mcpServers, {command, args}, in ~/.augment/settings.json).
		// The other home, an array of servers named by "name"
		// under augment.advanced in VS Code's settings.json, is a list of
		// objects the JSONC editor cannot add to or remove from by name,
		// so Auggie's file is the one written. The page could not be
		// opened from here; the path is the one several installers use.
		ID: "augment", Name: "Augment (Auggie CLI)", DocURL: "https://docs.augmentcode.com/cli/integrations",
		binaries: []string{"auggie"},
		marks:    marks(inHome(".augment")),
		global:   inHome(".augment", "settings.json"),
		format:   jsonFormat, servers: "mcpServers", shape: shapeStdio,
	},
}

// Targets returns every known target, the four main ones first.
func Targets() []Target { return append([]Target(nil), registry...) }

// TargetsFor is Targets without the agents of another OS only (Visual
// Studio off Windows, BoltAI off macOS): what a form on goos offers.
func TargetsFor(goos string) []Target {
	var out []Target
	for _, t := range registry {
		if t.onlyOS == "" || t.onlyOS == goos {
			out = append(out, t)
		}
	}
	return out
}

// TargetIDs returns the id of every target, in registry order.
func TargetIDs() []string {
	out := make([]string, len(registry))
	for i, t := range registry {
		out[i] = t.ID
	}
	return out
}

// TargetByID finds a target by its id, ignoring case and surrounding
// space: people type "Claude" as often as "claude".
func TargetByID(id string) (Target, bool) {
	id = strings.TrimSpace(id)
	for _, t := range registry {
		if strings.EqualFold(t.ID, id) {
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
