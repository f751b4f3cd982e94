package census

import (
	"slices"
	"testing"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
	"github.com/go-enry/go-enry/v2"
	"github.com/go-enry/go-enry/v2/data"
)

func TestSchemaLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct{ enry, want string }{
		{"TypeScript", "typescript"},
		{"TSX", "tsx"},
		{"JavaScript", "javascript"},
		{"Python", "python"},
		{"Go", "go"},
		{"C", "c"},
		{"C++", "cpp"},
		{"C#", "csharp"},
		{"Objective-C", "objc"},
		{"Objective-C++", "other"}, // strict: objc extractors do not read C++
		{"HTML+Razor", "razor"},
		{"Visual Basic .NET", "vbnet"},
		{"Visual Basic 6.0", "other"},
		{"HCL", "terraform"},
		{"Terraform Template", "terraform"},
		{"ColdFusion", "cfml"},
		{"ColdFusion CFC", "cfscript"},
		{"Java Properties", "properties"},
		{"YAML", "yaml"},
		{"OASv3-yaml", "yaml"},
		{"XML", "xml"},
		{"Luau", "luau"},
		{"Hack", "other"},
		{"Haskell", "other"},
		{"Markdown", "other"},
		{"", "other"},
		{"typescript", "other"}, // linguist names are case-sensitive
	}
	for _, tt := range tests {
		if got := SchemaLanguage(tt.enry); got != tt.want {
			t.Errorf("SchemaLanguage(%q) = %q, want %q", tt.enry, got, tt.want)
		}
	}
}

func TestSchemaLanguageForFile(t *testing.T) {
	t.Parallel()
	tests := []struct{ enry, name, want string }{
		{"JavaScript", "App.jsx", "jsx"},
		{"JavaScript", "App.JSX", "jsx"},
		{"JavaScript", "app.js", "javascript"},
		{"TypeScript", "a.jsx", "typescript"},
	}
	for _, tt := range tests {
		if got := schemaLanguageForFile(tt.enry, tt.name); got != tt.want {
			t.Errorf("schemaLanguageForFile(%q, %q) = %q, want %q", tt.enry, tt.name, got, tt.want)
		}
	}
}

// TestSchemaLanguagesClosed checks that every id the census can report is
// one of codegraph's language ids, the schema's closed set.
func TestSchemaLanguagesClosed(t *testing.T) {
	t.Parallel()
	allowed := schema.Languages()
	check := func(from, id string) {
		if !slices.Contains(allowed, id) {
			t.Errorf("%s maps to %q, which is not a schema language id", from, id)
		}
	}
	check("Other", Other)
	for name, id := range enryToSchema {
		check(name, id)
	}
	for name := range data.LanguagesType { // every language go-enry can name
		check(name, SchemaLanguage(name))
		check(name+" (.jsx)", schemaLanguageForFile(name, "x.jsx"))
	}
	for _, name := range extraExtensions {
		check(name, SchemaLanguage(name))
	}
}

// TestMappingNamesExist catches a typo or a linguist rename: every name in
// the mapping must be a language go-enry knows, except the ones the census
// adds itself.
func TestMappingNamesExist(t *testing.T) {
	t.Parallel()
	notInEnry := map[string]bool{"JSX": true, arkTS: true}
	for name := range enryToSchema {
		if notInEnry[name] {
			if _, ok := data.LanguagesType[name]; ok {
				t.Errorf("%q is now a go-enry language; drop it from notInEnry", name)
			}
			continue
		}
		if _, ok := data.LanguagesType[name]; !ok {
			t.Errorf("%q is not a go-enry language name", name)
		}
	}
	for ext, name := range extraExtensions {
		if langs := enry.GetLanguagesByExtension("x"+ext, nil, nil); len(langs) > 0 {
			t.Errorf("extension %s is now claimed by go-enry (%v); drop the override for %s", ext, langs, name)
		}
	}
}
