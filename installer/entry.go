package installer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/getcodegraph/codegraph-install/installer/configerr"
)

// Entry is a codegraph server entry as its agent reads it.
type Entry struct {
	Command  string            // as written: a bare name (looked up on the agent's PATH) or a path
	Args     []string          // arguments after the command
	Env      map[string]string // variables the agent adds to its own environment
	Disabled bool              // "disabled": true, or "enabled": false
}

// ReadEntry reads the codegraph entry in the target's file at path, with
// the same parsers and limits as an install: nil, nil when the file or the
// entry does not exist.
func (t Target) ReadEntry(path string) (*Entry, error) {
	b, exists, _, err := readConfig(path)
	if err != nil || !exists {
		return nil, err
	}
	return t.entryIn(path, b)
}

// entryIn reads our entry in b, the content of the target's file at path.
func (t Target) entryIn(path string, b []byte) (*Entry, error) {
	f := t.Format(path)
	m, err := syntaxOf(f).entry(t, b)
	if err != nil {
		return nil, describeReadError(path, f, err)
	}
	if m == nil {
		return nil, nil
	}
	return entryFrom(m), nil
}

// runs reports whether the entry starts srv.
func (e *Entry) runs(srv Server) bool {
	return e != nil && e.Command == srv.Command && strings.Join(e.Args, "\x00") == strings.Join(srv.Args, "\x00")
}

// describeReadError says what is wrong with a file read for its entry
// (doctor, and the check after a write), without the parser's name; what
// to do is the caller's to say.
func describeReadError(path string, f Format, err error) error {
	var syn *configerr.SyntaxError
	if errors.As(err, &syn) {
		return &messageError{err: err, msg: fmt.Sprintf("%s is not valid %s (%s)", path, formatName(f), syntaxReason(err))}
	}
	return &messageError{err: err, msg: fmt.Sprintf("%s: %s", path, syntaxReason(err))}
}

// entryFrom reads the spellings the shapes in targets.go write, and the
// usual ones of entries people write by hand: "command" as a string or, for
// opencode, an array holding the arguments too; goose's "cmd"; "env",
// opencode's "environment", goose's "envs".
func entryFrom(m map[string]any) *Entry {
	e := &Entry{Env: map[string]string{}}
	cmd := m["command"]
	if cmd == nil {
		cmd = m["cmd"]
	}
	switch c := cmd.(type) {
	case string:
		e.Command = c
	case []any:
		for i, part := range c {
			if i == 0 {
				e.Command = fmt.Sprint(part)
			} else {
				e.Args = append(e.Args, fmt.Sprint(part))
			}
		}
	}
	if args, ok := m["args"].([]any); ok {
		for _, a := range args {
			e.Args = append(e.Args, fmt.Sprint(a))
		}
	}
	for _, k := range []string{"env", "environment", "envs"} {
		if vars, ok := m[k].(map[string]any); ok {
			for name, v := range vars {
				e.Env[name] = fmt.Sprint(v)
			}
		}
	}
	if d, ok := m["disabled"].(bool); ok && d {
		e.Disabled = true
	}
	if en, ok := m["enabled"].(bool); ok && !en {
		e.Disabled = true
	}
	return e
}
