package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) serveCommand() *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "Run codegraph's MCP server on stdio (--mcp)", Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error { return errors.New("serve: not wired yet") }}
}
