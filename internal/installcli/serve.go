package installcli

import (
	"context"
	"sync"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/internal/buildinfo"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/mcpserver"
	"github.com/getcodegraph/codegraph-install/telemetry"
)

func (a *app) serveCommand() *cobra.Command {
	var mcp bool
	cmd := &cobra.Command{
		Use:   "serve --mcp",
		Short: "Run codegraph's MCP server on stdio",
		Long: `Runs codegraph's MCP server on stdin/stdout for an AI coding agent. stdout
carries protocol messages only; anything else goes to stderr. Exits when
stdin closes.`,
		Args: exitcode.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !mcp {
				return exitcode.Usagef("serve needs --mcp (codegraph serves MCP over stdio)")
			}
			// Send what earlier processes left due, in the background,
			// once this long-lived process has answered initialize (so
			// that the send never delays the agent's session); wait for
			// it before exiting so a send is never cut off halfway.
			var flushing sync.WaitGroup
			startFlush := func() {
				flushing.Add(1)
				go func() {
					defer flushing.Done()
					ctx, cancel := context.WithTimeout(cmd.Context(), telemetry.SendTimeout)
					defer cancel()
					a.tel.Flush(ctx)
				}()
			}
			err := mcpserver.Serve(cmd.Context(), mcpserver.Options{
				AfterFirstAnswer: startFlush,
				In:               a.env.Stdin,
				Out:              a.env.Stdout,
				Dir:              a.env.Cwd,
				Telemetry:        a.tel,
				Version:          buildinfo.CodegraphVersion(),
				Now:              a.env.Now,
			})
			flushing.Wait()
			return err
		},
	}
	cmd.Flags().BoolVar(&mcp, "mcp", false, "serve the Model Context Protocol on stdio")
	return cmd
}
