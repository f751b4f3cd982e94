package langdetect

// A port of go-enry's GetLanguages (common.go, go-enry v2.9.6, Apache-2.0):
// the same strategies in the same order with the same quirks, over the
// generated tables. Keeping the quirks (an unanchored "xml version=" test,
// env options recognised by a dash anywhere, the manual page pattern …) is
// the point: the census must count what it counted with go-enry, and the
// differential test holds the two together.

import (
	"bufio"
	"bytes"
	"path"
	"path/filepath"
	"strings"
)

// binSniffLen is how much of the content IsBinary looks at (git's rule).
const binSniffLen = 8000

// IsBinary reports whether head looks binary: a NUL byte in its first 8000
// bytes, as git and linguist decide.
func IsBinary(head []byte) bool {
	if len(head) > binSniffLen {
		head = head[:binSniffLen]
	}
	return bytes.IndexByte(head, 0) >= 0
}

// strategy narrows a file's languages; candidates are the last strategy's
// answer when it named several.
type strategy func(filename string, content []byte, candidates []lang) []lang

// strategies is go-enry's DefaultStrategies.
var strategies = [...]strategy{
	byModeline,
	byFilenameStrategy,
	byShebang,
	byExtensionStrategy,
	byXML,
	byManpage,
	byContent,
	byClassifier,
}

// getLanguage is go-enry's GetLanguage: the first language of getLanguages,
// ok false when there is none.
func getLanguage(filename string, content []byte) (lang, bool) {
	ls := getLanguages(filename, content)
	if len(ls) == 0 {
		return 0, false
	}
	return ls[0], true
}

// getLanguages runs the strategies until one names a single language; else
// it returns the last strategy's several. Binary content has none.
func getLanguages(filename string, content []byte) []lang {
	if IsBinary(content) {
		return nil
	}
	var languages []lang
	for _, s := range strategies {
		c := s(filename, content, languages)
		if len(c) == 0 {
			continue
		}
		if len(c) == 1 {
			return c
		}
		languages = c
	}
	return languages
}

// byModeline reads an Emacs or Vim modeline in the first or last five lines.
func byModeline(_ string, content []byte, _ []lang) []lang {
	headFoot := headerAndFooter(content)
	if l, ok := byEmacsModeline(headFoot); ok {
		return []lang{l}
	}
	if l, ok := byVimModeline(headFoot); ok {
		return []lang{l}
	}
	return nil
}

// headerAndFooter is go-enry's getHeaderAndFooter, index arithmetic and all.
func headerAndFooter(content []byte) []byte {
	const searchScope = 5
	if len(content) == 0 {
		return content
	}
	if bytes.Count(content, []byte("\n")) < 2*searchScope {
		return content
	}
	header := headScope(content, searchScope)
	footer := footScope(content, searchScope)
	headerAndFooter := make([]byte, 0, len(content[:header])+len(content[footer:]))
	headerAndFooter = append(headerAndFooter, content[:header]...)
	headerAndFooter = append(headerAndFooter, content[footer:]...)
	return headerAndFooter
}

func headScope(content []byte, scope int) (index int) {
	for i := 0; i < scope; i++ {
		eol := bytes.IndexAny(content, "\n")
		content = content[eol+1:]
		index += eol
	}
	return index + scope - 1
}

func footScope(content []byte, scope int) (index int) {
	for i := 0; i < scope; i++ {
		index = bytes.LastIndexAny(content, "\n")
		content = content[:index]
	}
	return index + 1
}

var (
	reEmacsModeline = lazyRegexp{src: `.*-\*-\s*(.+?)\s*-\*-.*(?m:$)`}
	reEmacsLang     = lazyRegexp{src: `.*(?i:mode)\s*:\s*([^\s;]+)\s*;*.*`}
	reVimModeline   = lazyRegexp{src: `(?:(?m:\s|^)vi(?:m[<=>]?\d+|m)?|[\t\x20]*ex)\s*[:]\s*(.*)(?m:$)`}
	reVimLang       = lazyRegexp{src: `(?i:filetype|ft|syntax)\s*=(\w+)(?:\s|:|$)`}
)

func byEmacsModeline(content []byte) (lang, bool) {
	// Every match holds "-*-" twice: without one, skip the regexp.
	if !bytes.Contains(content, []byte("-*-")) {
		return 0, false
	}
	matched := reEmacsModeline.get().FindAllSubmatch(content, -1)
	if matched == nil {
		return 0, false
	}
	// Only the last modeline counts.
	last := matched[len(matched)-1][1]
	var alias string
	if m := reEmacsLang.get().FindSubmatch(last); m != nil {
		alias = string(m[1])
	} else {
		alias = string(last)
	}
	return languageByAlias(alias)
}

func byVimModeline(content []byte) (lang, bool) {
	// An answer needs a modeline ("vi…:" or "ex:") holding a setting
	// ("ft=…"): without "vi" or "ex", a colon and an equals sign, skip the
	// regexps.
	if !(bytes.Contains(content, []byte("vi")) || bytes.Contains(content, []byte("ex"))) ||
		bytes.IndexByte(content, ':') < 0 || bytes.IndexByte(content, '=') < 0 {
		return 0, false
	}
	matched := reVimModeline.get().FindAllSubmatch(content, -1)
	if matched == nil {
		return 0, false
	}
	last := matched[len(matched)-1][1]
	aliases := reVimLang.get().FindAllSubmatch(last, -1)
	if aliases == nil {
		return 0, false
	}
	alias := string(aliases[0][1])
	// Several settings must agree, or the modeline says nothing.
	for _, m := range aliases[1:] {
		if string(m[1]) != alias {
			return 0, false
		}
	}
	return languageByAlias(alias)
}

