package installcli

import (
	"context"
	"errors"
	"fmt"

	"github.com/getcodegraph/codegraph-install/installer"
	"github.com/getcodegraph/codegraph-install/installer/tui"
	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
)

// scopeInHome handles the local scope asked for in the home directory,
// where "local" files are most agents' global files (and the local
// manifest the global one): headless, a usage error with the way out;
// interactive, a warning and the question whether to install for the user
// instead. Declining is a cancel, like every other question of the
// installer: nothing is changed, exit 1 (130 for Ctrl+C).
func (a *app) scopeInHome(ctx context.Context, env installer.Env, scope installer.Scope, interactive, accessibleFlag bool) (installer.Scope, bool, error) {
	if scope != installer.ScopeLocal || !installer.ProjectIsHome(env) {
		return scope, true, nil
	}
	if !interactive {
		return scope, false, exitcode.Usagef("--scope local in your home directory (%s) would write the global files of most agents: use --scope global, or --project DIR for a project", env.Home)
	}
	err := &installer.LocalInHomeError{Home: env.Home}
	fmt.Fprintf(a.env.Stderr, "Warning: %v.\n", err)
	cerr := tui.Confirm(ctx, tui.ConfirmOptions{
		Title:      "Install for your user (global scope) instead?",
		Details:    "Local scope only makes sense in a project directory; run the installer there, or with --project DIR.",
		Version:    buildinfo.CodegraphVersion(),
		Accessible: a.accessible(accessibleFlag),
		Environ:    tui.Environ(a.env.Getenv),
	}, a.env.Stdin, a.formOutput(accessibleFlag))
	switch {
	case errors.Is(cerr, tui.ErrCancelled), errors.Is(cerr, tui.ErrInterrupted):
		// No, Esc, Ctrl+C or end of input: nothing is stored or written.
		return scope, false, a.cancelled(cerr)
	case cerr != nil:
		return scope, false, cerr
	}
	return installer.ScopeGlobal, true, nil
}
