package ingestcli

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/getcodegraph/codegraph-install/internal/exitcode"
)

// EnvPrefix starts the name of the variable that sets each flag:
// CODEGRAPH_INGEST_ and the flag's name in upper case with dashes turned
// into underscores (--max-db-size → CODEGRAPH_INGEST_MAX_DB_SIZE), as
// CONTRACT.md §8 names them. A container or a systemd unit configures the
// server with variables; a flag on the command line wins over its variable.
const EnvPrefix = "CODEGRAPH_INGEST_"

// EnvName is the variable that also sets the flag named flag.
func EnvName(flag string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// bindEnv names, in the help of every flag of cmd and its subcommands, the
// variable that also sets it.
func bindEnv(cmd *cobra.Command) {
	cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
		f.Usage += " [$" + EnvName(f.Name) + "]"
	})
	for _, sub := range cmd.Commands() {
		bindEnv(sub)
	}
}

// applyEnv sets each flag of cmd that the command line left alone from its
// variable, when that is set and not empty. A value the flag refuses is a
// usage error that names the variable, as a bad flag names the flag.
func applyEnv(cmd *cobra.Command, getenv func(string) string) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed || f.Name == "help" {
			return
		}
		name := EnvName(f.Name)
		v := getenv(name)
		if v == "" {
			return
		}
		if serr := cmd.Flags().Set(f.Name, v); serr != nil {
			err = exitcode.Usagef("%s=%q: %v", name, v, serr)
		}
	})
	return err
}
