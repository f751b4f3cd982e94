package langdetect

// The reference: the census's decision as internal/census made it with
// go-enry (walk.go's classify, pathrules.go's dirExcluded and isGenerated,
// mapping.go), written with go-enry's own functions. The differential test
// and the benchmarks compare langdetect with it. go-enry is a test-only
// dependency of this package.

import (
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-enry/go-enry/v2"
)

// censusSchemaSnapshot is internal/census's enryToSchema as of commit
// 03cf236, before langdetect took the mapping over: an independent copy, so
// that the test compares SchemaID with what the census did rather than with
// itself.
var censusSchemaSnapshot = map[string]string{
	"TypeScript":         "typescript",
	"JavaScript":         "javascript",
	"TSX":                "tsx",
	"JSX":                "jsx",
	"ArkTS":              "arkts",
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
	"Maven POM":          "xml",
	"Ant Build System":   "xml",
	"Java Properties":    "properties",
	"ColdFusion":         "cfml",
	"ColdFusion CFC":     "cfscript",
	"COBOL":              "cobol",
	"Visual Basic .NET":  "vbnet",
	"Erlang":             "erlang",
	"HCL":                "terraform",
	"Terraform Template": "terraform",
}

func enrySchemaID(lang, name string) string {
	if lang == "JavaScript" && strings.EqualFold(filepath.Ext(name), ".jsx") {
		return "jsx"
	}
	if id, ok := censusSchemaSnapshot[lang]; ok {
		return id
	}
	return Other
}

// enryGuess is classify's first step: the candidates from the name alone.
func enryGuess(name string) (cands []string, unknown bool) {
	cands = enry.GetLanguagesByFilename(name, nil, nil)
	if len(cands) == 0 {
		cands = enry.GetLanguagesByExtension(name, nil, nil)
	}
	if len(cands) == 0 && strings.EqualFold(filepath.Ext(name), ".ets") {
		cands = []string{"ArkTS"}
	}
	return cands, len(cands) == 0 && strings.Contains(name, ".")
}

// enryDirExcluded is census's dirExcluded, remembered per directory as a
// walk would (the corpora ask about the same directories again and again).
func enryDirExcluded(relSlash string) bool {
	if v, ok := enryDirCache.Load(relSlash); ok {
		return v.(bool)
	}
	v := enry.IsVendor(relSlash) || enry.IsDocumentation(relSlash) || enry.IsGenerated(relSlash, nil)
	enryDirCache.Store(relSlash, v)
	return v
}

var enryDirCache sync.Map

// enryDetect is the census's decision for the file at rel with first bytes
// head, with go-enry: langdetect's Detect must agree.
func enryDetect(rel string, head []byte) (Language, bool) {
	name := path.Base(rel)
	cands, unknown := enryGuess(name)
	if unknown {
		return Language{}, false
	}
	for i := 0; i < len(rel); i++ {
		if rel[i] == '/' && enryDirExcluded(rel[:i+1]) {
			return Language{}, false
		}
	}
	if enry.IsVendor(rel) || enry.IsDocumentation(rel) {
		return Language{}, false
	}
	var lang string
	if len(cands) == 1 {
		lang, head = cands[0], nil
	} else {
		if enry.IsBinary(head) {
			return Language{}, false
		}
		lang = enry.GetLanguage(name, head)
	}
	if lang == "" {
		return Language{}, false
	}
	l := Language{Name: lang, ID: enrySchemaID(lang, name)}
	if l.ID == Other {
		if typ := enry.GetLanguageType(lang); typ != enry.Programming && typ != enry.Markup {
			return l, false
		}
	}
	return l, !enry.IsGenerated(rel, head)
}
