// Package langdetect names a file's language the way GitHub linguist (and
// go-enry, its Go port) does, and maps it to codegraph's schema language ids,
// without go-enry at run time.
//
// go-enry builds all of its data (token frequencies, name tables, ~600
// compiled regular expressions) at package initialisation: ~125 ms and ~16 MB
// in every process that links it, although only `codegraph init` takes a
// language census. This package holds the same data as plain literals
// generated at build time (tables_generated.go, classifier_generated.go, by
// `go generate ./internal/langdetect/`, see gen/), so its initialisation does
// nothing, and compiles each regular expression only when a file first needs
// it.
//
// It owns:
//   - the detection decision of the census: ByName (name tables), Guess.Decide
//     (go-enry's strategies, content heuristics and naive Bayes classifier,
//     ported), Detect (the whole decision for one file);
//   - linguist's path rules: ExcludedDir, ExcludedFile (vendored code and
//     documentation) and IsGenerated (generated files);
//   - the mapping from linguist names to schema ids: SchemaID.
//
// It never reads a file, walks a directory or keeps state between calls
// beyond its lazily compiled expressions and parsed classifier tables; the
// caller reads a file's first HeadSize bytes when NeedsContent says so. It
// never reports a path: it only answers questions about one.
//
// Source data: github.com/go-enry/go-enry/v2 (the version in go.mod,
// Apache-2.0), whose data package is extracted from GitHub linguist (v9.5.0
// for go-enry v2.9.6; MIT). The generated files' headers name the exact
// versions. The strategies, the tokenizer and the content-based
// generated-code checks are ported from go-enry v2.9.6 (Apache-2.0). go-enry
// is a test-only dependency of this package: the differential test checks
// the port against it, and TestGeneratedFilesUpToDate that the committed
// tables are a fresh generation.
package langdetect
