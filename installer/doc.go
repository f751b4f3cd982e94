// Package installer registers codegraph's MCP server with AI coding agents
// (Claude Code, Cursor, Codex CLI, opencode, and more) and removes it again.
//
// It owns: the registry of agent targets (per scope and OS: config path,
// format, entry shape, detection), side-effect-free install and uninstall
// Plans (before/after bytes per file, kind fresh/upgrade/reinstall), Apply
// (atomic writes, backups, the install manifest), and the rules that keep a
// user's config files intact. Every input from the environment (home and
// project directories, getenv, GOOS, clock, PATH lookup, version) is passed
// in through Env.
//
// It never prints, prompts, sends telemetry, or reads process globals; the
// CLI and the form (installer/tui) do that. It never re-marshals a user's
// file: edits are text splices (installer/jsonc, installer/tomlcfg,
// installer/yamlcfg) that are checked to parse and to revert byte for byte
// before anything is written. Files are written next to a running agent
// that rewrites them (write.go): re-read and compared right before the
// rename, redone when they changed, and watched after it, so a result is OK
// only when our entry was seen in place.
//
// Backups: with each write the file's previous content is saved in
// ~/.codegraph/backups/ (BackupPath; mode 0600, replaced on each write),
// never beside the file, so a project directory gets nothing but the config
// change itself, and the latest earlier state can always be restored by hand.
package installer
