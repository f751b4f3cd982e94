package buildinfo

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
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

// TestMakefileStampsThisPackage guards the link-time stamping: `make build`
// sets Version and Commit with -ldflags -X <import path>.Version, and a -X
// naming a package that moved is silently ignored by the linker, leaving
// every release reporting "dev".
func TestMakefileStampsThisPackage(t *testing.T) {
	t.Parallel()
	makefile, err := os.ReadFile(filepath.Join(testkit.RepoRoot(), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	pkg := reflect.TypeOf(marker{}).PkgPath()
	for _, v := range []string{"Version", "Commit"} {
		if !strings.Contains(string(makefile), "-X "+pkg+"."+v+"=") {
			t.Errorf("the Makefile does not stamp %s.%s with -X", pkg, v)
		}
	}
}

// marker gives the test this package's import path.
type marker struct{}

// TestUnstampedVersionSaysDev: a build that was not stamped reports a
// SemVer pre-release of 0.0.0, never a bare commit hash or "dev".
func TestUnstampedVersionSaysDev(t *testing.T) {
	if Version != "" {
		t.Skip("stamped build")
	}
	v := CodegraphVersion()
	if !strings.HasPrefix(v, DevVersion) || len(v) > 32 {
		t.Errorf("unstamped version %q, want %s[+commit] of at most 32 characters", v, DevVersion)
	}
}
