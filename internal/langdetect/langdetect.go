package langdetect

import (
	"path"
	"strings"
)

// HeadSize is how much of a file's start the census reads when a file's
// name leaves its language open: go-enry's binary sniffing window (8000
// bytes) with room to spare. Linguist's heuristics look at the start of a
// file, and reading less keeps a census fast on large files.
const HeadSize = 8 << 10

// Language is a detected language.
type Language struct {
	// Name is GitHub linguist's name for it ("C++", "TypeScript",
	// "Markdown"), or ArkTS for .ets files.
	Name string
	// ID is codegraph's schema language id ("cpp"), Other when codegraph
	// has none.
	ID string
}

// Guess is what a file's name alone says about its language; ByName makes
// one.
type Guess struct {
	name  string
	cands []lang // from the file name or extension tables (static, shared)
	extra string // a language linguist does not know (ArkTS)
}

// ByName looks a file's base name up in linguist's tables: exact file names
// (Makefile, Dockerfile) first, then extensions (longest dotted suffix
// first, case-blind), then the extensions only codegraph knows (.ets). It
// reads nothing, and allocates only to lower-case a name with capitals.
func ByName(name string) Guess {
	g := Guess{name: name}
	if g.cands = byFilename(name); len(g.cands) == 0 {
		if g.cands = byExtension(name); len(g.cands) == 0 {
			g.extra = extraLanguage(name)
		}
	}
	return g
}

// Unknown reports that no language claims the name's extension (images,
// archives, lock files …): such a file is never counted and never needs
// reading. A name without an extension is not Unknown: a shebang may name
// its language.
func (g Guess) Unknown() bool {
	return len(g.cands) == 0 && g.extra == "" && strings.Contains(g.name, ".")
}

// NeedsContent reports whether the language depends on the file's content:
// several languages claim the name (.h, .m, .ts, .pl …), or none does and
// the name has no extension (a script with a shebang). Decide then needs the
// file's first HeadSize bytes, which the caller should check with IsBinary
// first.
func (g Guess) NeedsContent() bool {
	return len(g.cands) > 1 || (len(g.cands) == 0 && g.extra == "" && !strings.Contains(g.name, "."))
}

// Decide names the file's language from its name and, when NeedsContent,
// its first bytes head (ignored otherwise), exactly as go-enry's
// GetLanguage would: modelines, file name, shebang, extension, XML
// declaration, manual page names, content heuristics, then the naive Bayes
// classifier. One difference: where the classifier scores candidates
// equal, go-enry's answer varies from run to run (it ranks in map order);
// Decide's is the first of them in linguist's (alphabetical) order.
//
// counted reports whether the census counts the file: some language was
// found, and it has a schema id or is a programming or markup language in
// linguist's sense (the rule behind GitHub's language bar). Prose (Markdown,
// plain text) and other data (JSON, TOML, CSV) are not counted; YAML, XML
// and Java properties are, because codegraph has ids for them. Generated
// files are IsGenerated's to rule out.
func (g Guess) Decide(head []byte) (l Language, counted bool) {
	var lg lang
	switch {
	case g.extra != "":
		// Not a linguist language: its id decides.
		l = Language{Name: g.extra, ID: SchemaID(g.extra)}
		return l, l.ID != Other
	case len(g.cands) == 1:
		lg = g.cands[0]
	case g.Unknown():
		return Language{}, false
	default:
		var ok bool
		if lg, ok = getLanguage(g.name, head); !ok {
			return Language{}, false
		}
	}
	l = Language{Name: lg.name(), ID: schemaIDForFile(lg.name(), g.name)}
	t := languageTypes[lg]
	return l, l.ID != Other || t == typeProgramming || t == typeMarkup
}

// Detect is the census's whole decision for one file, for callers that hold
// its start already: rel is its slash-separated path below the project root
// and head its first bytes (HeadSize is enough; nil when unread). It
// reports the language and whether the census counts the file: the name
// names a language (ByName, Decide), no directory of rel nor rel itself is
// excluded (ExcludedDir, ExcludedFile), the content, when the name leaves
// the language open, is not binary, and the file is not generated
// (IsGenerated).
//
// Like the census, Detect gives head to the generated-code checks only when
// the name needed the content: a census never reads a file whose name
// settles its language, so a "Code generated" Go file counts as Go.
//
// The census's own walk rules (hidden files and directories, .gitignore,
// node_modules) are not Detect's.
func Detect(rel string, head []byte) (l Language, counted bool) {
	g := ByName(path.Base(rel))
	if g.Unknown() {
		return Language{}, false
	}
	for i := 0; i < len(rel); i++ {
		if rel[i] == '/' && ExcludedDir(rel[:i+1]) {
			return Language{}, false
		}
	}
	if ExcludedFile(rel) {
		return Language{}, false
	}
	if g.NeedsContent() {
		if IsBinary(head) {
			return Language{}, false
		}
	} else {
		head = nil
	}
	l, counted = g.Decide(head)
	if !counted {
		return l, false
	}
	return l, !IsGenerated(rel, head)
}
