package census

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// writeTree creates files (slash-separated path → content) below root.
func writeTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func take(t *testing.T, dir string) Result {
	t.Helper()
	r, err := Take(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("Take(%s): %v", dir, err)
	}
	return r
}

func checkCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	if want == nil {
		want = map[string]int{}
	}
	if !maps.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestTake(t *testing.T) {
	t.Parallel()
	const (
		goSrc    = "package main\n\nfunc main() {}\n"
		pySrc    = "print('hi')\n"
		jsSrc    = "export const x = 1;\n"
		pyScript = "#!/usr/bin/env python3\nprint('hi')\n"
	)
	tests := []struct {
		name        string
		files       map[string]string
		langs       map[string]int
		schema      map[string]int // nil: not checked
		wantSkipped int
	}{
		{
			name: "root gitignore",
			files: map[string]string{
				".gitignore":    "# build output\n\nbuild/\n/top.py\n*.tmp.go\n",
				"main.go":       goSrc,
				"a.tmp.go":      goSrc,
				"build/out.go":  goSrc,
				"top.py":        pySrc,
				"sub/top.py":    pySrc, // "/top.py" is anchored to the root
				"sub/b.tmp.go":  goSrc,
				"sub/build/x.c": "int x;\n",
			},
			langs:  map[string]int{"Go": 1, "Python": 1},
			schema: map[string]int{"go": 1, "python": 1},
		},
		{
			name: "nested gitignore with negation",
			files: map[string]string{
				".gitignore":     "*.py\n",
				"a.py":           pySrc,
				"pkg/.gitignore": "!keep.py\r\n", // CRLF from a Windows editor
				"pkg/keep.py":    pySrc,
				"pkg/other.py":   pySrc,
				"lib/keep.py":    pySrc, // pkg's rule does not reach lib
				"lib/x.go":       goSrc,
			},
			langs: map[string]int{"Python": 1, "Go": 1},
		},
		{
			name: "nested gitignore applies below its directory only",
			files: map[string]string{
				"a/.gitignore": "*.go\n",
				"a/x.go":       goSrc,
				"a/deep/y.go":  goSrc,
				"b/z.go":       goSrc,
			},
			langs: map[string]int{"Go": 1},
		},
		{
			name: "negation in the same file",
			files: map[string]string{
				".gitignore": "*.js\n!keep.js\n",
				"a.js":       jsSrc,
				"keep.js":    jsSrc,
				"x/keep.js":  jsSrc,
			},
			langs: map[string]int{"JavaScript": 2},
		},
		{
			name: "directory pattern matches directories only",
			files: map[string]string{
				".gitignore":  "gen/\n",
				"gen/a.go":    goSrc,
				"x/gen/b.go":  goSrc,
				"tools/gen":   pyScript, // a file named gen is not ignored
				"tools/run.c": "int main(void){return 0;}\n",
			},
			langs:  map[string]int{"Python": 1, "C": 1},
			schema: map[string]int{"python": 1, "c": 1},
		},
		{
			name: "double star and anchored paths",
			files: map[string]string{
				".gitignore":         "**/fixtures/**\nsrc/*.gen.ts\n",
				"a/fixtures/x.go":    goSrc,
				"src/api.gen.ts":     jsSrc,
				"src/api.ts":         jsSrc,
				"src/deep/b.gen.ts":  jsSrc, // * does not cross /
				"src/deep/keep.java": "class A {}\n",
			},
			langs: map[string]int{"TypeScript": 2, "Java": 1},
		},
		{
			name: "git exclude file",
			files: map[string]string{
				".git/info/exclude": "local.py\n",
				"local.py":          pySrc,
				"main.go":           goSrc,
			},
			langs: map[string]int{"Go": 1},
		},
		{
			name: "vendored hidden documentation and tooling trees",
			files: map[string]string{
				"main.go":                  goSrc,
				"node_modules/x/index.js":  jsSrc,
				"web/node_modules/y.js":    jsSrc,
				"vendor/lib/lib.go":        goSrc,
				".git/hooks/pre-commit.py": pySrc,
				".codegraph/cache.go":      goSrc,
				".github/workflows/ci.py":  pySrc,
				".venv/lib/site.py":        pySrc,
				"third_party/z.c":          "int z;\n",
				"dist/app.js":              jsSrc,
				"static/app.min.js":        jsSrc,
				"docs/conf.py":             pySrc,
				"README.md":                "# hi\n",
				".eslintrc.js":             jsSrc,
			},
			langs: map[string]int{"Go": 1},
		},
		{
			name: "generated files",
			files: map[string]string{
				"Form.designer.cs":    "class F {}\n",
				"__generated__/q.ts":  jsSrc,
				"pnpm-lock.yaml":      "lockfileVersion: 9\n",
				"src/Program.cs":      "class P {}\n",
				"api/types.pb.go.txt": "not go\n",
			},
			langs:  map[string]int{"C#": 1},
			schema: map[string]int{"csharp": 1},
		},
		{
			name: "ambiguous .h read by content",
			files: map[string]string{
				"c.h":    "int f(void);\n",
				"cpp.h":  "namespace app {\nclass Widget;\n}\n",
				"objc.h": "#import <Foundation/Foundation.h>\n@interface Foo : NSObject\n@end\n",
			},
			langs:  map[string]int{"C": 1, "C++": 1, "Objective-C": 1},
			schema: map[string]int{"c": 1, "cpp": 1, "objc": 1},
		},
		{
			name: "ambiguous .ts TypeScript or Qt XML",
			files: map[string]string{
				"app.ts":    "export const answer: number = 42;\n",
				"app_de.ts": `<?xml version="1.0" encoding="utf-8"?>` + "\n<!DOCTYPE TS>\n<TS version=\"2.1\" language=\"de\">\n</TS>\n",
			},
			langs:  map[string]int{"TypeScript": 1, "XML": 1},
			schema: map[string]int{"typescript": 1, "xml": 1},
		},
		{
			name: "data languages in the schema count",
			files: map[string]string{
				"config.yml":          "name: app\nversion: 2\n",
				"pom.xml":             "<project></project>\n",
				"layout.xml":          "<LinearLayout/>\n",
				"app.properties":      "# settings\ngreeting=hello\n",
				"main.tf":             "resource \"x\" \"y\" {}\n",
				"package.json":        "{}\n",
				"notes.md":            "# notes\n",
				"data.csv":            "a,b\n",
				"Cargo.toml":          "[package]\n",
				"img.png":             "\x89PNG\r\n\x1a\n",
				"archive.tar.gz":      "\x1f\x8b",
				"changelog-notes.txt": "text\n",
			},
			langs:  map[string]int{"YAML": 1, "XML": 1, "Maven POM": 1, "Java Properties": 1, "HCL": 1},
			schema: map[string]int{"yaml": 1, "xml": 2, "properties": 1, "terraform": 1},
		},
		{
			name: "unknown languages map to other",
			files: map[string]string{
				"Main.hs":    "main = putStrLn \"hi\"\n",
				"index.html": "<!doctype html><p>hi</p>\n",
				"lib.rs":     "fn main() {}\n",
			},
			langs:  map[string]int{"Haskell": 1, "HTML": 1, "Rust": 1},
			schema: map[string]int{"other": 2, "rust": 1},
		},
		{
			name: "languages linguist folds or lacks",
			files: map[string]string{
				"App.jsx":   "export default () => <div/>;\n",
				"util.js":   jsSrc,
				"Index.ets": "@Entry\n@Component\nstruct Index {}\n",
				"View.tsx":  "export const V = () => <div/>;\n",
			},
			langs:  map[string]int{"JavaScript": 2, "ArkTS": 1, "TSX": 1},
			schema: map[string]int{"javascript": 1, "jsx": 1, "arkts": 1, "tsx": 1},
		},
		{
			name: "binary content is skipped",
			files: map[string]string{
				"blob.h": "\x00\x01\x02binary",
				"ok.h":   "int ok;\n",
				"tool":   "\x7fELF\x00\x00", // no extension: read, binary
			},
			langs:       map[string]int{"C": 1},
			wantSkipped: 2,
		},
		{
			name:  "empty directory",
			files: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTree(t, dir, tt.files)
			r := take(t, dir)
			checkCounts(t, "Languages", r.Languages, tt.langs)
			if tt.schema != nil {
				checkCounts(t, "SchemaLanguages", r.SchemaLanguages, tt.schema)
			}
			total := 0
			for _, n := range tt.langs {
				total += n
			}
			if r.Total != total {
				t.Errorf("Total = %d, want %d", r.Total, total)
			}
			if r.Skipped != tt.wantSkipped {
				t.Errorf("Skipped = %d, want %d", r.Skipped, tt.wantSkipped)
			}
		})
	}
}

