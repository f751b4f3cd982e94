package consent

import "github.com/getcodegraph/codegraph-install/telemetry/schema"

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
	HowToTurnOff = `"codegraph telemetry off" (or DO_NOT_TRACK=1)`
	// DocsURL is where every field is described.
	DocsURL = schema.DocsURL
)
