package ingestcli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/ingest"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
)

// BackupOptions are the flags of `backup`.
type BackupOptions struct {
	DB, Out string
}

func newBackup(env Env) *cobra.Command {
	opts := BackupOptions{}
	cmd := &cobra.Command{
		Use:   "backup --out FILE",
		Short: "Write a consistent copy of the SQLite store, also while serve runs",
		Long: `Write a consistent copy of the SQLite store --db to --out, also while serve
writes it: every request answered 204 before the backup started is in the
copy, and no request is in it by half. The copy is SQLite's VACUUM INTO on a
read-only connection (serve goes on accepting), checked with PRAGMA
quick_check, and put at --out only once it is whole; an existing --out is
never replaced. It is itself a store: report --db and serve --db open it.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBackup(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.DB, "db", "codegraph-telemetry.db", "SQLite file written by serve")
	cmd.Flags().StringVar(&opts.Out, "out", "", "file to write the copy to (must not exist)")
	return cmd
}

func runBackup(ctx context.Context, env Env, opts BackupOptions) error {
	if opts.Out == "" {
		return exitcode.Usagef("--out is required")
	}
	res, err := ingest.Backup(ctx, opts.DB, opts.Out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: %d raw events, %d machines, %d bytes (a copy of %s)\n", opts.Out, res.RawEvents, res.Machines, res.Bytes, opts.DB)
	return nil
}
