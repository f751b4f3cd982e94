package census

import "testing"

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
