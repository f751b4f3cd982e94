package installcli

import (
	"errors"
	"io/fs"
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

// censusReason is a census error's cause without the package's name or
// the path the message names already.
func (a *app) censusReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return strings.TrimPrefix(a.plainError(err), "census: ")
}

// shownError is an error as printed: its text made plain by plainError,
// its cause kept for exitcode (usage, silent, interrupted).
type shownError struct {
	msg string
	err error
}

func (e *shownError) Error() string { return e.msg }
func (e *shownError) Unwrap() error { return e.err }

// shown is err as the user reads it at the end of a command (nil stays
// nil): every command's error passes here, so no message shows Go's
// "open /path:" prefix or the full home directory.
func (a *app) shown(err error) error {
	if err == nil {
		return nil
	}
	return &shownError{msg: a.plainError(err), err: err}
}

// homeRelative replaces the home directory in msg by "~".
func (a *app) homeRelative(msg string) string {
	return installer.TildeHome(msg, a.env.Home)
}
