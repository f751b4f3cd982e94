package langdetect

import (
	"path/filepath"
	"strings"
)

// Other is the schema id of every detected language codegraph has no id
// for (telemetry/schema's LanguageOther; a test keeps them equal).
const Other = "other"

// ArkTS is the name reported for ArkTS (.ets) files. Linguist does not know
// ArkTS yet, but codegraph indexes it, so a census that could never see it
// would under-report a supported language.
const ArkTS = "ArkTS"

// SchemaID maps a GitHub linguist language name to codegraph's schema
// language id; any name codegraph has no id for, and the empty name, map to
// Other. It is the single home of that mapping (the census used to keep it).
//
// The mapping is deliberately strict: a linguist language maps to an id only
// when codegraph's extractor for that id reads such files, because the
// census exists to tell which languages people index that codegraph does not
// yet serve. So Objective-C++ and Hack stay "other" rather than inflating
// objc and php. Variants that are the same file format with a recognised
// payload do map (OpenAPI YAML is YAML; a property list, pom.xml and Ant's
// build.xml are XML).
//
// No linguist language corresponds to "cfquery" (an embedded sub-language
// of ColdFusion), "unknown" (codegraph's own fallback) or "other", so
// SchemaID never returns the first two.
func SchemaID(linguistName string) string {
	// A switch, not a map: nothing to build at initialisation.
	switch linguistName {
	case "TypeScript":
		return "typescript"
	case "JavaScript":
		return "javascript"
	case "TSX":
		return "tsx"
	case "JSX": // older linguist releases had a JSX language
		return "jsx"
	case ArkTS:
		return "arkts"
	case "Python":
		return "python"
	case "Go":
		return "go"
	case "Rust":
		return "rust"
	case "Java":
		return "java"
	case "C":
		return "c"
	case "C++":
		return "cpp"
	case "C#":
		return "csharp"
	case "HTML+Razor":
		return "razor"
	case "PHP":
		return "php"
	case "Ruby":
		return "ruby"
	case "Swift":
		return "swift"
	case "Kotlin":
		return "kotlin"
	case "Dart":
		return "dart"
	case "Svelte":
		return "svelte"
	case "Vue":
		return "vue"
	case "Astro":
		return "astro"
	case "Liquid":
		return "liquid"
	case "Pascal":
		return "pascal"
	case "Scala":
		return "scala"
	case "Lua":
		return "lua"
	case "Luau":
		return "luau"
	case "Objective-C":
		return "objc"
	case "R":
		return "r"
	case "Solidity":
		return "solidity"
	case "Nix":
		return "nix"
	case "YAML", "OASv2-yaml", "OASv3-yaml":
		return "yaml"
	case "Twig":
		return "twig"
	case "XML",
		"XML Property List",
		"Maven POM",        // pom.xml
		"Ant Build System": // build.xml
		return "xml"
	case "Java Properties":
		return "properties"
	case "ColdFusion":
		return "cfml"
	case "ColdFusion CFC":
		return "cfscript"
	case "COBOL":
		return "cobol"
	case "Visual Basic .NET":
		return "vbnet"
	case "Erlang":
		return "erlang"
	case "HCL", "Terraform Template":
		return "terraform"
	}
	return Other
}

// schemaIDForFile refines SchemaID with the file name where linguist folds
// two codegraph languages into one: linguist calls .jsx files JavaScript,
// codegraph has a separate jsx extractor.
func schemaIDForFile(linguistName, name string) string {
	if linguistName == "JavaScript" && strings.EqualFold(filepath.Ext(name), ".jsx") {
		return "jsx"
	}
	return SchemaID(linguistName)
}

// extraLanguage names a language for an extension linguist does not know;
// only extensions no linguist language claims belong here.
func extraLanguage(name string) string {
	if strings.EqualFold(filepath.Ext(name), ".ets") {
		return ArkTS
	}
	return ""
}
