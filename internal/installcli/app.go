// Package installcli is the command tree of codegraph-install (also
// answering as `codegraph`): it parses flags and wires the injected
// environment into the library packages; package exitcode turns the result
// into an exit code.
//
// Behaviour lives in the library packages (consent, telemetry, installer,
// census, mcpserver); this package only parses and wires, so every command
// can be run in-process by tests with a temporary home and buffers for
// stdio. stdout carries only what the user asked for; notices, progress and
// errors go to stderr.
package installcli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Env is everything a command may touch outside its own memory.
type Env struct {
	// Program is the name the binary was called by: "codegraph" or
	// "codegraph-install".
	Program string
	// Args are the arguments after the program name.
	Args   []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// StdinTTY and StderrTTY report whether those streams are terminals.
	StdinTTY, StdoutTTY, StderrTTY bool
	// TermSize is the size of the terminal the form draws on (stderr);
	// 0, 0 when it reports none. nil means unknown, not zero.
	TermSize func() (width, height int)
	Getenv   func(string) string
	// Home is the user's home directory; HomeErr is set when it is unknown.
	Home    string
	HomeErr error
	// Cwd is the working directory, the default project directory.
	Cwd        string
	Now        func() time.Time
	HTTPClient *http.Client

	// Executable is this binary's path (os.Executable), "" when unknown:
	// what the installer writes when codegraph is not on the PATH.
	Executable string
	// GOOS is the OS whose agent paths are used: runtime.GOOS when "".
	// Tests list another OS's paths (--list-targets for all three).
	GOOS string
}

// app is one run of the program.
type app struct {
	env      Env
	tel      *telemetry.Client
	state    statedir.Dir
	counters map[*cobra.Command]*telemetry.Counter
	// uncounted is set by a run that must leave no trace: a --dry-run
	// (it writes nothing) and a cancelled form (it changes nothing), not
	// even their own usage count.
	uncounted bool
}

// ProgramName turns argv[0] into the command name: a copy or link named
// codegraph answers as codegraph.
func ProgramName(argv0 string) string {
	name := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	if name == "codegraph" {
		return name
	}
	return "codegraph-install"
}

