package census

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	want := Result{
		Languages:       map[string]int{"Go": 3, "C++": 2, "Haskell": 1},
		SchemaLanguages: map[string]int{"go": 3, "cpp": 2, "other": 1},
		Total:           6,
		Skipped:         2,
		Duration:        1234 * time.Millisecond,
		TakenAt:         time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	if err := Write(dir, want); err != nil {
		t.Fatal(err)
	}
	// A second write replaces the first atomically and leaves no temp file.
	if err := Write(dir, want); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, ".codegraph"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Name() != ".gitignore" || entries[1].Name() != "census.json" {
		t.Errorf(".codegraph holds %v, want only census.json and its .gitignore", entries)
	}
	got, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got.Languages, want.Languages) || !maps.Equal(got.SchemaLanguages, want.SchemaLanguages) ||
		got.Total != want.Total || got.Skipped != want.Skipped || got.Duration != want.Duration ||
		!got.TakenAt.Equal(want.TakenAt) {
		t.Errorf("Read = %+v, want %+v", got, want)
	}
}

func TestWriteEmptyResult(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := Write(dir, Result{}); err != nil {
		t.Fatal(err)
	}
	r, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Languages == nil || r.SchemaLanguages == nil {
		t.Errorf("Read returned nil maps: %+v", r)
	}
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// .codegraph is a file, so the directory cannot be created.
	writeTree(t, dir, map[string]string{".codegraph": "x"})
	err := Write(dir, Result{})
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Write error = %v, want one naming %s", err, dir)
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	valid := `{"languages":{"Go":1},"schema_languages":{"go":1},"total":1,"skipped":0,"duration_ms":5,"taken_at":"2026-01-02T03:04:05Z"}`
	tests := []struct {
		name    string
		content string // "" means no file
		wantErr error
	}{
		{"valid", valid, nil},
		{"missing", "", fs.ErrNotExist},
		{"not json", "census", errMalformed},
		{"trailing data", valid + "{}", errMalformed},
		{"negative total", strings.Replace(valid, `"total":1`, `"total":-1`, 1), errMalformed},
		{"negative count", strings.Replace(valid, `"Go":1`, `"Go":-1`, 1), errMalformed},
		{"path as name", strings.Replace(valid, `"Go":1`, `"/home/me/secret.go":1`, 1), errMalformed},
		{"unknown schema id", strings.Replace(valid, `"go":1`, `"klingon":1`, 1), errMalformed},
		{"bad time", strings.Replace(valid, "2026-01-02T03:04:05Z", "yesterday", 1), errMalformed},
		{"fraction", strings.Replace(valid, `"total":1`, `"total":1.5`, 1), errMalformed},
		{"unknown field kept compatible", strings.Replace(valid, `"total":1`, `"total":1,"future":true`, 1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tt.content != "" {
				writeTree(t, dir, map[string]string{".codegraph/census.json": tt.content})
			}
			_, err := Read(dir)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Read error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), Path(dir)) {
				t.Errorf("error %q does not name %s", err, Path(dir))
			}
		})
	}
}

// FuzzDecode feeds census.json parsing arbitrary bytes: it must never panic,
// and whatever it accepts must survive a write and read back unchanged.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"languages":{"Go":1},"schema_languages":{"go":1},"total":1,"skipped":0,"duration_ms":5,"taken_at":"2026-01-02T03:04:05Z"}`))
	f.Add([]byte(`{"languages":{},"schema_languages":{},"total":0,"skipped":0,"duration_ms":0,"taken_at":"0000-01-01T00:00:00+01:00"}`))
	f.Add([]byte(`{"taken_at":"9999-12-31T23:59:59-01:00","duration_ms":9223372036854775807}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decode(data)
		if err != nil {
			return
		}
		enc, err := encode(r)
		if err != nil {
			t.Fatalf("encode after decode: %v", err)
		}
		r2, err := decode(enc)
		if err != nil {
			t.Fatalf("decode(encode(decode(x))) failed: %v\n%s", err, enc)
		}
		enc2, err := encode(r2)
		if err != nil {
			t.Fatal(err)
		}
		if string(enc) != string(enc2) {
			t.Fatalf("not stable:\n%s\n%s", enc, enc2)
		}
	})
}

// TestRemove undoes Write: the census goes, and the state directory with it
// only when nothing else is left in it.
func TestRemove(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if got, err := Remove(dir); got != NothingThere || err != nil {
		t.Fatalf("Remove of a project without .codegraph = %v, %v; want NothingThere", got, err)
	}
	if err := Write(dir, Result{TakenAt: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, ".codegraph", "notes.txt")
	if err := os.WriteFile(other, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := Remove(dir); got != DirKept || err != nil {
		t.Fatalf("Remove with a user's file beside the census = %v, %v; want DirKept", got, err)
	}
	if _, err := os.Stat(Path(dir)); !os.IsNotExist(err) {
		t.Errorf("census still there: %v", err)
	}
	if b, err := os.ReadFile(other); err != nil || string(b) != "mine" {
		t.Errorf("the user's file was touched: %q, %v", b, err)
	}
	if err := os.Remove(other); err != nil {
		t.Fatal(err)
	}
	if got, err := Remove(dir); got != DirRemoved || err != nil {
		t.Fatalf("Remove of an empty state directory = %v, %v; want DirRemoved", got, err)
	}
}
