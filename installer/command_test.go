package installer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestResolve: the command written for each kind of agent in each kind of
// installation.
func TestResolve(t *testing.T) {
	t.Parallel()
	claude, _ := TargetByID("claude")          // started from a shell
	desktop, _ := TargetByID("claude-desktop") // a GUI app
	notFound := func(string) (string, error) { return "", errors.New("not found") }
	onPath := func(name string) (string, error) {
		if name == "codegraph" {
			return "/home/me/go/bin/codegraph", nil
		}
		return "", errors.New("not found")
	}
	// A real directory outside the temporary one (TMPDIR points elsewhere).
	installDir := t.TempDir()
	exe := filepath.Join(installDir, "codegraph-install")
	writeFile(t, exe, "#!/bin/sh\n")
	tmp := map[string]string{"TMPDIR": "/nonexistent-tmp"}
	getenv := func(k string) string { return tmp[k] }

	stable := filepath.Join("/home/me", ".codegraph", "bin", "codegraph")
	type want struct{ cli, gui, err string }
	cases := []struct {
		name string
		env  Env
		want want
	}{
		{"on PATH", Env{GOOS: "linux", LookPath: onPath, Getenv: getenv},
			want{cli: "codegraph", gui: "/home/me/go/bin/codegraph"}},
		{"not on PATH, installer installed", Env{GOOS: "linux", LookPath: notFound, Getenv: getenv, Executable: exe},
			want{cli: exe, gui: exe}},
		// A temporary build is copied to ~/.codegraph/bin (see
		// TestGoRunInstallGetsStableCopy); that copy is written.
		{"go run (build cache)", Env{Home: "/home/me", GOOS: "linux", LookPath: notFound, Getenv: getenv, Executable: "/home/me/.cache/go-build/ab/exe/codegraph-install"},
			want{cli: stable, gui: stable}},
		{"in TMPDIR", Env{Home: "/home/me", GOOS: "linux", LookPath: notFound, Getenv: func(k string) string { return map[string]string{"TMPDIR": installDir}[k] }, Executable: exe},
			want{cli: stable, gui: stable}},
		{"in /tmp without TMPDIR", Env{Home: "/home/me", GOOS: "linux", LookPath: notFound, Getenv: func(string) string { return "" }, Executable: "/tmp/x/codegraph-install"},
			want{cli: stable, gui: stable}},
		{"go run, codegraph on PATH", Env{Home: "/home/me", GOOS: "linux", LookPath: onPath, Getenv: getenv, Executable: "/home/me/.cache/go-build/ab/exe/codegraph-install"},
			want{cli: "codegraph", gui: "/home/me/go/bin/codegraph"}},
		{"unknown executable", Env{GOOS: "linux", LookPath: notFound, Getenv: getenv},
			want{err: "cannot tell where"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, tg := range []Target{claude, desktop} {
				got, err := Resolve(tc.env, tg, DefaultServer(), false, func() (string, error) { return InstalledBinary(tc.env) })
				wantCmd := tc.want.cli
				if tg.GUI {
					wantCmd = tc.want.gui
				}
				if tc.want.err != "" {
					var ni *NotInstalledError
					if !errors.As(err, &ni) || !strings.Contains(err.Error(), tc.want.err) {
						t.Errorf("%s: err = %v, want a NotInstalledError saying %q and how to install", tg.ID, err, tc.want.err)
					}
					continue
				}
				if err != nil || got.Command != wantCmd || strings.Join(got.Args, " ") != "serve --mcp" {
					t.Errorf("%s: %s, %v; want %s serve --mcp", tg.ID, got, err, wantCmd)
				}
			}
		})
	}
	// A codegraph beside the installer wins over the installer itself.
	sibling := filepath.Join(installDir, "codegraph")
	writeFile(t, sibling, "#!/bin/sh\n")
	env := Env{GOOS: "linux", LookPath: notFound, Getenv: getenv, Executable: exe}
	if got, err := InstalledBinary(env); err != nil || got != sibling {
		t.Errorf("with a sibling: %q, %v", got, err)
	}
	// --server-command is written as given, for every agent.
	mine := Server{Command: "/opt/cg", Args: []string{"mcp"}}
	if got, _ := Resolve(env, desktop, mine, true, nil); got.Command != "/opt/cg" {
		t.Errorf("explicit server rewritten: %s", got)
	}
	_ = os.Remove(sibling)
}

// TestGoRunInstallGetsStableCopy: an install from a go run build with
// codegraph nowhere on the PATH (make run on a fresh clone) writes the copy
// in ~/.codegraph/bin, which InstallStableBinary makes and refreshes.
func TestGoRunInstallGetsStableCopy(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	env.LookPath = func(string) (string, error) { return "", errors.New("not found") }
	build := filepath.Join(t.TempDir(), "go-build123", "b001", "exe", "codegraph-install")
	writeFile(t, build, "#!/bin/sh\necho first\n")
	env.Executable = build
	p, err := PlanInstall(env, InstallOptions{Targets: []string{"claude", "cursor"}, Scope: ScopeGlobal})
	if err != nil {
		t.Fatal(err)
	}
	for _, fc := range p.Changes {
		if fc.Server.Command != StableBinary(env) {
			t.Errorf("%s gets %s, want %s", fc.Target, fc.Server.Command, StableBinary(env))
		}
	}
	if !NeedsStableCopy(env) {
		t.Fatal("a go run build does not need the stable copy")
	}
	for _, content := range []string{"#!/bin/sh\necho first\n", "#!/bin/sh\necho second\n"} {
		writeFile(t, build, content)
		got, err := InstallStableBinary(env)
		if err != nil || got != StableBinary(env) {
			t.Fatalf("InstallStableBinary = %q, %v", got, err)
		}
		if b, _ := os.ReadFile(got); string(b) != content {
			t.Errorf("the copy holds %q, want %q (refreshed by each install)", b, content)
		}
	}
}

