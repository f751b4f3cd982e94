package installer

import (
	"encoding/json"
	"strings"
)

// Paste targets are agents that keep their MCP servers where no file of
// ours can reach: in an IDE's settings store, or on GitHub. The installer
// writes nothing for them: it prints the exact snippet and where to paste
// it, and the recap and the results say so ("paste", "pasted"). They are
// never detected (nothing on disk shows them), so never pre-selected, and
// nothing about them is recorded: uninstall has nothing to undo.

// pasteSpec is what a paste target's user does by hand.
type pasteSpec struct {
	// where is the place to paste, as the agent's own UI names it.
	where string
	// snippet renders what to paste for the server.
	snippet func(srv Server) string
	// bareCommand: the snippet runs somewhere else than this machine (the
	// Copilot cloud agent runs on GitHub), so it names `codegraph`, never
	// a path of this machine.
	bareCommand bool
}

// pasteSpecs are keyed by target id; their rows are appended to the
// registry below.
var pasteSpecs = map[string]pasteSpec{
	// https://www.jetbrains.com/help/ai-assistant/mcp.html (Settings |
	// Tools | AI Assistant | Model Context Protocol (MCP), Add, "As JSON":
	// an mcpServers object, {command, args}). The IDE keeps it in its own
	// settings store, which is not a file meant to be edited.
	"jetbrains-ai": {
		where:   "JetBrains IDE: Settings | Tools | AI Assistant | Model Context Protocol (MCP) → Add → As JSON",
		snippet: mcpServersSnippet(false),
	},
	// https://docs.cherry-ai.com/advanced-basic/mcp (Settings → MCP
	// Servers → Add Server → Import from JSON, an mcpServers object). Its
	// servers live in the app's IndexedDB; its cherrystudio:// install
	// link carries the same JSON.
	"cherry-studio": {
		where:   "Cherry Studio: Settings → MCP Servers → Add Server → Import from JSON",
		snippet: mcpServersSnippet(false),
	},
	// https://docs.github.com/en/copilot/how-tos/use-copilot-agents/cloud-agent/extend-cloud-agent-with-mcp
	// (the repository's Settings → Copilot → Coding agent → MCP
	// configuration: mcpServers, {type: "local", command, args, tools}).
	// The agent runs on GitHub's runners, where codegraph must be
	// installed by the repository's copilot-setup-steps.yml.
	"copilot-cloud": {
		where:       "GitHub: the repository's Settings → Copilot → Coding agent → MCP configuration (install codegraph in .github/workflows/copilot-setup-steps.yml first)",
		snippet:     mcpServersSnippet(true),
		bareCommand: true,
	},
}

func init() {
	registry = append(registry,
		Target{ID: "jetbrains-ai", Name: "JetBrains AI Assistant", DocURL: "https://www.jetbrains.com/help/ai-assistant/mcp.html", GUI: true, marks: marks()},
		Target{ID: "cherry-studio", Name: "Cherry Studio", DocURL: "https://docs.cherry-ai.com/advanced-basic/mcp", GUI: true, marks: marks()},
		Target{ID: "copilot-cloud", Name: "Copilot cloud agent", DocURL: "https://docs.github.com/en/copilot/how-tos/use-copilot-agents/cloud-agent/extend-cloud-agent-with-mcp", marks: marks()},
	)
}

// Pasted reports whether the target is one the user pastes a snippet
// into (nothing is written), and where.
func (t Target) Pasted() (where string, ok bool) {
	spec, ok := pasteSpecs[t.ID]
	return spec.where, ok
}

// mcpServersSnippet is {"mcpServers": {"codegraph": {…}}}, with the type
// and tools keys of Copilot's spelling when copilot is set; keys in the
// order the agents' docs show them.
func mcpServersSnippet(copilot bool) func(Server) string {
	type entry struct {
		Type    string   `json:"type,omitempty"`
		Command string   `json:"command"`
		Args    []string `json:"args"`
		Tools   []string `json:"tools,omitempty"`
	}
	return func(srv Server) string {
		e := entry{Command: srv.Command, Args: append([]string{}, srv.Args...)}
		if copilot {
			e.Type, e.Tools = "local", []string{"*"}
		}
		var sb strings.Builder
		enc := json.NewEncoder(&sb)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(map[string]map[string]entry{"mcpServers": {ServerName: e}})
		return sb.String()
	}
}

// planPaste is the plan of a paste target: its snippet, nothing to write.
func planPaste(t Target, spec pasteSpec, server Server, explicit bool) FileChange {
	if spec.bareCommand && !explicit {
		server = DefaultServer()
	}
	return FileChange{Target: t.ID, Action: ActionPaste, Message: spec.where, After: []byte(spec.snippet(server)), Server: server}
}
