package installcli_test

import (
	"strings"
	"testing"
)

// TestOneSubcommandTreeAnswersLikeTheWholeTree: a run that starts with a
// subcommand's name builds only that subcommand (rootCommand), so its help,
// flags and children must be exactly those of the whole tree, which
// `codegraph help …` builds. The commands are discovered through the shell
// completion protocol, which also builds the whole tree, so a new command
// is covered without editing this test.
func TestOneSubcommandTreeAnswersLikeTheWholeTree(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	env := map[string]string{"CODEGRAPH_TELEMETRY": "0"}
	// subcommands lists the children of the command at path, as cobra's
	// completion offers them ("name\tdescription" lines, then ":directive").
	subcommands := func(path ...string) []string {
		_, out, _ := runCLI(t, home, env, append(append([]string{"__complete"}, path...), "")...)
		var names []string
		for line := range strings.SplitSeq(out, "\n") {
			name, _, _ := strings.Cut(line, "\t")
			if name == "" || strings.HasPrefix(name, ":") || strings.HasPrefix(name, "-") || name == "help" || name == "completion" {
				continue
			}
			names = append(names, name)
		}
		return names
	}
	top := subcommands()
	if len(top) < 7 {
		t.Fatalf("completion offers %q: fewer commands than codegraph has", top)
	}
	var paths [][]string
	for _, name := range top {
		paths = append(paths, []string{name})
		for _, child := range subcommands(name) {
			paths = append(paths, []string{name, child})
		}
	}
	for _, path := range paths {
		codeWhole, whole, errWhole := runCLI(t, home, env, append([]string{"help"}, path...)...)
		codeOne, one, errOne := runCLI(t, home, env, append(path, "--help")...)
		if codeWhole != 0 || codeOne != 0 || errWhole != "" || errOne != "" {
			t.Errorf("%q: help exits %d (stderr %q), --help %d (stderr %q)", path, codeWhole, errWhole, codeOne, errOne)
		}
		if whole != one {
			t.Errorf("%q --help, built alone:\n%s\nbuilt in the whole tree:\n%s", path, one, whole)
		}
	}
}
