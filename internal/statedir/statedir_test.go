package statedir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

func TestEnsureIsOwnerOnly(t *testing.T) {
	t.Parallel()
	home := testkit.Home(t)
	d := ForHome(home)
	if err := os.MkdirAll(d.Root(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := d.Ensure(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(d.Root())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("mode = %v, want 0700", fi.Mode().Perm())
	}
	if got, want := d.TelemetryConfig(), filepath.Join(home, ".codegraph", "telemetry.json"); got != want {
		t.Errorf("TelemetryConfig = %q, want %q", got, want)
	}
	if m, _ := filepath.Match(d.SendingPattern(), d.Sending("abc")); !m {
		t.Errorf("Sending(%q) does not match SendingPattern", d.Sending("abc"))
	}
	if tok, ok := d.SendingToken(d.Sending("abc")); !ok || tok != "abc" {
		t.Errorf("SendingToken(Sending(abc)) = %q, %v", tok, ok)
	}
	for _, p := range []string{d.Queue(), d.QueueTemp("abc"), filepath.Join(home, "telemetry-queue.sending.abc.jsonl"), d.Sending("")} {
		if tok, ok := d.SendingToken(p); ok {
			t.Errorf("SendingToken(%s) = %q", p, tok)
		}
	}
	if m, _ := filepath.Match(d.QueueTempPattern(), d.QueueTemp("abc")); !m {
		t.Errorf("QueueTemp(%q) does not match QueueTempPattern", d.QueueTemp("abc"))
	}
	for _, p := range []string{d.QueueTemp("abc"), d.Queue()} {
		if m, _ := filepath.Match(d.SendingPattern(), p); m {
			t.Errorf("%s matches SendingPattern", p)
		}
	}
	if err := d.EnsureBackups(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(d.Backups()); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("backups dir: %v, %v; want mode 0700", fi, err)
	}
}

// TestPaths pins every file name: they are part of what users, auditors and
// older or newer codegraph versions rely on (TELEMETRY.md and the README
// name them), so a rename must be a deliberate change here.
func TestPaths(t *testing.T) {
	t.Parallel()
	home, project := filepath.FromSlash("/home/u"), filepath.FromSlash("/src/app")
	d, p := ForHome(home), ForProject(project)
	for got, want := range map[string]string{
		d.Root():            "/home/u/.codegraph",
		d.TelemetryConfig(): "/home/u/.codegraph/telemetry.json",
		d.Queue():           "/home/u/.codegraph/telemetry-queue.jsonl",
		d.QueueLock():       "/home/u/.codegraph/telemetry-queue.lock",
		d.SentLog():         "/home/u/.codegraph/telemetry-sent.jsonl",
		d.Sending("t"):      "/home/u/.codegraph/telemetry-queue.sending.t.jsonl",
		d.QueueTemp("t"):    "/home/u/.codegraph/telemetry-queue.tmp.t",
		d.InstallManifest(): "/home/u/.codegraph/install.json",
		d.Backups():         "/home/u/.codegraph/backups",
		p.Root():            "/src/app/.codegraph",
		p.InstallManifest(): "/src/app/.codegraph/install.json",
		p.Census():          "/src/app/.codegraph/census.json",
	} {
		if got != filepath.FromSlash(want) {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	// Two projects' files of the same name get two backups; the name stays
	// readable.
	a, b := d.Backup(filepath.FromSlash("/a/.mcp.json")), d.Backup(filepath.FromSlash("/b/.mcp.json"))
	if a == b || filepath.Dir(a) != d.Backups() || !strings.HasPrefix(filepath.Base(a), ".mcp.json.") || !strings.HasSuffix(a, ".bak") {
		t.Errorf("backups %s and %s", a, b)
	}
}

// TestProjectDirKeepsItselfOutOfGit: a project's state directory carries
// a .gitignore that ignores all of it, and goes away with it once nothing
// else is left; a .gitignore of the user's, or any other file, keeps it.
func TestProjectDirKeepsItselfOutOfGit(t *testing.T) {
	t.Parallel()
	p := ForProject(t.TempDir())
	if err := p.Ensure(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(p.Root(), ".gitignore"))
	if err != nil || !strings.HasSuffix(string(b), "\n*\n") {
		t.Fatalf(".gitignore = %q, %v", b, err)
	}
	other := filepath.Join(p.Root(), "notes.txt")
	if err := os.WriteFile(other, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if gone, err := p.RemoveIfEmpty(); gone || err != nil {
		t.Fatalf("removed with a file of the user's in it (%v)", err)
	}
	_ = os.Remove(other)
	if gone, err := p.RemoveIfEmpty(); !gone || err != nil {
		t.Fatalf("not removed with only our .gitignore left (%v)", err)
	}
	if _, err := os.Stat(p.Root()); !os.IsNotExist(err) {
		t.Errorf("still there: %v", err)
	}
	if err := p.Ensure(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.Root(), ".gitignore"), []byte("census.json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if gone, _ := p.RemoveIfEmpty(); gone {
		t.Error("removed the user's own .gitignore")
	}
}

// TestCheck: the state directory's path holding nothing or a directory is
// usable; a symbolic link (to a directory or to nothing) or a file is
// refused, by Check and by Ensure, which then changes nothing (a chmod
// through the link would tighten someone else's directory).
func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		place func(root, elsewhere string) error
		want  error
	}{
		{name: "missing", place: func(string, string) error { return nil }},
		{name: "directory", place: func(root, _ string) error { return os.Mkdir(root, 0o755) }},
		{name: "symlink", place: func(root, elsewhere string) error { return os.Symlink(elsewhere, root) }, want: ErrSymlink},
		{name: "dangling symlink", place: func(root, elsewhere string) error { return os.Symlink(filepath.Join(elsewhere, "nothing"), root) }, want: ErrSymlink},
		{name: "file", place: func(root, _ string) error { return os.WriteFile(root, nil, 0o600) }, want: ErrNotDirectory},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			home, elsewhere := t.TempDir(), t.TempDir()
			os.Chmod(elsewhere, 0o755)
			d := ForHome(home)
			if err := tc.place(d.Root(), elsewhere); err != nil {
				t.Skip(err)
			}
			err := d.Check()
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("Check = %v, want %v", err, tc.want)
			}
			if err != nil && strings.Count(err.Error(), d.Root()) != 1 {
				t.Errorf("%q names the path %d times", err, strings.Count(err.Error(), d.Root()))
			}
			if err := d.Ensure(); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Errorf("Ensure = %v, want %v", err, tc.want)
			}
			if fi, _ := os.Stat(elsewhere); fi.Mode().Perm() != 0o755 {
				t.Errorf("the link's target is now %v", fi.Mode().Perm())
			}
		})
	}
}
