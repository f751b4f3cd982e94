package installer

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Env is everything the installer reads from the outside world. The CLI
// fills it from the process; tests point it at temp dirs.
type Env struct {
	Home       string                       // user's home directory
	ProjectDir string                       // project root for local scope
	Getenv     func(string) string          // environment lookup
	GOOS       string                       // "linux", "darwin", "windows"
	Now        func() time.Time             // clock for the manifest
	LookPath   func(string) (string, error) // lookup on the PATH agents started from a shell get (detection, Resolve)
	Version    string                       // codegraph version being installed
	// Executable is the running binary (os.Executable), "" when unknown: the
	// last resort InstalledBinary names when codegraph is not on the PATH.
	Executable string

	hooks *testHooks // tests of this package only
}

func (e Env) getenv(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

func (e Env) now() time.Time {
	if e.Now == nil {
		return time.Time{}
	}
	return e.Now().UTC()
}

// join joins path elements with the separator of env.GOOS, so paths for
// another OS can be computed (and tested) anywhere.
func (e Env) join(elems ...string) string {
	sep := "/"
	if e.GOOS == "windows" {
		sep = `\`
	}
	var parts []string
	for i, el := range elems {
		if el == "" {
			continue
		}
		if i > 0 {
			el = strings.TrimLeft(el, `/\`)
		}
		if i < len(elems)-1 {
			el = strings.TrimRight(el, `/\`)
		}
		parts = append(parts, el)
	}
	return strings.Join(parts, sep)
}

// ParseServerCommand splits a --server-command string shell-like: blanks
// separate words, single quotes keep everything literally, double quotes
// allow \" and \\, and a backslash outside quotes escapes the next byte.
func ParseServerCommand(s string) (Server, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return Server{}, fmt.Errorf("server command %q: unterminated single quote", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return Server{}, fmt.Errorf("server command %q: unterminated double quote", s)
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return Server{}, errors.New("server command is empty")
	}
	return Server{Command: words[0], Args: append([]string{}, words[1:]...)}, nil
}

// ShellQuote quotes s for a POSIX shell when it needs it (a path with a
// space, or "~", which stays literal).
func ShellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?;&|<>()[]{}#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