// TestNPMManagedGetsStableCopy: run from npm (npx's cache or a
// node_modules), agents are pointed at the copy in ~/.codegraph/bin, never
// at npm's directories nor at a bare name found on npm's temporary PATH.
func TestNPMManagedGetsStableCopy(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	npmDir := filepath.Join(home, ".npm", "_npx", "1a2b", "node_modules", "@getcodegraph", "codegraph-install-linux-x64", "bin")
	if err := os.MkdirAll(npmDir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(npmDir, "codegraph-install")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\necho binary\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	shimDir := filepath.Join(home, ".npm", "_npx", "1a2b", "node_modules", ".bin")
	env := Env{Home: home, GOOS: "linux", Executable: exe,
		LookPath: func(string) (string, error) { return filepath.Join(shimDir, "codegraph"), nil }}
	if !NPMManaged(exe) || NPMManaged("/usr/local/bin/codegraph") {
		t.Fatal("NPMManaged misjudges")
	}
	want := filepath.Join(home, ".codegraph", "bin", "codegraph")
	claude, _ := TargetByID("claude")
	srv, err := Resolve(env, claude, DefaultServer(), false, func() (string, error) { return InstalledBinary(env) })
	if err != nil || srv.Command != want {
		t.Fatalf("Resolve under npm = %q, %v; want %s", srv.Command, err, want)
	}
	got, err := InstallStableBinary(env)
	if err != nil || got != want {
		t.Fatalf("InstallStableBinary = %q, %v", got, err)
	}
	if b, err := os.ReadFile(want); err != nil || string(b) != "#!/bin/sh\necho binary\n" {
		t.Errorf("copy: %q, %v", b, err)
	}
	if fi, err := os.Stat(want); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("copy mode: %v, %v", fi, err)
	}
	// Not run from npm: nothing is copied.
	if got, err := InstallStableBinary(Env{Home: home, Executable: "/usr/local/bin/codegraph-install"}); got != "" || err != nil {
		t.Errorf("InstallStableBinary outside npm = %q, %v", got, err)
	}
}

// TestLinkOnPath: after an install from a build whose path does not last,
// codegraph is put on the PATH through ~/.local/bin when that directory is
// on it, never over a file of someone else's; the commands printed then
// say "codegraph", and otherwise the full path from ~.
func TestLinkOnPath(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	local := filepath.Join(env.Home, ".local", "bin")
	path := map[string]string{"PATH": "/usr/bin"}
	env.Getenv = func(k string) string { return path[k] }
	env.LookPath = PathLookup(env.Getenv, "linux")
	env.Executable = filepath.Join(t.TempDir(), "go-build9", "exe", "codegraph-install")
	writeFile(t, env.Executable, "#!/bin/sh\n")
	if _, err := InstallStableBinary(env); err != nil {
		t.Fatal(err)
	}
	if got := CommandName(env); got != "~/.codegraph/bin/codegraph" {
		t.Errorf("CommandName without a link = %q", got)
	}
	if link, err := LinkOnPath(env); link != "" || err != nil {
		t.Errorf("linked %q (%v) with ~/.local/bin not on the PATH", link, err)
	}
	path["PATH"] = local + ":/usr/bin"
	for i := 0; i < 2; i++ { // made, then found as ours
		link, err := LinkOnPath(env)
		if err != nil || link != filepath.Join(local, "codegraph") {
			t.Fatalf("LinkOnPath = %q, %v", link, err)
		}
		if to, _ := os.Readlink(link); to != StableBinary(env) {
			t.Errorf("the link points at %q", to)
		}
	}
	if got := CommandName(env); got != "codegraph" {
		t.Errorf("CommandName with the link = %q", got)
	}
	// Under npx, npm's bin directory comes first on the PATH for this run
	// only: the commands printed still say "codegraph", which is the link
	// once npx has ended.
	npmBin := filepath.Join(t.TempDir(), "node_modules", ".bin")
	writeFile(t, filepath.Join(npmBin, "codegraph"), "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(npmBin, "codegraph"), 0o755); err != nil {
		t.Fatal(err)
	}
	goBuild := env.Executable
	env.Executable = filepath.Join(filepath.Dir(npmBin), "@getcodegraph", "cli", "bin", "codegraph-install")
	path["PATH"] = npmBin + ":" + local + ":/usr/bin"
	if got := CommandName(env); got != "codegraph" {
		t.Errorf("CommandName under npx with the link = %q", got)
	}
	path["PATH"] = npmBin + ":/usr/bin"
	if got := CommandName(env); got != "~/.codegraph/bin/codegraph" {
		t.Errorf("CommandName under npx without ~/.local/bin on the PATH = %q", got)
	}
	env.Executable = goBuild
	path["PATH"] = local + ":/usr/bin"
	// Someone's own codegraph there is left alone.
	mine := filepath.Join(local, "codegraph")
	_ = os.Remove(mine)
	writeFile(t, mine, "#!/bin/sh\n# mine\n")
	if link, _ := LinkOnPath(env); link != "" {
		t.Errorf("linked over someone's file")
	}
	if b, _ := os.ReadFile(mine); string(b) != "#!/bin/sh\n# mine\n" {
		t.Errorf("their file was changed: %q", b)
	}
}
