package ingestcli

import (
	"context"
	"errors"
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

// ForgetOptions are the flags of `forget`.
type ForgetOptions struct {
	DB string
}

func newForget(env Env) *cobra.Command {
	opts := ForgetOptions{}
	cmd := &cobra.Command{
		Use:   "forget MACHINE_ID",
		Short: "Delete every row of one machine from the SQLite store, also while serve runs",
		Long: `Delete every row of MACHINE_ID (as codegraph telemetry status shows it) from
the SQLite store --db: its raw events, its per-machine rollup rows (which
days, weeks, versions and platforms it was counted in) and its machine row,
the only place its ID is kept. Counts already added to the daily rollups and
totals stay: they hold no machine ID. Deleted content is overwritten with
zeros. It can run while serve writes the store; should the machine send
again, it is counted as a new machine. Backups taken before keep it: run
forget on them too, or delete them. A machine ID the store does not hold is
no error.`,
		Args: exitcode.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runForget(cmd.Context(), env, opts, args[0])
		},
	}
	cmd.Flags().StringVar(&opts.DB, "db", "codegraph-telemetry.db", "SQLite file written by serve")
	return cmd
}

func runForget(ctx context.Context, env Env, opts ForgetOptions, machineID string) error {
	res, err := ingest.Forget(ctx, opts.DB, machineID)
	if errors.Is(err, ingest.ErrNotMachineID) {
		return exitcode.Usagef("%v", err)
	}
	if err != nil {
		return err
	}
	if !res.Found {
		fmt.Fprintf(env.Stdout, "%s: nothing stored in %s\n", res.MachineID, opts.DB)
		return nil
	}
	fmt.Fprintf(env.Stdout, "%s: deleted from %s: %d raw events, %d per-machine rollup rows, its machine row\n",
		res.MachineID, opts.DB, res.RawEvents, res.FirstSeen)
	if res.LogKept {
		fmt.Fprintln(env.Stderr, "serve was using the write-ahead log: its copies of the deleted pages stay until serve's writes overwrite them (stopping serve removes the log).")
	}
	return nil
}
