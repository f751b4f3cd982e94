package testkit

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/getcodegraph/codegraph-install"

// TestLayoutMatchesArchitecture holds ARCHITECTURE.md's package table
// against the code: every package of the module has a row, and imports of
// this module's packages (test files aside) are only those its row allows.
// testkit itself may be imported by test files alone.
func TestLayoutMatchesArchitecture(t *testing.T) {
	t.Parallel()
	allowed := readLayout(t, filepath.Join(RepoRoot(), "ARCHITECTURE.md"))
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Imports " "}}`, "./...")
	cmd.Dir = RepoRoot()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, imports, _ := strings.Cut(line, "|")
		pkg := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
		seen[pkg] = true
		may, ok := allowed[pkg]
		if !ok {
			t.Errorf("package %s has no row in ARCHITECTURE.md", pkg)
			continue
		}
		for _, imp := range strings.Fields(imports) {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, module+"/")
			if dep == "internal/testkit" {
				t.Errorf("%s imports internal/testkit outside its tests", pkg)
			} else if !may[dep] {
				t.Errorf("%s imports %s, which its row in ARCHITECTURE.md does not allow", pkg, dep)
			}
		}
	}
	var stale []string
	for pkg := range allowed {
		if !seen[pkg] {
			stale = append(stale, pkg)
		}
	}
	sort.Strings(stale)
	for _, pkg := range stale {
		t.Errorf("ARCHITECTURE.md has a row for %s, which is not a package", pkg)
	}
}

// readLayout parses the table between the layout markers: the first column
// names the package, the last the packages it may import.
func readLayout(t *testing.T, path string) map[string]map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	code := regexp.MustCompile("`([^`]+)`")
	layout := map[string]map[string]bool{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "<!-- layout:"):
			in = true
			continue
		case strings.HasPrefix(line, "<!-- end layout"):
			in = false
		}
		if !in || !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		pkg := code.FindStringSubmatch(cells[0])
		if len(cells) < 3 || pkg == nil {
			t.Fatalf("ARCHITECTURE.md: cannot read the row %q", line)
		}
		may := map[string]bool{}
		for _, m := range code.FindAllStringSubmatch(cells[len(cells)-1], -1) {
			may[m[1]] = true
		}
		layout[pkg[1]] = may
	}
	if len(layout) == 0 {
		t.Fatal("ARCHITECTURE.md: no layout table between the markers")
	}
	return layout
}