// languageByAlias is go-enry's LanguageByAlias.
func languageByAlias(a string) (lang, bool) {
	key := aliasKey(a)
	i, j := 0, len(aliases)
	for i < j {
		h := int(uint(i+j) >> 1)
		if aliases[h].key < key {
			i = h + 1
		} else {
			j = h
		}
	}
	if i < len(aliases) && aliases[i].key == key {
		return aliases[i].lang, true
	}
	return 0, false
}

// aliasKey is go-enry's convertToAliasKey: up to the first comma, spaces as
// underscores, lower case.
func aliasKey(s string) string {
	s, _, _ = strings.Cut(s, ",")
	return strings.ToLower(strings.ReplaceAll(s, " ", "_"))
}

func byFilenameStrategy(filename string, _ []byte, _ []lang) []lang {
	return byFilename(filename)
}

// byFilename is go-enry's GetLanguagesByFilename.
func byFilename(filename string) []lang {
	if filename == "" {
		return nil
	}
	return lookup(byFilenameTable[:], filepath.Base(filename))
}

func byShebang(_ string, content []byte, _ []lang) []lang {
	interp := interpreter(content)
	if interp == "" {
		return nil
	}
	return lookup(byInterpreterTable[:], interp)
}

var (
	reShebangExecHack = lazyRegexp{src: `exec (\w+).+\$0.+\$@`}
	rePythonVersion   = lazyRegexp{src: `python\d\.\d+`}
	reEnvOptArgs      = lazyRegexp{src: `-[i0uCSv]*|--\S+`}
	reEnvVarArgs      = lazyRegexp{src: `\S+=\S+`}
)

// interpreter is go-enry's getInterpreter: the program a "#!" line runs,
// looking through env and through the sh-then-exec trick.
func interpreter(data []byte) string {
	line := firstLines(data, 1)
	if !bytes.HasPrefix(line, []byte("#!")) {
		return ""
	}
	line = bytes.TrimSpace(line[2:])
	fields := bytes.Fields(line)
	if len(fields) == 0 {
		return ""
	}
	// path.Base: shebangs use forward slashes even on Windows.
	interp := path.Base(string(fields[0]))
	if interp == "env" {
		if len(fields) == 1 {
			return ""
		}
		for len(fields) > 2 {
			if reEnvOptArgs.get().Match(fields[1]) || reEnvVarArgs.get().Match(fields[1]) {
				fields = append(fields[:1], fields[2:]...)
				continue
			}
			break
		}
		interp = path.Base(string(fields[1]))
	}
	if interp == "sh" {
		interp = multilineExec(data)
	}
	if rePythonVersion.get().MatchString(interp) {
		interp = interp[:strings.Index(interp, ".")]
	}
	// osascript -l may run another language (as linguist's shebang.rb).
	if interp == "osascript" && bytes.Contains(line, []byte("-l")) {
		interp = ""
	}
	return interp
}

// multilineExec is go-enry's lookForMultilineExec.
func multilineExec(data []byte) string {
	const magicNumOfLines = 5
	interp := "sh"
	buf := bufio.NewScanner(bytes.NewReader(data))
	for i := 0; i < magicNumOfLines && buf.Scan(); i++ {
		line := buf.Bytes()
		if reShebangExecHack.get().Match(line) {
			interp = reShebangExecHack.get().FindStringSubmatch(string(line))[1]
			break
		}
	}
	return interp
}

// firstLines is go-enry's getFirstLines: up to count lines, without the
// last newline; all of content when it has fewer.
func firstLines(content []byte, count int) []byte {
	nlpos := -1
	for ; count > 0; count-- {
		pos := bytes.IndexByte(content[nlpos+1:], '\n')
		if pos < 0 {
			return content
		}
		nlpos += pos + 1
	}
	return content[:nlpos]
}

func byExtensionStrategy(filename string, _ []byte, _ []lang) []lang {
	return byExtension(filename)
}

// byExtension is go-enry's GetLanguagesByExtension: the longest known
// dotted suffix wins ("x.tar.gz" tries ".tar.gz", then ".gz"), case-blind.
func byExtension(filename string) []lang {
	if !strings.Contains(filename, ".") {
		return nil
	}
	filename = strings.ToLower(filename)
	for i := 0; i < len(filename); i++ {
		if filename[i] != '.' {
			continue
		}
		if ls := lookup(byExtensionTable[:], filename[i:]); ls != nil {
			return ls
		}
	}
	return nil
}

// byXML passes earlier candidates through; without any, an XML declaration
// in the first two lines means XML. go-enry's pattern is `<?xml version=`,
// in which "<?" is an optional "<": it matches any "xml version=".
func byXML(_ string, content []byte, candidates []lang) []lang {
	if len(candidates) > 0 {
		return candidates
	}
	if bytes.Contains(firstLines(content, 2), []byte("xml version=")) {
		return xmlOnly[:]
	}
	return nil
}

var (
	xmlOnly         = [...]lang{langXML}
	manpageLangs    = [...]lang{langRoffManpage, langRoff}
	reManpageSuffix = lazyRegexp{src: `\.(?:[1-9](?:[a-z_]+[a-z_0-9]*)?|0p|n|man|mdoc)(?:\.in)?$`}
)

// byManpage names Roff for manual page file names (go-enry's
// GetLanguagesByManpage).
func byManpage(filename string, _ []byte, _ []lang) []lang {
	// Every match holds a dot; most names have one, so this only spares the
	// regexp for names without.
	if !strings.Contains(filename, ".") {
		return nil
	}
	if reManpageSuffix.get().MatchString(strings.ToLower(filename)) {
		return manpageLangs[:]
	}
	return nil
}

func byClassifier(_ string, content []byte, candidates []lang) []lang {
	if len(candidates) == 0 {
		return nil
	}
	return classify(content, candidates)
}
