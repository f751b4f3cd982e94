package audit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// socketFile is the one file of the codegraph binary that sends.
const socketFile = "telemetry/transport.go"

// TestReadingTheCodeIsTrue keeps TELEMETRY.md's "Reading the code" true:
// every file it names exists, it names socketFile for sockets, and in the
// codegraph binary (the default build and the pro build) no other file
// uses the network: a file may import net/http only to accept an injected
// *http.Client, and nothing else imports a networking package.
func TestReadingTheCodeIsTrue(t *testing.T) {
	root := harness.RepoRoot()
	doc, err := os.ReadFile(filepath.Join(root, "TELEMETRY.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := string(doc)
	i := strings.Index(section, "## Reading the code")
	if i < 0 {
		t.Fatal(`TELEMETRY.md has no "## Reading the code" section`)
	}
	section = section[i+3:]
	if j := strings.Index(section, "\n## "); j >= 0 {
		section = section[:j]
	}
	named := regexp.MustCompile("`([a-z0-9_/]+\\.go)`").FindAllStringSubmatch(section, -1)
	if len(named) < 5 {
		t.Fatalf("the section names %d files", len(named))
	}
	for _, m := range named {
		if _, err := os.Stat(filepath.Join(root, m[1])); err != nil {
			t.Errorf("TELEMETRY.md names %s: %v", m[1], err)
		}
	}
	if !regexp.MustCompile("when a socket is opened \\| `" + regexp.QuoteMeta(socketFile) + "`").MatchString(section) {
		t.Errorf("the section does not name %s as the file that opens sockets", socketFile)
	}

	for _, tags := range []string{"", "pro"} {
		for _, file := range binaryFiles(t, root, tags) {
			rel, _ := filepath.Rel(root, file)
			rel = filepath.ToSlash(rel)
			if rel == socketFile {
				continue
			}
			checkNoNetwork(t, tags, file, rel)
		}
	}
}

// binaryFiles lists the Go files of this module that the codegraph binary
// is built from, with the given build tags.
func binaryFiles(t *testing.T, root, tags string) []string {
	t.Helper()
	mod := "github.com/getcodegraph/codegraph-install"
	args := []string{"list", "-deps", "-f", `{{if and .Module (eq .Module.Path "` + mod + `")}}{{.Dir}}|{{join .GoFiles ","}}{{end}}`}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.Command("go", append(args, "./cmd/codegraph-install")...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var files []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		dir, names, ok := strings.Cut(line, "|")
		if !ok || names == "" {
			continue
		}
		for _, n := range strings.Split(names, ",") {
			files = append(files, filepath.Join(dir, n))
		}
	}
	if len(files) < 20 {
		t.Fatalf("go list found %d files", len(files))
	}
	return files
}

// checkNoNetwork fails for a file that imports a networking package, or
// uses net/http for anything but the http.Client type.
func checkNoNetwork(t *testing.T, tags, path, rel string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	httpName := ""
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		switch {
		case p == "net/http":
			httpName = "http"
			if imp.Name != nil {
				httpName = imp.Name.Name
			}
		case p == "net" || strings.HasPrefix(p, "net/") || p == "crypto/tls":
			t.Errorf("%s (tags %q) imports %s: only %s may use the network", rel, tags, p, socketFile)
		}
	}
	if httpName == "" {
		return
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == httpName && sel.Sel.Name != "Client" {
			t.Errorf("%s (tags %q) uses http.%s: outside %s, net/http is only for an injected *http.Client", rel, tags, sel.Sel.Name, socketFile)
		}
		return true
	})
}
