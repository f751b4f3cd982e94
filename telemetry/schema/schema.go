// Package schema is the one allowlist of codegraph telemetry: every envelope
// field, event and prop that may ever leave a user's machine, with its type,
// closed set or character class, caps, whether it is required, and the
// one-line reason we collect it.
//
// It also defines the wire format, once for both ends: the endpoint, the
// keys and caps of a request body, and the strict parser (ParseBody,
// ParseEvent) that reads bodies and single events.
//
// The client builds its payloads from these definitions, the ingest validates
// everything it receives with the same rules, and TELEMETRY.md's tables are
// generated from them. Nothing else in the module defines a field: adding one
// means editing this package, which changes TELEMETRY.md and the ingest in the
// same commit. Free text is impossible by construction: every string is either
// a member of a closed set or limited to the token/label character classes.
//
// The package never does I/O.
package schema

import "sync"

// Version is the schema_version the Go client sends. Bump it when a rule here
// changes meaning.
const Version = 1

// Kind is the JSON type of a field.
type Kind int

const (
	KindString    Kind = iota // a JSON string
	KindInteger               // a JSON number written without fraction or exponent
	KindBool                  // true or false
	KindList                  // a JSON array of strings
	KindTimestamp             // an RFC 3339 string
)

// Charset is the character class a free-form string must stay within.
type Charset int

const (
	// CharsetNone applies to closed sets (Enum) and formats (Format), whose
	// members are checked by equality or pattern instead.
	CharsetNone Charset = iota
	// CharsetToken: non-empty, only A-Z a-z 0-9 _ . : + -
	CharsetToken
	// CharsetLabel: token characters plus space / @ ( )
	CharsetLabel
)

// Format names a fixed textual shape checked by code rather than a class.
type Format int

const (
	FormatNone       Format = iota
	FormatUUID              // 8-4-4-4-12 hex digits, any case, stored lower-case
	FormatMajorMinor        // e.g. 1.26
)

// Field is the rule for one envelope field or event prop.
type Field struct {
	Name     string
	Kind     Kind
	Required bool
	// Enum is the closed set a string (or every list item) must belong to.
	Enum []string
	// Fallback replaces a list item outside Enum (languages → "other")
	// instead of stripping the whole prop.
	Fallback string
	Charset  Charset
	Format   Format
	// MaxLen caps a string, or each list item, in bytes.
	MaxLen int
	// MaxItems caps a list.
	MaxItems int
	// Min and Max bound an integer.
	Min, Max int64
	// Aliases maps accepted spellings onto the stored one (Node's win32 → windows).
	Aliases map[string]string
	// NodeEra marks fields the TypeScript client sends and the ingest accepts,
	// but the Go client never produces.
	NodeEra bool
	// Why is the one-line reason we collect it, shown in TELEMETRY.md.
	Why string
	// Example is a value shown in TELEMETRY.md.
	Example string

	// enum is a large Enum as a set, built once at init; copies share it
	// read-only. Small sets have none and are scanned.
	enum map[string]struct{}
}

// EventSpec is the rule for one event type.
type EventSpec struct {
	Name  string
	Why   string
	When  string
	Props []Field

	// required counts the required props, set at init.
	required int
}

// Closed sets. What callers need of them is exported as typed constants or
// as functions returning copies (Languages), so no caller can widen the
// allowlist at run time.
var (
	scopes       = []string{string(ScopeLocal), string(ScopeGlobal)}
	installKinds = []string{string(InstallFresh), string(InstallUpgrade), string(InstallReinstall)}
	usageKinds   = []string{UsageMCPTool, UsageCLICommand}
	fileBuckets  = []string{"<100", "100-1k", "1k-10k", "10k+"}
	timeBuckets  = []string{"<10s", "10-60s", "1-5m", "5m+"}
	sqliteKinds  = []string{"native", "wasm"}
	languages    = []string{
		"typescript", "javascript", "tsx", "jsx", "arkts", "python", "go", "rust", "java", "c",
		"cpp", "csharp", "razor", "php", "ruby", "swift", "kotlin", "dart", "svelte", "vue",
		"astro", "liquid", "pascal", "scala", "lua", "luau", "objc", "r", "solidity", "nix",
		"yaml", "twig", "xml", "properties", "cfml", "cfscript", "cfquery", "cobol", "vbnet",
		"erlang", "terraform", "unknown", "other",
	}
)

// Scope is the closed set of the install event's scope prop: where the
// installer wrote codegraph's configuration.
type Scope string

