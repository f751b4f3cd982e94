package installer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/atomicfile"
)

// Writing a file another program rewrites: the agent whose config it is
// may read, change and write it at any moment (a running Claude Code
// rewrites ~/.claude.json every few milliseconds). Two things can go wrong:
// our rename replaces a version written after we read the file (the agent's
// update is lost), or the agent read the file before our rename and writes
// its copy after it (our entry is lost, or, for uninstall, comes back).
//
// So each write is a loop, bounded by writeTries:
//  1. read the file, compute the edit, keep what was read as the backup
//     (when that fails, a full disk say, nothing is edited), write the
//     temporary file and fsync it (everything slow);
//  2. right before the rename, read the file again and compare: if it
//     changed, drop the temporary file and start over from the new content
//     (atomicfile.BeforeRename), so only a write landing in the time
//     between that check and the rename can be lost;
//  3. after the rename, watch the file. A rewrite without our change comes
//     from a read before our rename: start over. A rewrite that keeps our
//     change comes from a read after it, so that writer is past the danger:
//     done. With no rewrite, the file of an agent that rewrites it while
//     it runs is watched for settleTime (longer for a large file) if a
//     process of that agent may be running (agentMayRun; otherwise it is
//     read once); when someone was seen writing it during this write,
//     until they write it again, at most activeWait: one read-modify-write
//     of a large file can outlast settleTime.
//
// The result is OK only when the outcome was seen holding; otherwise it is
// an error that says so.

// writeTries bounds the attempts on one file. Between attempts the writer
// waits a random moment (up to a millisecond per attempt so far), so that
// it does not stay in step with an agent that rewrites the file at a
// steady pace.
const writeTries = 20

// settleTime is how long a written file is watched when nobody was seen
// writing it, plus settlePerMiB for each MiB of it: another program's
// read-modify-write of a file takes longer the larger the file.
const (
	settleTime   = 40 * time.Millisecond
	settlePerMiB = 200 * time.Millisecond
)

// activeWait bounds the wait for the next write of someone seen writing
// the file during this write.
const activeWait = 2 * time.Second

// errChanged is the BeforeRename verdict: the file is not what the edit
// was computed from.
var errChanged = errors.New("changed since it was read")

// writer writes one config file as described above.
type writer struct {
	ctx   context.Context // cancelled by Ctrl+C: checked between steps
	env   Env
	path  string // as the agent names it (may be a symlink)
	agent string // the agent's name, for messages
	op    Operation
	// edit computes the new content from the current one: bytes and
	// ActionCreate/ActionModify, ActionDelete (remove the file) or
	// ActionUnchanged (nothing to write).
	edit func(current []byte, exists bool) ([]byte, Action, error)
	// holds reports whether content shows the outcome we want (our entry
	// there for install, not there for uninstall).
	holds func(content []byte, exists bool) bool
	// before is what the plan read (nil: no file), to notice a file that
	// someone else writes.
	before []byte
	// watch: the agent rewrites this file while it runs (Target.LiveWriter),
	// so it is watched after our write even when nobody was seen writing,
	// if mayRun says a process of the agent may be running.
	watch  bool
	mayRun func() bool
	// project: the file is a project's (local scope), and is refused when
	// a symbolic link leads it out of this directory, checked anew before
	// each attempt.
	project string
	newMode fs.FileMode         // mode of a file we create
	created func(dirs []string) // directories made for a new file
	removed func()              // after the file was deleted
}

