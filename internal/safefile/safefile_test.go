package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := testkit.Home(t)
	small := filepath.Join(dir, "telemetry.json")
	if err := os.WriteFile(small, []byte(`{"enabled":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(small, 64); err != nil || string(b) != `{"enabled":true}` {
		t.Errorf("ReadFile(small) = %q, %v", b, err)
	}
	// A sparse file of 20 GiB costs nothing on disk; reading it whole
	// would end the process. It is refused from its size alone.
	huge := filepath.Join(dir, "telemetry-queue.jsonl")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(20 << 30); err != nil {
		t.Skipf("sparse file: %v", err)
	}
	f.Close()
	if _, err := ReadFile(huge, 256<<10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFile(20 GiB) = %v, want ErrTooLarge", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 64); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v, want fs.ErrNotExist", err)
	}
	if _, err := ReadFile(dir, 64); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile(a directory) = %v, want ErrNotRegular", err)
	}
}

func TestOpenCreates(t *testing.T) {
	t.Parallel()
	path := filepath.Join(testkit.Home(t), "q.jsonl")
	f, err := Open(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("line\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != 5 {
		t.Errorf("created %v, %v", fi, err)
	}
}