func TestTakeSymlinksNotFollowed(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"a.go": "package a\n", "b.go": "package a\n"})
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"main.go": "package main\n"})
	for name, target := range map[string]string{
		"linked-dir":  outside,
		"linked.go":   filepath.Join(outside, "a.go"),
		"loop":        dir, // a cycle, if it were followed
		"dangling.py": filepath.Join(dir, "missing.py"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Skipf("symlinks unavailable: %v", err)
		}
	}
	r := take(t, dir)
	checkCounts(t, "Languages", r.Languages, map[string]int{"Go": 1})
	if r.Skipped != 4 {
		t.Errorf("Skipped = %d, want 4 (one per symlink)", r.Skipped)
	}
}

func TestTakeUnreadable(t *testing.T) {
	t.Parallel()
	// Permission bits do not stop root, so the chmod test proves nothing
	// there; TestClassifyReadError covers the same path another way.
	if os.Geteuid() == 0 {
		t.Skip("running as root: chmod 000 does not make files unreadable")
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"main.go":       "package main\n",
		"secret.h":      "int x;\n",
		"locked/a.go":   "package a\n",
		"readable/b.go": "package b\n",
	})
	for _, p := range []string{"secret.h", "locked"} {
		path := filepath.Join(dir, p)
		if err := os.Chmod(path, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(path, 0o755) })
	}
	r := take(t, dir)
	checkCounts(t, "Languages", r.Languages, map[string]int{"Go": 2})
	if r.Skipped != 2 {
		t.Errorf("Skipped = %d, want 2 (the file and the directory)", r.Skipped)
	}
}

