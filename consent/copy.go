package consent

import (
	"fmt"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// The words every screen and message uses for what is shared, so the
// installer's question, the first-run notice and `telemetry status` name
// one thing one way. TELEMETRY.md (schema.DocsURL) lists every field.
const (
	// UsageName names the thing: not "usage data", "usage stats" or
	// "usage counts" in one place and another name elsewhere.
	UsageName = "anonymous usage statistics"
	// WhatIsShared is the whole list in one line, in words a user knows.
	WhatIsShared = "counts of commands and tool calls, agent names, language names, OS and version, and a random ID"
	// NeverShared is what never leaves the machine.
	NeverShared = "no code, paths or names"
	// HowToTurnOff is the off switch, as a command and as the environment.
	HowToTurnOff = `"` + OffCommand + `" (or DO_NOT_TRACK=1)`
	// DocsURL is where every field is described.
	DocsURL = schema.DocsURL

	// OffCommand is the command that turns telemetry off for good.
	OffCommand = "codegraph telemetry off"
	// OffEnv is the environment variable of ours that turns it off.
	OffEnv = "CODEGRAPH_TELEMETRY=0"

	// Two sentences whose start the contract fixes (CONTRACT.md: the
	// first-run notice, and the installer's toggle), so they keep its
	// words, "usage stats" and "usage data", and are defined here, with
	// the rest, rather than where they are shown.

	// Notice is the one-time first-run line on stderr of a headless run.
	Notice = `codegraph collects anonymous usage stats (no code, paths or names) — "` + OffCommand + `" or ` + OffEnv + ` disables. Details: ` + DocsURL
	// Question is the installer's consent toggle.
	Question = "Share anonymous usage data? (no code, paths, or names — see TELEMETRY.md)"
)

// NewSinceLine is the line under the notice shown again to someone whose
// consent covers an older collection version.
func NewSinceLine(covered int) string {
	return fmt.Sprintf("New since what you agreed to (version %d of what is collected; this is version %d): %s. Nothing is sent by this run.",
		covered, schema.CollectionVersion, schema.NewSince(covered))
}
