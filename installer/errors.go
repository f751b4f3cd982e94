package installer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/getcodegraph/codegraph-install/installer/configerr"
)

// Every error about a user's file says three things, in the user's words:
// which file (as "~/..." under the home directory), what happened, and what
// to do next, ending with the command to run again. No library name or Go
// error prefix ("hujson:", "open /x:") reaches the user. FileError carries
// the three parts; localize fills in what only the caller knows (the home
// directory, install or uninstall).

// Program is the installer's name in "run ... again".
const Program = "codegraph-install"

// FileError is a problem with one file, as shown to the user.
type FileError struct {
	Path string // the file, as the agent names it
	// What is what happened, a clause that follows the path: "is not
	// valid JSON (line 4, column 1: ...)".
	What string
	// Fix is what to do, a clause before ", then run ... again"; "" when
	// running again is the whole advice, or when no rerun helps.
	Fix string
	// Written: the file was changed before the problem (a backup failure),
	// so the message does not say "nothing was changed".
	Written bool
	// NoRerun: running again would not help (the message says what does).
	NoRerun bool
	Err     error // the underlying error, for errors.Is/As

	home string    // set by localize: paths under it are shown as ~/...
	op   Operation // set by localize: which command to run again
}

func (e *FileError) Error() string {
	var sb strings.Builder
	sb.WriteString(DisplayPath(e.home, e.Path))
	sb.WriteString(" ")
	sb.WriteString(strings.TrimSuffix(e.What, "."))
	if !e.Written && !strings.Contains(e.What, "nothing was changed") && !strings.Contains(e.What, "was not edited") && !strings.Contains(e.What, "no agent file was changed") {
		sb.WriteString("; nothing was changed")
	}
	sb.WriteString(".")
	switch {
	case e.Fix != "" && !e.NoRerun:
		fmt.Fprintf(&sb, " %s, then run %s again.", capitalize(e.Fix), e.command())
	case e.Fix != "":
		fmt.Fprintf(&sb, " %s.", capitalize(e.Fix))
	case !e.NoRerun:
		fmt.Fprintf(&sb, " Run %s again.", e.command())
	}
	// Paths named in the advice are shown the same way.
	return TildeHome(sb.String(), e.home)
}

func (e *FileError) Unwrap() error { return e.Err }

func (e *FileError) command() string {
	if e.op == OpUninstall {
		return Program + " uninstall"
	}
	return Program
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// localize completes the FileErrors in err for env and op: paths under the
// home directory read "~/...", and the advice names the command that was
// run. It returns err.
func localize(env Env, op Operation, err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		fe.home = env.Home
		if fe.op == "" {
			fe.op = op
		}
	}
	return err
}

// formatName is how a file's syntax is named to its owner.
func formatName(f Format) string { return syntaxOf(f).name() }

// editError describes a refused edit of the file at path (format f): a
// syntax error, a limit, or a shape we do not edit. A config that does not
// parse is never written.
func editError(path string, f Format, err error) error {
	var syn *configerr.SyntaxError
	var lim *configerr.LimitError
	var shp *configerr.ShapeError
	switch {
	case errors.As(err, &syn):
		return &FileError{Path: path, Err: err,
			What: fmt.Sprintf("is not valid %s (%s)", formatName(f), syntaxReason(err)),
			Fix:  "fix the file or move it aside"}
	case errors.As(err, &lim):
		return &FileError{Path: path, Err: err,
			What: "is " + strings.TrimSuffix(err.Error(), "; refusing to parse it") + ", so it was not read",
			Fix:  "no agent writes a file like this: check where it came from, and fix it or move it aside"}
	case errors.As(err, &shp):
		// The shape's message says what to do by hand.
		return &FileError{Path: path, Err: err, What: "cannot be edited safely, so nothing was changed: " + err.Error(), NoRerun: true}
	}
	return &FileError{Path: path, Err: err, What: "could not be edited (" + err.Error() + ")",
		Fix: "please report this at https://github.com/getcodegraph/codegraph-install/issues", NoRerun: true}
}

// syntaxReason is a parser's message without the parser's name, e.g.
// "line 4, column 1: invalid character ','" rather than "hujson: line 4...".
func syntaxReason(err error) string {
	msg := err.Error()
	for _, prefix := range []string{"hujson: ", "jsonc: ", "toml: ", "yaml: ", "json: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	return strings.TrimSuffix(msg, ".")
}

// ioError describes a failed read, write, rename or removal of path (verb:
// "read", "written", "removed") from the operating system's error.
func ioError(path, verb string, err error) error {
	reason := osReason(err)
	return &FileError{Path: path, Err: err, What: fmt.Sprintf("could not be %s (%s)", verb, reason), Fix: fixFor(err, path)}
}

// fixFor is what to do about a failed write of path, from the operating
// system's error: a full disk is named as one, not as a permission problem.
func fixFor(err error, path string) string {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return "free some disk space"
	case errors.Is(err, fs.ErrPermission):
		return "check who owns it and its folder, and their permissions (ls -ld " + path + " " + filepath.Dir(path) + ")"
	case errors.Is(err, syscall.EROFS):
		return "its file system is mounted read-only: make it writable, or choose the other --scope"
	}
	return "check the file and its folder"
}

// osReason is the operating system's words for err, without Go's "open
// /path:" prefix: "permission denied", "no space left on device" (said as
// "the disk is full").
func osReason(err error) string {
	if errors.Is(err, syscall.ENOSPC) {
		return "the disk is full"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	var se syscall.Errno
	if errors.As(err, &se) {
		return se.Error()
	}
	return err.Error()
}
