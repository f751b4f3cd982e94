// Package testkit is the one test-support package of this module, imported
// only by _test.go files: golden files under the repository's golden/
// directory (rewritten by `go test ./... -update`), a hermetic home
// directory and environment for the injected Getenv of every library
// package, and the repository root (from package harness, which also builds
// the real binaries for the tests that run them).
//
// The -update flag is registered here, once: every test package uses this
// package for its goldens or its environment, so every test binary accepts
// the flag and `go test ./... -update` runs everywhere.
package testkit

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

func init() {
	// Another test helper may have registered -update already (teatest's
	// golden package does, and initialises first): share that flag instead
	// of panicking on a second registration.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under golden/")
	}
}

// Updating reports whether the test run was asked to rewrite golden files.
func Updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// GoldenPath names a golden file by its slash-separated name below golden/.
func GoldenPath(name string) string {
	return filepath.Join(harness.RepoRoot(), "golden", filepath.FromSlash(name))
}

// Golden compares got with golden/name. With -update it writes got instead.
// On mismatch it fails the test with a line diff so the reviewer sees what
// changed without opening the files.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := GoldenPath(name)
	if Updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("golden: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v (run `go test ./... -update` to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("golden %s differs (run `go test ./... -update` if the change is intended):\n%s", name, lineDiff(string(want), string(got)))
	}
}

// lineDiff is a small, dependency-free diff: lines only in want are marked
// "-", lines only in got "+". It is for human eyes, not for patching.
func lineDiff(want, got string) string {
	w := strings.Split(want, "\n")
	g := strings.Split(got, "\n")
	// Longest common subsequence table; golden files are small.
	n, m := len(w), len(g)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if w[i] == g[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && w[i] == g[j]:
			b.WriteString("  " + w[i] + "\n")
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			b.WriteString("+ " + g[j] + "\n")
			j++
		default:
			b.WriteString("- " + w[i] + "\n")
			i++
		}
	}
	return b.String()
}

// Home returns a fresh home directory for one test, so no test ever
// touches the real one.
func Home(t testing.TB) string {
	t.Helper()
	return t.TempDir()
}

// Env returns a hermetic Getenv holding only the given KEY=value pairs:
// what the library packages read instead of the process environment.
func Env(pairs ...string) func(string) string {
	m := make(map[string]string, len(pairs))
	for _, kv := range pairs {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// RepoRoot is the module's root directory (harness.RepoRoot, the one place
// that finds it).
func RepoRoot() string { return harness.RepoRoot() }
