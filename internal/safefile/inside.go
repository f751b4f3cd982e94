package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// OutsideError refuses a path inside a directory tree (a project) that a
// symbolic link on the way leads out of: writing or deleting through it
// would change a file elsewhere (a cloned repository can ship such links).
type OutsideError struct {
	Path string // the path as asked for
	Real string // where it really leads ("" for a link to nothing)
	Link string // the link on the way
}

func (e *OutsideError) Error() string {
	if e.Real == "" {
		return fmt.Sprintf("%s: %s is a symbolic link that leads nowhere", e.Path, e.Link)
	}
	return fmt.Sprintf("%s leads outside the project, to %s (%s is a symbolic link)", e.Path, e.Real, e.Link)
}

// ErrOutside is what errors.Is finds in an *OutsideError.
var ErrOutside = errors.New("leads outside its directory")

// Is lets errors.Is(err, ErrOutside) match.
func (e *OutsideError) Is(target error) bool { return target == ErrOutside }

// Inside checks that path, which names something below root, really stays
// below root once every symbolic link on the way is followed: the deepest
// part of path that exists is resolved and compared with root's own real
// path. Parts that do not exist yet cannot lead anywhere. A link to
// nothing is refused too: what a write through it would create is up to
// the link. It returns an *OutsideError, or nil.
func Inside(root, path string) error {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil // no root, nothing below it to lead out of
	}
	existing := filepath.Clean(path)
	var rest []string
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil // unreadable: the write itself will say why
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return nil
		}
		rest = append([]string{filepath.Base(existing)}, rest...)
		existing = parent
	}
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return &OutsideError{Path: path, Link: existing}
	}
	if within(realRoot, real) {
		return nil
	}
	return &OutsideError{Path: path, Real: filepath.Join(append([]string{real}, rest...)...), Link: firstLink(root, existing)}
}

// within reports whether path is dir or below it (both cleaned, real).
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// firstLink names the outermost symbolic link between root and path, the
// one a user has to replace.
func firstLink(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return path
	}
	p := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		p = filepath.Join(p, part)
		if fi, err := os.Lstat(p); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return p
		}
	}
	return path
}