const (
	ScopeLocal  Scope = "local"  // the current project
	ScopeGlobal Scope = "global" // the user's agent configuration
)

// InstallKind is the closed set of the install event's kind prop.
// (Kind is a field's JSON type, so these are named Install….)
type InstallKind string

const (
	InstallFresh     InstallKind = "fresh"
	InstallUpgrade   InstallKind = "upgrade"
	InstallReinstall InstallKind = "reinstall"
)

// Usage kinds of a usage_rollup event.
const (
	UsageMCPTool    = "mcp_tool"
	UsageCLICommand = "cli_command"
)

// Event names.
const (
	EventInstall     = "install"
	EventIndex       = "index"
	EventUsageRollup = "usage_rollup"
	EventUninstall   = "uninstall"
)

// Languages returns codegraph's language ids, the only language names that
// may leave a machine.
func Languages() []string { return append([]string(nil), languages...) }

// LanguageOther is what a language outside Languages() is reported as.
const LanguageOther = "other"

var targetsField = Field{
	Name: "targets", Kind: KindList, Charset: CharsetToken, MaxLen: 24, MaxItems: 64,
	Why:     "which agents people install codegraph into, to know which integrations to maintain",
	Example: `["claude","cursor"]`,
}

var sqliteField = Field{
	Name: "sqlite_backend", Kind: KindString, Enum: sqliteKinds, NodeEra: true,
	Why:     "native vs wasm SQLite share (TypeScript client only; the Go client never sends it)",
	Example: `"native"`,
}

// envelope is sent once per request, never per event.
var envelope = []Field{
	{Name: "machine_id", Kind: KindString, Format: FormatUUID, Required: true,
		Why:     "a random UUID, minted when telemetry is first on (never while it is off), to count distinct machines; derived from nothing, reset by deleting the config",
		Example: `"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"`},
	{Name: "codegraph_version", Kind: KindString, Charset: CharsetToken, MaxLen: 32,
		Why: "version adoption speed", Example: `"0.9.12"`},
	{Name: "os", Kind: KindString, Charset: CharsetToken, MaxLen: 16,
		Aliases: map[string]string{"win32": "windows"},
		Why:     "which operating systems to support", Example: `"linux"`},
	{Name: "arch", Kind: KindString, Charset: CharsetToken, MaxLen: 16,
		Aliases: map[string]string{"x64": "amd64", "ia32": "386"},
		Why:     "which CPU architectures to build for", Example: `"arm64"`},
	{Name: "go_version", Kind: KindString, Format: FormatMajorMinor,
		Why: "which Go release built the binary (major.minor only)", Example: `"1.26"`},
	{Name: "node_major", Kind: KindInteger, Min: 0, Max: 99, NodeEra: true,
		Why: "Node.js major version (TypeScript client only)", Example: `22`},
	{Name: "ci", Kind: KindBool,
		Why: "whether the CI variable is set, to tell CI usage from people", Example: `false`},
	{Name: "schema_version", Kind: KindInteger, Min: 0, Max: 99,
		Why: "which version of these rules the client followed", Example: `1`},
}

// tsField is the optional time of every event.
var tsField = Field{
	Name: KeyTS, Kind: KindTimestamp,
	Why:     "the UTC day the event or rollup belongs to; outside [now − 30 days, now + 10 min] the ingest replaces it with the receive time",
	Example: `"2026-11-24T00:00:00Z"`,
}

