package installcli

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/getcodegraph/codegraph-install/installer"
)

// plainError is err as a user reads it: Go's "open PATH: " prefix becomes
// the path itself ("~/.codegraph/telemetry-queue.jsonl is a symbolic
// link, ..."), and paths under the home directory are shown as "~/...".
func (a *app) plainError(err error) string {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		prefix := pe.Op + " " + pe.Path + ": "
		inner := pe.Err.Error()
		sep := ": "
		if strings.HasPrefix(inner, "is ") || strings.HasPrefix(inner, "has ") {
			sep = " " // the safefile refusals read as a sentence after the path
		}
		msg = strings.Replace(msg, prefix, pe.Path+sep, 1)
	}
	return a.homeRelative(msg)
}

// homeRelative replaces the home directory in msg by "~".
func (a *app) homeRelative(msg string) string {
	home := a.env.Home
	if home == "" {
		return msg
	}
	home = filepath.Clean(home)
	return strings.ReplaceAll(msg, home+string(filepath.Separator), installer.DisplayPath(home, home)+string(filepath.Separator))
}
