package buildinfo

import (
	"testing"

	_ "github.com/getcodegraph/codegraph-install/internal/golden"
)

func TestGoMajorMinor(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"go1.26.8":  "1.26",
		"go1.27rc1": "1.27",
		"go1.26":    "1.26",
		"devel +x":  "",
		"go2":       "",
	} {
		if got := GoMajorMinor(in); got != want {
			t.Errorf("GoMajorMinor(%q) = %q, want %q", in, got, want)
		}
	}
}