var events = []EventSpec{
	{
		Name: EventInstall,
		Why:  "which agents, scopes and upgrade paths people use",
		When: "once per installer run",
		Props: []Field{
			targetsField,
			{Name: "scope", Kind: KindString, Enum: scopes, Required: true,
				Why: "project-local vs user-global installs", Example: `"global"`},
			{Name: "kind", Kind: KindString, Enum: installKinds, Required: true,
				Why: "fresh installs vs upgrades vs reinstalls", Example: `"fresh"`},
			sqliteField,
		},
	},
	{
		Name: EventIndex,
		Why:  "which languages people index, to prioritise extractor work",
		When: "once per `codegraph init`",
		Props: []Field{
			{Name: "languages", Kind: KindList, Enum: languages, Fallback: LanguageOther, MaxItems: 32,
				Why: "language names only, from a fixed list; anything else is reported as other", Example: `["go","typescript"]`},
			{Name: "file_count_bucket", Kind: KindString, Enum: fileBuckets,
				Why: "rough project size, as a bucket, never the count", Example: `"1k-10k"`},
			{Name: "duration_bucket", Kind: KindString, Enum: timeBuckets,
				Why: "rough indexing time, as a bucket", Example: `"<10s"`},
			sqliteField,
		},
	},
	{
		Name: EventUsageRollup,
		Why:  "which MCP tools and CLI commands are used and how often they fail, counted per UTC day on the machine",
		When: "one per (UTC day, kind, name, client) for completed days",
		Props: []Field{
			{Name: "kind", Kind: KindString, Enum: usageKinds, Required: true,
				Why: "MCP tool call or CLI command", Example: `"mcp_tool"`},
			{Name: "name", Kind: KindString, Charset: CharsetToken, MaxLen: 64, Required: true,
				Why: "the registered tool or command name, never arguments", Example: `"codegraph_status"`},
			{Name: "count", Kind: KindInteger, Min: 0, Max: 1_000_000, Required: true,
				Why: "calls that day", Example: `12`},
			{Name: "error_count", Kind: KindInteger, Min: 0, Max: 1_000_000,
				Why: "of which ended in error", Example: `1`},
			{Name: "client_name", Kind: KindString, Charset: CharsetLabel, MaxLen: 64,
				Why: "which agent made the MCP calls (its self-declared clientInfo name)", Example: `"claude-code"`},
			{Name: "client_version", Kind: KindString, Charset: CharsetLabel, MaxLen: 32,
				Why: "that agent's self-declared version", Example: `"2.0.14"`},
		},
	},
	{
		Name: EventUninstall,
		Why:  "churn: how many machines remove codegraph, and from which agents",
		When: "once per `uninstall` or `uninit`",
		Props: []Field{
			targetsField,
		},
	},
}

// Envelope returns the envelope rules, in documentation order.
func Envelope() []Field {
	buildIndexes() // it sets fields of envelope's rules: read them after it
	return cloneFields(envelope)
}

// Timestamp returns the rule of the per-event "ts" field.
func Timestamp() Field {
	buildIndexes()
	return tsField
}

// Events returns the event rules, in documentation order.
func Events() []EventSpec {
	buildIndexes() // it sets fields of the events' rules: read them after it
	out := make([]EventSpec, len(events))
	for i, e := range events {
		e.Props = cloneFields(e.Props)
		out[i] = e
	}
	return out
}

func cloneFields(in []Field) []Field {
	out := make([]Field, len(in))
	for i, f := range in {
		f.Enum = append([]string(nil), f.Enum...)
		out[i] = f
	}
	return out
}

// eventIndex, envelopeIndex and propIndex give validation O(1) access by
// name. They are built on first use (buildIndexes), not at package
// initialisation: every command links this package, but `version`, help and
// most of an install never validate an event, and building them cost each
// of those processes about 0.4 ms of page faults (BENCHMARKS.md, "Start-up").
// Read them only through eventSpec, envelopeField and propField. Because
// buildIndexes also sets fields of the rules themselves (EventSpec.required,
// Field.enum), whatever reads envelope, events or tsField directly calls it
// first; the race detector catches a reader that does not.
var (
	eventIndex    map[string]*EventSpec
	envelopeIndex map[string]*Field
	propIndex     map[string]map[string]*Field
	buildIndexes  = sync.OnceFunc(func() {
		eventIndex = make(map[string]*EventSpec, len(events))
		envelopeIndex = make(map[string]*Field, len(envelope))
		propIndex = make(map[string]map[string]*Field, len(events))
		for i := range envelope {
			envelopeIndex[envelope[i].Name] = &envelope[i]
			indexEnum(&envelope[i])
		}
		for i := range events {
			e := &events[i]
			eventIndex[e.Name] = e
			props := make(map[string]*Field, len(e.Props))
			for j := range e.Props {
				props[e.Props[j].Name] = &e.Props[j]
				indexEnum(&e.Props[j])
				if e.Props[j].Required {
					e.required++
				}
			}
			propIndex[e.Name] = props
		}
	})
)

func eventSpec(name string) (*EventSpec, bool) {
	buildIndexes()
	e, ok := eventIndex[name]
	return e, ok
}

func envelopeField(name string) (*Field, bool) {
	buildIndexes()
	f, ok := envelopeIndex[name]
	return f, ok
}

func propField(event, prop string) (*Field, bool) {
	buildIndexes()
	f, ok := propIndex[event][prop]
	return f, ok
}

func indexEnum(f *Field) {
	// Small sets are scanned (see inEnum); only large ones get a map.
	if len(f.Enum) <= 8 {
		return
	}
	f.enum = make(map[string]struct{}, len(f.Enum))
	for _, v := range f.Enum {
		f.enum[v] = struct{}{}
	}
}
