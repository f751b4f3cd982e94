package installer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/getcodegraph/codegraph-install/internal/atomicfile"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
)

// The command written into an agent's config must start from that agent.
// A bare "codegraph" is written only where it resolves on the PATH the
// agent gets; otherwise, and always for a GUI app, the absolute path of
// the installed binary. A binary in a temporary or build-cache directory
// is never written.

// NotInstalledError says that no installed codegraph binary can be named:
// it is not on the PATH, and the running installer is a temporary build (or
// cannot tell where it is).
type NotInstalledError struct {
	Executable string // the running binary, "" when unknown
}

func (e *NotInstalledError) Error() string {
	where := "this installer cannot tell where its own binary is"
	if e.Executable != "" {
		where = fmt.Sprintf("this installer runs from a temporary build (%s, as `go run` makes), which is deleted before your agents would start it", e.Executable)
	}
	return "codegraph is not installed where your agents can start it: it is not on your PATH, and " + where +
		"; nothing was changed. Install it first (`make install` in a checkout of codegraph-install puts codegraph-install and codegraph on your PATH), then run codegraph-install again."
}

// InstalledBinary is the absolute path agents should run: the copy in
// ~/.codegraph/bin when the running binary's path does not last
// (NeedsStableCopy), else `codegraph` on env's PATH, else a `codegraph`
// beside the running installer, else the running installer itself (the
// same binary answers to both names).
func InstalledBinary(env Env) (string, error) {
	if NeedsStableCopy(env) {
		// npm's paths do not last (see NPMManaged), nor does a go run
		// build: agents get the copy kept in the state directory.
		return StableBinary(env), nil
	}
	if p, ok := onPath(env); ok {
		return p, nil
	}
	exe := env.Executable
	if exe == "" {
		return "", &NotInstalledError{}
	}
	sibling := filepath.Join(filepath.Dir(exe), "codegraph")
	if env.GOOS == "windows" {
		sibling += ".exe"
	}
	if fi, err := os.Stat(sibling); err == nil && fi.Mode().IsRegular() {
		return sibling, nil
	}
	return exe, nil
}

// Resolve returns the server to write for target t. An explicit server
// (--server-command) is written as given. Otherwise base's command is
// replaced by the bare name "codegraph" when t is started from a shell and
// codegraph is on env's PATH (the PATH such an agent inherits), and by the
// installed binary's absolute path in every other case. bin is called at
// most once, and only when the absolute path is needed.
func Resolve(env Env, t Target, base Server, explicit bool, bin func() (string, error)) (Server, error) {
	if explicit {
		return base, nil
	}
	// Under npm (npx above all), PATH holds npm's own bin directories for
	// this run only: a bare name found there would not resolve for the
	// agent later.
	if !t.GUI && env.LookPath != nil && !NPMManaged(env.Executable) {
		if _, err := env.LookPath("codegraph"); err == nil {
			return Server{Command: "codegraph", Args: base.Args}, nil
		}
	}
	path, err := bin()
	if err != nil {
		return Server{}, err
	}
	return Server{Command: path, Args: base.Args}, nil
}

// temporary reports a path in a temporary directory or Go's build cache,
// where `go run` and `go test` put their binaries.
func temporary(env Env, path string) bool {
	clean := filepath.Clean(path)
	for _, part := range strings.Split(filepath.ToSlash(clean), "/") {
		if strings.HasPrefix(part, "go-build") {
			return true
		}
	}
	// The temporary directory as os.TempDir names it for env, and Go's.
	dirs := []string{env.getenv("GOTMPDIR"), env.getenv("GOCACHE")}
	if env.GOOS == "windows" {
		dirs = append(dirs, env.getenv("TEMP"), env.getenv("TMP"))
	} else if v := env.getenv("TMPDIR"); v != "" {
		dirs = append(dirs, v)
	} else {
		dirs = append(dirs, "/tmp")
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		d = filepath.Clean(d)
		if rel, err := filepath.Rel(d, clean); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
			return true
		}
	}
	return false
}