func (w writer) write() (Action, error) {
	real := resolve(w.path)
	quiet := settleTime
	if h := w.env.hooks; h != nil && h.settle > 0 {
		quiet = h.settle
	}
	active := false     // someone else writes this file
	var backedUp []byte // the content last kept as the backup
	keptBackup := false
	for try := 0; try < writeTries; try++ {
		if err := w.ctx.Err(); err != nil {
			return ActionError, err
		}
		if try > 0 {
			active = true
			time.Sleep(time.Duration(rand.Int64N(int64(try) * int64(time.Millisecond))))
		}
		if w.project != "" {
			if err := insideProject(w.env, w.path); err != nil {
				return ActionError, err
			}
		}
		current, exists, mode, err := readConfig(real)
		if err == nil && w.op == OpInstall {
			err = refuseOverCap(w.path, current)
		}
		if err != nil {
			return ActionError, err
		}
		if exists && mode&0o200 == 0 {
			return ActionError, readOnly(w.path)
		}
		if exists != (w.before != nil) || !bytes.Equal(current, w.before) {
			active = true // changed since the plan read it
		}
		after, act, err := w.edit(current, exists)
		if err != nil {
			return ActionError, err
		}
		unchanged := func() error {
			now, nowExists, err := readRaw(real)
			if err != nil || nowExists != exists || !bytes.Equal(now, current) {
				return errChanged
			}
			return nil
		}
		wrote, wroteExists := after, true
		switch act {
		case ActionUnchanged:
			wrote, wroteExists = current, exists
		case ActionDelete:
			wrote, wroteExists = nil, false
			start := time.Now()
			if unchanged() != nil {
				continue
			}
			if err := os.Remove(real); err != nil {
				return ActionError, ioError(w.path, "removed", err)
			}
			w.window(start)
			if w.removed != nil {
				w.removed()
			}
		default:
			if !exists {
				created, err := mkdirs(filepath.Dir(real), 0o700)
				if err != nil {
					return ActionError, err
				}
				if w.created != nil {
					w.created(created)
				}
				mode = w.newMode
			}
			// The backup is written before the file is replaced: when it
			// cannot be (a full disk), the file is left as it was.
			if exists && (!keptBackup || !bytes.Equal(current, backedUp)) {
				if err := writeBackup(w.env, real, current); err != nil {
					return ActionError, backupError(w.env, w.path, real, err)
				}
				backedUp, keptBackup = current, true
			}
			var start time.Time
			err := atomicfile.Write(real, after, mode, atomicfile.Durable, atomicfile.BeforeRename(func() error {
				start = time.Now()
				return unchanged()
			}))
			if errors.Is(err, errChanged) {
				continue // someone wrote it meanwhile: redo the edit on what is there now
			}
			if err != nil {
				return ActionError, ioError(w.path, "written", err)
			}
			w.window(start)
		}
		// A quiet file of an agent that does not rewrite it is checked once;
		// a live writer's file is watched for settleTime and more, but only
		// while the agent may be running (asked after the rename: see
		// agentMayRun). When it is not, nobody holds a copy read before
		// our rename, and the one read below is the whole check.
		var limit time.Duration
		if w.watch && w.mayRun() {
			limit = quiet + time.Duration(len(wrote))*settlePerMiB/(1<<20)
		}
		if active {
			limit = activeWait
		}
		ok, seen := w.settled(real, wrote, wroteExists, limit)
		active = active || seen
		if ok {
			return act, nil
		}
		if err := w.ctx.Err(); err != nil {
			return ActionError, err
		}
	}
	what := "the codegraph entry is not in it"
	if w.op == OpUninstall {
		what = "the codegraph entry is still in it"
	}
	return ActionError, &FileError{Path: w.path, Written: true,
		What: fmt.Sprintf("kept changing while %s wrote it (%d attempts), and %s", Program, writeTries, what),
		Fix:  "quit " + w.agent + ", or wait until it is idle"}
}

// window reports to a test how long the file was exposed to a lost update:
// from the check before the rename to the rename's end.
func (w writer) window(start time.Time) {
	if h := w.env.hooks; h != nil && h.window != nil {
		h.window(start, time.Now())
	}
}

// settled watches the file after our write (wrote; no file when
// !wroteExists) and reports whether our outcome holds. It returns at the
// first rewrite by someone else (seen), which tells, or after limit.
func (w writer) settled(real string, wrote []byte, wroteExists bool, limit time.Duration) (ok, seen bool) {
	start := time.Now()
	for {
		b, exists, err := readRaw(real)
		if err != nil {
			return false, false
		}
		// Parse only what someone else wrote: a config can run to megabytes.
		if exists != wroteExists || !bytes.Equal(b, wrote) {
			// A rewrite that keeps our outcome comes from a read after our
			// rename; one that loses it, from a read before.
			return w.holds(b, exists), true
		}
		if time.Since(start) > limit || w.ctx.Err() != nil {
			return w.holds(b, exists), false
		}
		time.Sleep(time.Millisecond)
	}
}

// readRaw reads a file we already vetted with readConfig (bounded, and a
// missing file is not an error).
func readRaw(path string) ([]byte, bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+entrySlack+1))
	return b, true, err
}

// testHooks lets tests in this package watch and tune the writer.
type testHooks struct {
	window func(start, end time.Time) // each exposure window
	settle time.Duration              // replaces settleTime when > 0
}

// backupError: the backup of the file at path (real, its target) could
// not be written, so the file was not edited.
func backupError(env Env, path, real string, err error) error {
	return &FileError{Path: path, Err: err,
		What: fmt.Sprintf("was not edited, because its previous content could not be kept in %s first (%s)",
			DisplayPath(env.Home, filepath.Dir(BackupPath(env, real))), osReason(err)),
		Fix: fixFor(err, BackupPath(env, real))}
}
