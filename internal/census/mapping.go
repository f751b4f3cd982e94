package census

import (
	"path/filepath"
	"strings"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Other is the schema id for every detected language codegraph has no
// extractor id for.
const Other = schema.LanguageOther

// enryToSchema maps go-enry (GitHub linguist) language names onto schema ids.
// The names are linguist's exact spelling (go-enry v2 data/type.go).
//
// The mapping is deliberately strict: a linguist language maps to an id only
// when codegraph's extractor for that id reads such files, because the census
// exists to tell which languages people index that codegraph does not yet
// serve. So Objective-C++ and Hack stay "other" rather than inflating objc and
// php. Variants that are the same file format with a recognised payload do
// map (OpenAPI YAML is YAML; a property list, pom.xml and Ant's build.xml
// are XML).
//
// No linguist language corresponds to "cfquery" (an embedded sub-language of
// ColdFusion) or "unknown" (codegraph's own fallback), so the census never
// reports them.
var enryToSchema = map[string]string{
	"TypeScript":         "typescript",
	"JavaScript":         "javascript",
	"TSX":                "tsx",
	"JSX":                "jsx", // older linguist releases had a JSX language
	arkTS:                "arkts",
	"Python":             "python",
	"Go":                 "go",
	"Rust":               "rust",
	"Java":               "java",
	"C":                  "c",
	"C++":                "cpp",
	"C#":                 "csharp",
	"HTML+Razor":         "razor",
	"PHP":                "php",
	"Ruby":               "ruby",
	"Swift":              "swift",
	"Kotlin":             "kotlin",
	"Dart":               "dart",
	"Svelte":             "svelte",
	"Vue":                "vue",
	"Astro":              "astro",
	"Liquid":             "liquid",
	"Pascal":             "pascal",
	"Scala":              "scala",
	"Lua":                "lua",
	"Luau":               "luau",
	"Objective-C":        "objc",
	"R":                  "r",
	"Solidity":           "solidity",
	"Nix":                "nix",
	"YAML":               "yaml",
	"OASv2-yaml":         "yaml",
	"OASv3-yaml":         "yaml",
	"Twig":               "twig",
	"XML":                "xml",
	"XML Property List":  "xml",
	"Maven POM":          "xml", // pom.xml
	"Ant Build System":   "xml", // build.xml
	"Java Properties":    "properties",
	"ColdFusion":         "cfml",
	"ColdFusion CFC":     "cfscript",
	"COBOL":              "cobol",
	"Visual Basic .NET":  "vbnet",
	"Erlang":             "erlang",
	"HCL":                "terraform",
	"Terraform Template": "terraform",
}

// arkTS is the name the census reports for ArkTS (.ets) files. Linguist does
// not know ArkTS yet, but codegraph indexes it, so a census that could never
// see it would under-report a supported language.
const arkTS = "ArkTS"

// extraExtensions names languages for extensions linguist does not know.
// Only extensions no linguist language claims belong here.
var extraExtensions = map[string]string{
	".ets": arkTS,
}

// SchemaLanguage maps a go-enry (GitHub linguist) language name to one of
// codegraph's schema language ids; any name codegraph has no id for, and the
// empty name, map to "other".
func SchemaLanguage(enryName string) string {
	if id, ok := enryToSchema[enryName]; ok {
		return id
	}
	return Other
}

// schemaLanguageForFile refines SchemaLanguage with the file name where
// linguist folds two codegraph languages into one: linguist calls .jsx files
// JavaScript, codegraph has a separate jsx extractor.
func schemaLanguageForFile(enryName, name string) string {
	if enryName == "JavaScript" && strings.EqualFold(filepath.Ext(name), ".jsx") {
		return "jsx"
	}
	return SchemaLanguage(enryName)
}
