package census

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

func TestParseIgnore(t *testing.T) {
	t.Parallel()
	content := "\xef\xbb\xbf# comment\n\n   \n*.log\r\n!keep.log\nbuild/\n\\#hash\n"
	m := gitignore.NewMatcher(parseIgnore([]byte(content), nil))
	tests := []struct {
		path  string
		isDir bool
		want  bool
	}{
		{"a.log", false, true},
		{"keep.log", false, false},
		{"build", true, true},
		{"build", false, false},
		{"#hash", false, true},
		{"# comment", false, false},
		{"main.go", false, false},
	}
	for _, tt := range tests {
		if got := m.Match(strings.Split(tt.path, "/"), tt.isDir); got != tt.want {
			t.Errorf("Match(%q, dir=%v) = %v, want %v", tt.path, tt.isDir, got, tt.want)
		}
	}
}

// FuzzParseIgnore: .gitignore files are untrusted input; splitting them and
// matching their patterns must never panic.
func FuzzParseIgnore(f *testing.F) {
	f.Add([]byte("*.log\n!keep.log\nbuild/\n**/x/**\n/a/b\n"), "src/x/y.go")
	f.Add([]byte("\\!odd\r\n[a-\n**\n!\n/\n"), "a")
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		ps := parseIgnore(data, []string{"root"})
		m := gitignore.NewMatcher(ps)
		parts := append([]string{"root"}, strings.Split(path, "/")...)
		m.Match(parts, false)
		m.Match(parts, true)
	})
}
