// Package exitcode is the one command-line convention both binaries follow
// (codegraph-install, also called codegraph, and codegraph-ingest): the exit
// codes, the error types that select them, the cobra argument and flag
// checks that produce usage errors, and the single function that turns a
// command's error into a message on stderr and a code.
//
// Exit codes: 0 ok, 1 failure, 2 usage error (bad flag or argument, unknown
// command, no terminal for an interactive run), 130 interrupted (SIGINT or
// SIGTERM ended the command, the shell convention of 128 + SIGINT).
//
// It never exits the process itself: main does, after telemetry is closed.
package exitcode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// The exit codes.
const (
	OK          = 0
	Failure     = 1
	Usage       = 2
	Interrupted = 130
)

// usageError marks a command line that could not be understood.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// Usagef returns a usage error (exit 2).
func Usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// IsUsage reports whether err is a usage error.
func IsUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

// silentError is a failure already explained on stderr: only its code is
// left to return.
type silentError struct{ code int }

func (e silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Silent returns an error that exits with code and prints nothing more.
func Silent(code int) error { return silentError{code} }

// Args wraps a cobra argument check so that its errors are usage errors.
// On a command with subcommands, a rejected first argument is most likely
// a mistyped subcommand: the error then carries cobra's suggestions
// ("Did you mean this?"), which cobra itself adds only when a command has
// no Args check of its own, as every command here has.
func Args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{withSuggestions(cmd, args, err)}
		}
		return nil
	}
}

// withSuggestions appends the subcommands of cmd that args[0] may have
// meant to err, in cobra's own words and layout.
func withSuggestions(cmd *cobra.Command, args []string, err error) error {
	if len(args) == 0 || !cmd.HasAvailableSubCommands() || cmd.DisableSuggestions {
		return err
	}
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	names := cmd.SuggestionsFor(args[0])
	if len(names) == 0 {
		return err
	}
	var sb strings.Builder
	sb.WriteString("\n\nDid you mean this?\n")
	for _, n := range names {
		fmt.Fprintf(&sb, "\t%s\n", n)
	}
	return fmt.Errorf("%w%s", err, sb.String())
}

// Prepare applies the convention to a whole command tree: cobra prints no
// errors or usage of its own (Code does), flag errors are usage errors, and
// every command checks its arguments. A command that only groups others
// gets a RunE that prints its help, because cobra checks Args only for
// runnable commands: without it `prog bogus` would print help and exit 0.
func Prepare(root *cobra.Command) {
	root.SilenceUsage = true
	root.SilenceErrors = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Args == nil {
			c.Args = Args(cobra.NoArgs)
		}
		if !c.Runnable() && c.HasSubCommands() {
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// Code turns the result of running cmd (nil when cobra failed before
// finding one) into an exit code, printing the error once on stderr as
// "program: message", with a pointer to --help after a usage error. ctx is
// the command's context: when it was cancelled by a signal, the command was
// interrupted, whatever error that caused.
func Code(ctx context.Context, stderr io.Writer, program string, cmd *cobra.Command, err error) int {
	if err == nil {
		return OK
	}
	var s silentError
	if errors.As(err, &s) {
		return s.code
	}
	if ctx.Err() != nil && !IsUsage(err) {
		fmt.Fprintf(stderr, "%s: interrupted\n", program)
		return Interrupted
	}
	fmt.Fprintf(stderr, "%s: %v\n", program, err)
	if IsUsage(err) {
		path := program
		if cmd != nil {
			path = cmd.CommandPath()
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", path)
		return Usage
	}
	return Failure
}
