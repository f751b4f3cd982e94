package exitcode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

func TestCode(t *testing.T) {
	t.Parallel()
	live := context.Background()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cmd := &cobra.Command{Use: "prog"}
	cmd.AddCommand(&cobra.Command{Use: "sub"})
	sub := cmd.Commands()[0]
	// What each case prints is what a user reads: golden/cli/exit-messages.txt.
	var transcript bytes.Buffer
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"ok", live, nil, OK},
		{"failure", live, errors.New("disk full"), Failure},
		{"wrapped usage", live, fmt.Errorf("parsing: %w", Usagef("bad --scope %q", "x")), Usage},
		{"silent", live, Silent(Failure), Failure},
		{"silent keeps its code", cancelled, Silent(7), 7},
		{"interrupted", cancelled, context.Canceled, Interrupted},
		{"usage wins over a signal", cancelled, Usagef("no terminal"), Usage},
	} {
		var stderr bytes.Buffer
		got := Code(tc.ctx, &stderr, "prog", sub, tc.err)
		if got != tc.want {
			t.Errorf("%s: code %d, want %d", tc.name, got, tc.want)
		}
		fmt.Fprintf(&transcript, "# %s: exit %d\n%s", tc.name, got, stderr.String())
	}
	testkit.Golden(t, "cli/exit-messages.txt", transcript.Bytes())
}

// TestPrepare runs real command lines through a prepared tree: unknown
// commands, bad flags and stray arguments are usage errors on runnable and
// grouping commands alike, and a grouping command alone prints its help.
func TestPrepare(t *testing.T) {
	t.Parallel()
	build := func(out *bytes.Buffer) *cobra.Command {
		root := &cobra.Command{Use: "prog"}
		group := &cobra.Command{Use: "group"}
		group.AddCommand(&cobra.Command{Use: "leaf", RunE: func(*cobra.Command, []string) error { return nil }})
		root.AddCommand(group, &cobra.Command{Use: "one", Args: Args(cobra.ExactArgs(1)), RunE: func(*cobra.Command, []string) error { return nil }})
		root.SetOut(out)
		root.SetErr(out)
		Prepare(root)
		return root
	}
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"bogus"}, Usage},
		{[]string{"group", "bogus"}, Usage},
		{[]string{"group", "leaf", "extra"}, Usage},
		{[]string{"group", "leaf", "--nope"}, Usage},
		{[]string{"one"}, Usage},
		{[]string{"one", "a"}, OK},
		{[]string{"group"}, OK},
		{[]string{"group", "leaf"}, OK},
	} {
		var out bytes.Buffer
		root := build(&out)
		root.SetArgs(tc.args)
		cmd, err := root.ExecuteC()
		if got := Code(context.Background(), &out, "prog", cmd, err); got != tc.want {
			t.Errorf("%v: code %d, want %d; output:\n%s", tc.args, got, tc.want, out.String())
		}
		if tc.args[0] == "group" && len(tc.args) == 1 && !strings.Contains(out.String(), "Available Commands") {
			t.Errorf("group alone should print its help, got:\n%s", out.String())
		}
	}
}

// TestSuggestions: a mistyped subcommand is still a usage error, and the
// message keeps cobra's "Did you mean this?" although every command has
// its own Args check (cobra adds suggestions only without one).
func TestSuggestions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string // "" when no suggestion is expected
	}{
		{[]string{"gruop"}, "\n\nDid you mean this?\n\tgroup\n"},
		{[]string{"group", "laef"}, "\n\nDid you mean this?\n\tleaf\n"},
		{[]string{"zzzzzz"}, ""},
	} {
		root := &cobra.Command{Use: "prog", RunE: func(*cobra.Command, []string) error { return nil }}
		group := &cobra.Command{Use: "group"}
		group.AddCommand(&cobra.Command{Use: "leaf", RunE: func(*cobra.Command, []string) error { return nil }})
		root.AddCommand(group)
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		Prepare(root)
		root.SetArgs(tc.args)
		cmd, err := root.ExecuteC()
		var stderr bytes.Buffer
		if got := Code(context.Background(), &stderr, "prog", cmd, err); got != Usage {
			t.Errorf("%v: code %d, want %d", tc.args, got, Usage)
		}
		msg := stderr.String()
		if !strings.Contains(msg, "unknown command") {
			t.Errorf("%v: %q does not say unknown command", tc.args, msg)
		}
		if tc.want == "" && strings.Contains(msg, "Did you mean") || tc.want != "" && !strings.Contains(msg, tc.want) {
			t.Errorf("%v: message %q, want it to contain %q", tc.args, msg, tc.want)
		}
	}
}