// TestClassifyReadError drives the unreadable-file path even as root: a
// directory named like an ambiguous source file opens but cannot be read.
func TestClassifyReadError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "odd.h"), 0o755); err != nil {
		t.Fatal(err)
	}
	tl := &tally{langs: map[string]int{}, schema: map[string]int{}, buf: make([]byte, headSize)}
	tl.classify(dir, "", "odd.h")  // open succeeds, read fails
	tl.classify(dir, "", "gone.h") // open fails
	if tl.skipped != 2 || tl.total != 0 {
		t.Errorf("skipped, total = %d, %d; want 2, 0", tl.skipped, tl.total)
	}
}

func TestTakeDirErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file.go")
	writeTree(t, dir, map[string]string{"file.go": "package x\n"})
	missing := filepath.Join(dir, "does-not-exist")

	tests := []struct {
		name string
		dir  string
		is   error
	}{
		{"missing", missing, fs.ErrNotExist},
		{"not a directory", file, ErrNotDirectory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Take(context.Background(), tt.dir, Options{})
			if !errors.Is(err, tt.is) {
				t.Fatalf("Take(%s) error = %v, want %v", tt.dir, err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.dir) {
				t.Errorf("error %q does not name %s", err, tt.dir)
			}
		})
	}

	t.Run("unreadable", func(t *testing.T) {
		t.Parallel()
		if os.Geteuid() == 0 {
			t.Skip("running as root: chmod 000 does not make directories unreadable")
		}
		locked := filepath.Join(t.TempDir(), "locked")
		if err := os.Mkdir(locked, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(locked, 0o755) })
		_, err := Take(context.Background(), locked, Options{})
		if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), locked) {
			t.Fatalf("Take(%s) error = %v, want a permission error naming it", locked, err)
		}
	})
}

func TestTakeCanceled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a/b.go": "package b\n", "c/d.go": "package d\n"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Take(ctx, dir, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Take with canceled context: err = %v, want context.Canceled", err)
	}
}

func TestTakeProgressAndClock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 50 {
		files[filepath.Join("pkg", string(rune('a'+i%26)), "f"+strings.Repeat("x", i)+".go")] = "package p\n"
	}
	files["notes.md"] = "# n\n"
	writeTree(t, dir, files)

	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	calls := 0
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return t0.Add(time.Duration(calls-1) * 1500 * time.Millisecond)
	}
	var reports []int
	r, err := Take(context.Background(), dir, Options{
		Now:      clock,
		Progress: func(n int) { reports = append(reports, n) },
		Workers:  3,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 50 {
		t.Errorf("Total = %d, want 50", r.Total)
	}
	if !r.TakenAt.Equal(t0) || r.Duration != 1500*time.Millisecond {
		t.Errorf("TakenAt, Duration = %v, %v; want %v, 1.5s", r.TakenAt, r.Duration, t0)
	}
	if len(reports) == 0 || reports[len(reports)-1] != 51 {
		t.Fatalf("progress reports %v, want the last to be 51 files seen", reports)
	}
	for i := 1; i < len(reports); i++ {
		if reports[i] < reports[i-1] {
			t.Errorf("progress went backwards: %v", reports)
		}
	}
}

// goldenTree is a small project with one file of most kinds the census
// distinguishes; its census.json is golden/census/census.json.
var goldenTree = map[string]string{
	".gitignore":            "dist/\n*.log\n",
	"cmd/app/main.go":       "package main\n",
	"internal/x/x.go":       "package x\n",
	"web/src/app.ts":        "export const a: number = 1;\n",
	"web/src/view.tsx":      "export const V = () => <div/>;\n",
	"web/src/old.jsx":       "export default () => <p/>;\n",
	"web/dist/bundle.js":    "var a;\n",
	"web/node_modules/m.js": "var m;\n",
	"native/lib.h":          "namespace n { class C; }\n",
	"native/lib.cc":         "int f() { return 1; }\n",
	"scripts/deploy":        "#!/bin/sh\necho deploy\n",
	"scripts/tool.py":       "print(1)\n",
	"deploy/values.yaml":    "replicas: 2\n",
	"deploy/main.tf":        "terraform {}\n",
	"Main.hs":               "main = pure ()\n",
	"README.md":             "# project\n",
	"go.mod":                "module example.com/app\n",
	"run.log":               "log\n",
	"blob.h":                "\x00binary",
}

func TestGoldenCensusFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, goldenTree)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	step := 0
	clock := func() time.Time { // Take reads the clock from one goroutine
		step++
		return t0.Add(time.Duration(step-1) * 2345 * time.Millisecond)
	}
	r, err := Take(context.Background(), dir, Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "census/census.json", got)
	if strings.Contains(string(got), "/") {
		t.Errorf("census.json contains a slash, a path may have leaked:\n%s", got)
	}
}
