package census

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/atomicfile"
	"github.com/getcodegraph/codegraph-install/internal/safefile"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// maxFileSize bounds what Read accepts; a real census is well under 4 KiB
// (linguist knows fewer than 1,000 languages), so anything near this is not
// ours.
const maxFileSize = 1 << 20

// maxNameLen bounds a language name in the file; linguist's longest is
// about 30 bytes.
const maxNameLen = 64

// Path is where the census of the project in dir is stored.
func Path(dir string) string { return statedir.ForProject(dir).Census() }

// fileFormat is census.json. Maps marshal with sorted keys, so the file is
// deterministic for a given Result.
type fileFormat struct {
	Languages       map[string]int `json:"languages"`
	SchemaLanguages map[string]int `json:"schema_languages"`
	Total           int            `json:"total"`
	Skipped         int            `json:"skipped"`
	DurationMS      int64          `json:"duration_ms"`
	TakenAt         string         `json:"taken_at"`
}

// Write stores r as the census of the project in dir, creating the
// project's state directory if needed. The write is atomic, so a reader
// never sees half a census; it is not synced, since init makes it again.
func Write(dir string, r Result) error {
	data, err := encode(r)
	if err != nil {
		return fmt.Errorf("census: encode %s: %w", Path(dir), err)
	}
	if err := safefile.Inside(dir, Path(dir)); err != nil {
		return fmt.Errorf("census: %w", err)
	}
	if err := statedir.ForProject(dir).Ensure(); err != nil {
		return fmt.Errorf("census: %w", err)
	}
	if err := atomicfile.Write(Path(dir), data, 0o644, atomicfile.Derived); err != nil {
		return fmt.Errorf("census: %w", err)
	}
	return nil
}

// Removal says what Remove did with the project's state directory.
type Removal int

const (
	// NothingThere: the project had no state directory.
	NothingThere Removal = iota
	// DirRemoved: the census was the last thing in it, and it is gone.
	DirRemoved
	// DirKept: something else is still in it (files that are not ours,
	// or an install manifest still listing entries), so it stays.
	DirKept
	// DirLinkedOut: it is a symbolic link (or below one) that leads out
	// of the project, so nothing was removed.
	DirLinkedOut
)

// Remove undoes init in the project in dir: it deletes the census, then
// the project's state directory when nothing else is left in it. Other
// files are never touched, nor anything a symbolic link leads to outside
// the project (a cloned repository can ship .codegraph -> elsewhere).
func Remove(dir string) (Removal, error) {
	state := statedir.ForProject(dir)
	if err := safefile.Inside(dir, Path(dir)); err != nil {
		return DirLinkedOut, fmt.Errorf("census: %w", err)
	}
	var removeErr error
	if err := os.Remove(Path(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		removeErr = fmt.Errorf("census: %w", err)
	}
	if _, err := os.Lstat(state.Root()); errors.Is(err, fs.ErrNotExist) {
		return NothingThere, removeErr
	}
	if gone, err := state.RemoveIfEmpty(); err == nil && gone {
		return DirRemoved, removeErr
	}
	return DirKept, removeErr
}

// Read loads the census stored for the project in dir. A missing file is an
// error wrapping fs.ErrNotExist, so callers can tell "no census yet" apart
// from a damaged one.
func Read(dir string) (Result, error) {
	path := Path(dir)
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("census: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxFileSize+1)); err != nil {
		return Result{}, fmt.Errorf("census: read %s: %w", path, err)
	}
	r, err := decode(buf.Bytes())
	if err != nil {
		return Result{}, fmt.Errorf("census: %s: %w", path, err)
	}
	return r, nil
}

func encode(r Result) ([]byte, error) {
	ff := fileFormat{
		Languages:       r.Languages,
		SchemaLanguages: r.SchemaLanguages,
		Total:           r.Total,
		Skipped:         r.Skipped,
		DurationMS:      r.Duration.Milliseconds(),
		TakenAt:         r.TakenAt.UTC().Format(time.RFC3339),
	}
	if ff.Languages == nil {
		ff.Languages = map[string]int{}
	}
	if ff.SchemaLanguages == nil {
		ff.SchemaLanguages = map[string]int{}
	}
	data, err := json.MarshalIndent(ff, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// errMalformed is wrapped by every decode failure.
var errMalformed = errors.New("malformed census file")

// decode parses census.json. The file sits in a project directory anyone
// can edit, and its contents are shown by codegraph_status, so it is
// validated as untrusted input: counts are non-negative, language names are
// short and path-free, schema ids are codegraph's own, and nothing trails
// the object.
func decode(data []byte) (Result, error) {
	if len(data) > maxFileSize {
		return Result{}, fmt.Errorf("%w: larger than %d bytes", errMalformed, maxFileSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var ff fileFormat
	if err := dec.Decode(&ff); err != nil {
		return Result{}, fmt.Errorf("%w: %w", errMalformed, err)
	}
	if _, err := dec.Token(); err == nil {
		return Result{}, fmt.Errorf("%w: data after the JSON object", errMalformed)
	}
	if ff.Total < 0 || ff.Skipped < 0 || ff.DurationMS < 0 {
		return Result{}, fmt.Errorf("%w: negative count or duration", errMalformed)
	}
	if ff.DurationMS > int64(time.Duration(1<<63-1)/time.Millisecond) {
		return Result{}, fmt.Errorf("%w: duration_ms out of range", errMalformed)
	}
	takenAt, err := time.Parse(time.RFC3339, ff.TakenAt)
	if err != nil {
		return Result{}, fmt.Errorf("%w: taken_at: %w", errMalformed, err)
	}
	// Write stores UTC; an offset that moves the year out of RFC 3339's four
	// digits could not be written back.
	if y := takenAt.UTC().Year(); y < 0 || y > 9999 {
		return Result{}, fmt.Errorf("%w: taken_at out of range", errMalformed)
	}
	for name, n := range ff.Languages {
		if name == "" || len(name) > maxNameLen || strings.ContainsAny(name, "/\\\x00\n") {
			return Result{}, fmt.Errorf("%w: language name %q", errMalformed, name)
		}
		if n < 0 {
			return Result{}, fmt.Errorf("%w: negative count for %q", errMalformed, name)
		}
	}
	for id, n := range ff.SchemaLanguages {
		if !schema.IsLanguage(id) {
			return Result{}, fmt.Errorf("%w: unknown schema language %q", errMalformed, id)
		}
		if n < 0 {
			return Result{}, fmt.Errorf("%w: negative count for %q", errMalformed, id)
		}
	}
	r := Result{
		Languages:       ff.Languages,
		SchemaLanguages: ff.SchemaLanguages,
		Total:           ff.Total,
		Skipped:         ff.Skipped,
		Duration:        time.Duration(ff.DurationMS) * time.Millisecond,
		TakenAt:         takenAt,
	}
	if r.Languages == nil {
		r.Languages = map[string]int{}
	}
	if r.SchemaLanguages == nil {
		r.SchemaLanguages = map[string]int{}
	}
	return r, nil
}
