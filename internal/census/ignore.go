package census

import (
	"bytes"
	"os"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// Gitignore matching is go-git's plumbing/format/gitignore: it is maintained
// (go-git v5 is the Go git implementation most tools build on), matches
// patterns per directory domain, which is exactly what nested .gitignore files
// need, and implements negation, directory-only patterns, anchoring and "**".
// github.com/sabhiram/go-gitignore was the alternative; it has had no release
// since 2021 and knows nothing of nested files.
//
// go-git reads ignore files only through its billy filesystem abstraction, so
// the census splits the lines itself (parseIgnore) and hands each pattern to
// gitignore.ParsePattern.

// readIgnoreFile reads one ignore file whose patterns apply below domain (the
// directory holding it, as path names below the census root).
func readIgnoreFile(path string, domain []string) ([]gitignore.Pattern, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseIgnore(data, domain), nil
}

// parseIgnore splits ignore-file content into patterns, following
// gitignore(5): blank lines and lines starting with "#" are not patterns;
// CRLF line ends are accepted (files edited on Windows). Escapes such as
// "\#" and "\!" reach the pattern matcher unchanged, which treats the
// backslash as quoting the next character.
func parseIgnore(data []byte, domain []string) []gitignore.Pattern {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // git ignores a UTF-8 BOM too
	var ps []gitignore.Pattern
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 || line[0] == '#' || len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(string(line), domain))
	}
	return ps
}
