// Command gen writes internal/langdetect's generated tables from go-enry's
// copy of GitHub linguist's data. It runs through `go generate
// ./internal/langdetect/` (in the package directory); with -check it writes
// nothing and fails when the committed files differ from a fresh generation.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/getcodegraph/codegraph-install/internal/langdetect/internal/tablegen"
)

func main() {
	dir := flag.String("dir", ".", "the langdetect package directory")
	check := flag.Bool("check", false, "compare instead of writing; exit 1 when out of date")
	flag.Parse()

	src, err := tablegen.Locate()
	if err != nil {
		fail(err)
	}
	files, err := tablegen.Generate(src)
	if err != nil {
		fail(err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	stale := false
	for _, name := range names {
		path := filepath.Join(*dir, name)
		if *check {
			old, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(old, files[name]) {
				fmt.Fprintf(os.Stderr, "gen: %s is out of date\n", path)
				stale = true
			}
			continue
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			fail(err)
		}
	}
	if stale {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "gen: %v\n", err)
	os.Exit(1)
}