// GUIPath is the PATH a desktop app gets on goos when it is started from a
// dock, a menu or a launcher rather than a shell: launchd's default on
// macOS, systemd's default for user sessions on Linux. Windows gives GUI
// apps the user's PATH from the registry, which the environment's PATH
// stands for.
func GUIPath(goos string, getenv func(string) string) string {
	switch goos {
	case "darwin":
		return "/usr/bin:/bin:/usr/sbin:/sbin"
	case "windows":
		return getenv("PATH")
	}
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

// AgentPATH is the PATH the target's agent starts servers with: the one
// of the environment (a shell's) for an agent started from a shell,
// GUIPath for a GUI app.
func (t Target) AgentPATH(env Env) string {
	if t.GUI {
		return GUIPath(env.GOOS, env.getenv)
	}
	return env.getenv("PATH")
}

// NPMManaged reports a binary inside an npm package (under node_modules):
// installed by `npx codegraph-install` or `npm install`. Its path does not
// last: npx keeps packages in a cache that npm may clear, an update or a
// reinstall may move them, and version managers (nvm, fnm) keep one global
// node_modules per Node version. So agents are not pointed at it.
func NPMManaged(path string) bool {
	return strings.Contains(filepath.ToSlash(path), "/node_modules/")
}

// StableBinary is where the installer keeps its own copy of the binary for
// agents to start when it runs from npm: ~/.codegraph/bin/codegraph. It
// stays where it is whatever npm does, and each install from npm replaces
// it with the version being installed.
func StableBinary(env Env) string {
	name := "codegraph"
	if env.GOOS == "windows" {
		name += ".exe"
	}
	return filepath.Join(statedir.ForHome(env.Home).Bin(), name)
}

// onPath is the absolute path of codegraph on env's PATH, if it is there.
func onPath(env Env) (string, bool) {
	if env.LookPath == nil {
		return "", false
	}
	p, err := env.LookPath("codegraph")
	if err != nil {
		return "", false
	}
	abs, err := filepath.Abs(p)
	return abs, err == nil
}

// NeedsStableCopy reports whether agents are given StableBinary, a copy of
// the running binary: it runs from npm, or from a temporary build (`go
// run`) while no codegraph is on the PATH.
func NeedsStableCopy(env Env) bool {
	if env.Executable == "" {
		return false
	}
	if NPMManaged(env.Executable) {
		return true
	}
	p, installed := onPath(env)
	// Our own link to the copy (LinkOnPath) is not an installed codegraph:
	// the copy is still refreshed by each install.
	installed = installed && realPath(p) != realPath(StableBinary(env))
	return !installed && temporary(env, env.Executable)
}

// InstallStableBinary copies the running binary to StableBinary when
// NeedsStableCopy (and does nothing otherwise), atomically and durably, so
// an agent never starts a half-written binary; each install from such a
// build refreshes it. It returns the path written.
func InstallStableBinary(env Env) (string, error) {
	if !NeedsStableCopy(env) {
		return "", nil
	}
	data, err := os.ReadFile(env.Executable)
	if err != nil {
		return "", localize(env, OpInstall, ioError(env.Executable, "read", err))
	}
	dst := StableBinary(env)
	if err := statedir.ForHome(env.Home).Ensure(); err != nil {
		return "", localize(env, OpInstall, ioError(statedir.ForHome(env.Home).Root(), "created", err))
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", localize(env, OpInstall, ioError(filepath.Dir(dst), "created", err))
	}
	if err := atomicfile.Write(dst, data, 0o755, atomicfile.Durable); err != nil {
		return "", localize(env, OpInstall, ioError(dst, "written", err))
	}
	return dst, nil
}

// LinkOnPath puts codegraph on the user's PATH after an install that gave
// the agents StableBinary (npm, go run): a symbolic link ~/.local/bin/codegraph
// to it, as rustup and bun do, but only when ~/.local/bin is already on
// env's PATH and nothing else named codegraph stands there (a link of ours
// is refreshed; anything else is left alone). It returns the link made,
// "" when none was (not wanted, or not safe: the caller then prints the
// full path). Windows has no such convention: "" there.
func LinkOnPath(env Env) (string, error) {
	if env.GOOS == "windows" || !NeedsStableCopy(env) {
		return "", nil
	}
	link, target := pathLink(env), StableBinary(env)
	if !dirOnPath(env, filepath.Dir(link)) {
		return "", nil
	}
	if fi, err := os.Lstat(link); err == nil {
		if fi.Mode()&os.ModeSymlink == 0 {
			return "", nil // someone's own codegraph
		}
		if to, err := os.Readlink(link); err != nil || to != target {
			return "", nil // a link of someone else's
		}
		return link, nil
	}
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return "", err
	}
	if err := os.Symlink(target, link); err != nil {
		return "", err
	}
	return link, nil
}

// pathLink is the link LinkOnPath makes: ~/.local/bin/codegraph.
func pathLink(env Env) string { return filepath.Join(env.Home, ".local", "bin", "codegraph") }

// dirOnPath reports whether dir is one of env's PATH directories.
func dirOnPath(env Env, dir string) bool {
	for _, d := range filepath.SplitList(env.getenv("PATH")) {
		if d != "" && filepath.Clean(d) == dir {
			return true
		}
	}
	return false
}

// CommandName is how the commands an install prints should name codegraph
// for them to run as printed: "codegraph" when it is on env's PATH, else
// the installed binary's path, shown from ~.
func CommandName(env Env) string {
	// Under npx, PATH holds npm's own bin directories for this run only:
	// a codegraph found there is gone when the user types the command.
	if p, ok := onPath(env); ok && !NPMManaged(p) && !NPMManaged(realPath(p)) {
		return "codegraph"
	}
	// The user's own PATH follows npm's directories: once npx has ended,
	// "codegraph" is our link in ~/.local/bin (LinkOnPath).
	if link := pathLink(env); env.GOOS != "windows" && dirOnPath(env, filepath.Dir(link)) && realPath(link) == realPath(StableBinary(env)) {
		return "codegraph"
	}
	bin, err := InstalledBinary(env)
	if err != nil {
		return "codegraph"
	}
	if shown := DisplayPath(env.Home, bin); strings.HasPrefix(shown, "~"+string(filepath.Separator)) {
		return "~" + string(filepath.Separator) + ShellQuote(shown[2:])
	}
	return ShellQuote(bin)
}

func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}
