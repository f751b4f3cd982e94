package census

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"

	"github.com/go-enry/go-enry/v2"
)

// TestPathRulesAgreeWithEnry checks the fast file-level rules against enry's
// own functions on every path whose directories the walk would not prune.
func TestPathRulesAgreeWithEnry(t *testing.T) {
	t.Parallel()
	dirs := []string{"", "src", "a/b", "lib/js", "extjs", "extjs/src/x", "select2", "flow-typed/npm",
		"font-awesome/less", "Bourbon/core", "d3", "packages/app", "tiny_mce", "prototype/lib",
		"js/vendor2", "CHANGES.d", "static/js", "inst", "web/app/assets", "Documentation2", "mode"}
	names := []string{"main.go", "jquery.js", "jquery-3.1.1.js", "jquery.min.js", "app.min.css",
		"x.d.ts", "types.ts", "README", "README.md", "readme.txt", "LICENSE", "license.md", "CHANGELOG.md",
		"CONTRIBUTING.md", "COPYING", "INSTALL.txt", "CITATION.cff", "bootstrap.js", "bootstrap.min.css",
		"d3.v4.js", "util.js", "langs", "plugins", "react.js", "react-dom.js", "angular.js", "configure",
		"gradlew", "mvnw.cmd", "fabfile.py", "cpplint.py", "foo-vsdoc.js", "Chart.js", "normalize.css",
		"index.xml", "notes.txt", "main.css", "import.scss", "foo_import.less", "Vagrantfile", "Jenkinsfile",
		"aclocal.m4", "MochiKit.js", "yui-min.js", "ckeditor.js", "select2.js", "build.properties", "x.js",
		"Realm.framework", "jquery.fileupload-ui.js", "modernizr-2.6.2.js", "knockout-3.4.0.js", "ÄREADME"}
	checked := 0
	for _, d := range dirs {
		if d != "" && pathPruned(d) {
			continue
		}
		for _, n := range names {
			p := n
			if d != "" {
				p = d + "/" + n
			}
			checked++
			if got, want := fileVendorRules.match(p), enry.IsVendor(p); got != want {
				t.Errorf("vendor(%q) = %v, enry says %v", p, got, want)
			}
			if got, want := fileDocRules.match(p), enry.IsDocumentation(p); got != want {
				t.Errorf("documentation(%q) = %v, enry says %v", p, got, want)
			}
		}
	}
	if checked < 500 {
		t.Fatalf("only %d paths checked; the sample directories are mostly pruned", checked)
	}
}

// pathPruned reports whether the walk would prune d or one of its parents.
func pathPruned(d string) bool {
	parts := strings.Split(d, "/")
	for i := range parts {
		if dirExcluded(strings.Join(parts[:i+1], "/") + "/") {
			return true
		}
	}
	return false
}

func TestRequiredLiterals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want []string
	}{
		{`(^|/)jquery([^.]*)\.js$`, []string{"jquery"}},
		{`(^|/)[Rr]eadme(\.|$)`, []string{"readme"}},
		{`(\.|-)min\.(js|css)$`, []string{"min."}},
		{`(^|/)bootstrap([^/.]*)(\..*)?\.(js|css)$`, []string{"bootstrap"}},
		{`-vsdoc\.js$`, []string{"-vsdoc.js"}},
		{`(^|/)waf$`, []string{"waf"}},
		{`.*`, nil},
		{`a|.*`, nil},
		{`(^|/)Ü/x\.js`, nil}, // non-ASCII literal: no prefilter
	}
	for _, tt := range tests {
		tree, err := syntax.Parse(tt.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got := requiredLiterals(tree.Simplify())
		if !slices.Equal(got, tt.want) {
			t.Errorf("requiredLiterals(%q) = %q, want %q", tt.expr, got, tt.want)
		}
		// Soundness on a sample: whatever matches contains a literal.
		r := regexp.MustCompile(tt.expr)
		for _, s := range []string{"lib/jquery-ui.js", "README.md", "x.min.css", "waf", "a/Ü/x.js", "foo-vsdoc.js"} {
			if got != nil && r.MatchString(s) && !containsAny(strings.ToLower(s), got) {
				t.Errorf("%q matches %q but contains none of %q", tt.expr, s, got)
			}
		}
	}
}