// Run executes one command line and returns the exit code. Telemetry is
// persisted before it returns, whatever happened, so main may os.Exit.
func Run(ctx context.Context, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Args == nil {
		env.Args = []string{} // cobra would fall back to os.Args
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	a := &app{env: env, state: statedir.ForHome(env.Home), counters: map[*cobra.Command]*telemetry.Counter{}}
	if env.HomeErr == nil && env.Home != "" {
		a.tel = telemetry.New(telemetry.Options{
			Home:       env.Home,
			Getenv:     env.Getenv,
			Now:        env.Now,
			Stderr:     env.Stderr,
			HTTPClient: env.HTTPClient,
			Version:    buildinfo.CodegraphVersion(),
		})
	}
	root := a.rootCommand(env.Args)
	a.registerCounters(root)
	root.SetArgs(env.Args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if ctr := a.counters[cmd]; ctr != nil && !exitcode.IsUsage(err) && !a.uncounted && !helpShown(cmd) {
		ctr.Record(err == nil)
	}
	a.tel.Close()
	return exitcode.Code(ctx, env.Stderr, env.Program, cmd, a.shown(err))
}

// mayNeedCompletion reports whether a run with these arguments could reach
// cobra's completion command: `completion …` itself (`help completion`
// included) and the shell hooks (`__complete`, `__completeNoDesc`). The
// command is hidden, so no other help lists it.
func mayNeedCompletion(args []string) bool {
	for _, arg := range args {
		if arg == "completion" || strings.HasPrefix(arg, "__complete") {
			return true
		}
	}
	return false
}

// commandName is the name a command is counted under: its path below the
// root joined with ':' ("telemetry:status"), and "install" for the root.
// These are names the program registered, never arguments.
func commandName(cmd *cobra.Command) string {
	var parts []string
	for c := cmd; c.HasParent(); c = c.Parent() {
		parts = append([]string{c.Name()}, parts...)
	}
	if len(parts) == 0 {
		return "install"
	}
	return strings.Join(parts, ":")
}

// uncountedCommands are not counted: they only print something about the
// program (version, help) or delete telemetry's own files (reset), so they
// create no file. Usage errors and --help on any command are not counted
// either (see Run).
var uncountedCommands = map[string]bool{
	"version":         true,
	"telemetry":       true, // alone, it prints its help
	"telemetry:reset": true,
}

func (a *app) registerCounters(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && c.Name() != "help" && c.Name() != "completion" && !uncountedCommands[commandName(c)] {
			a.counters[c] = a.tel.Counter(schema.UsageCLICommand, commandName(c))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// helpShown reports whether cmd ran only to print its help (--help) or,
// on the root, its version (--version): about the program, not a use of it.
func helpShown(cmd *cobra.Command) bool {
	if cmd == nil {
		return false
	}
	h, _ := cmd.Flags().GetBool("help")
	v, _ := cmd.Flags().GetBool("version")
	return h || v
}

// needHome fails clearly when the home directory is unknown.
func (a *app) needHome() error {
	if a.env.HomeErr != nil || a.env.Home == "" {
		return errors.New("cannot find your home directory (HOME is not set); nothing was changed. Set HOME to your home directory, then run the command again.")
	}
	return nil
}

// resolveDir turns a DIR argument or --project value ("" for the working
// directory) into a clean absolute path, and checks that it is a directory.
// Every command that takes a project directory resolves it here, so they
// agree on what a relative path means and on the messages.
func (a *app) resolveDir(arg string) (string, error) {
	dir := arg
	if dir == "" {
		dir = a.env.Cwd
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(a.env.Cwd, dir)
	}
	dir = filepath.Clean(dir)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("the directory %s does not exist; nothing was changed. Check the path (or create it with mkdir -p %s), then run the command again.", dir, dir)
	case err != nil:
		return "", fmt.Errorf("the directory %s cannot be read (%v); nothing was changed. Check its permissions (ls -ld %s), then run the command again.", dir, errors.Unwrap(err), dir)
	case !fi.IsDir():
		return "", fmt.Errorf("%s is a file, not a directory; nothing was changed. Name the project's directory instead.", dir)
	}
	return dir, nil
}

// SystemEnv is the real process environment, for main.
func SystemEnv() Env {
	home, homeErr := os.UserHomeDir()
	cwd, _ := os.Getwd()
	exe, _ := os.Executable()
	return Env{
		Program:   ProgramName(os.Args[0]),
		Args:      os.Args[1:],
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		StdinTTY:  stdinIsTerminal(os.Getenv),
		StdoutTTY: isTerminal(os.Stdout),
		StderrTTY: isTerminal(os.Stderr),
		TermSize:  stderrSize,
		Getenv:    os.Getenv,
		Home:      home,
		HomeErr:   homeErr,
		Cwd:       cwd,
		Now:       clock(os.Getenv),

		Executable: exe,
	}
}

// stderrSize is the size of the terminal on stderr, 0, 0 when none.
func stderrSize() (int, int) {
	w, h, err := term.GetSize(os.Stderr.Fd())
	if err != nil {
		return 0, 0
	}
	return w, h
}

// isTerminal reports whether f is a terminal. A mode check is not enough:
// /dev/null is a character device too.
func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// flushCapped sends what is due, this command's own events included,
// waiting at most about telemetry.SendTimeout: the end of install/init,
// where a second is invisible. A failure is silent and leaves the events
// to be queued when the command ends (Close).
func (a *app) flushCapped(ctx context.Context) {
	if a.tel == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, telemetry.SendTimeout)
	defer cancel()
	a.tel.Flush(ctx)
}
