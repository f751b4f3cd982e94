package langdetect

import (
	"regexp"
	"sync"
)

// lazyRegexp is a regular expression compiled on first use. Nothing in this
// package compiles a regexp at initialisation: a process that never detects
// a language (every codegraph command but init) never pays for one, and a
// census compiles only the expressions its files reach.
type lazyRegexp struct {
	src  string
	once sync.Once
	re   *regexp.Regexp
}

func (l *lazyRegexp) get() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.src) })
	return l.re
}

// lazyPattern is a lazyRegexp whose source lives in a generated table.
type lazyPattern struct {
	once sync.Once
	re   *regexp.Regexp
}

func (l *lazyPattern) get(src string) *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(src) })
	return l.re
}
