package ingestcli

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/getcodegraph/codegraph-install/ingest"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/loadtest"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// TestHelpNamesEveryVariable: `--help` of every command lists, beside each
// flag, the variable that also sets it, spelled as CONTRACT.md §8 says
// (--max-db-size → CODEGRAPH_INGEST_MAX_DB_SIZE); the dashboard token's
// variable, which the ingest package names, is the same one.
func TestHelpNamesEveryVariable(t *testing.T) {
	t.Parallel()
	if got := EnvName("max-db-size"); got != "CODEGRAPH_INGEST_MAX_DB_SIZE" {
		t.Errorf("EnvName(max-db-size) = %q", got)
	}
	if got := EnvName("dashboard-token"); got != ingest.DashboardTokenEnv {
		t.Errorf("EnvName(dashboard-token) = %q, ingest reads %q", got, ingest.DashboardTokenEnv)
	}
	for _, sub := range NewRoot(Env{}).Commands() {
		t.Run(sub.Name(), func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			if code := Run(context.Background(), Env{Stdout: &out, Stderr: &out}, []string{sub.Name(), "--help"}); code != 0 {
				t.Fatalf("exit %d\n%s", code, out.String())
			}
			sub.LocalFlags().VisitAll(func(f *pflag.Flag) {
				if !strings.Contains(out.String(), "[$"+EnvName(f.Name)+"]") {
					t.Errorf("--%s: %s not in the help:\n%s", f.Name, EnvName(f.Name), out.String())
				}
			})
		})
	}
}

// TestApplyEnv: a variable sets a flag the command line left alone, of
// every kind of flag; the command line wins; an empty variable is unset; a
// value the flag refuses is a usage error that names the variable.
func TestApplyEnv(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		env     []string
		want    string // the flags' values after parsing, "str int float bool"
		wantErr string
	}{
		{name: "defaults", want: "d 1 1.5 false"},
		{name: "every kind from the environment",
			env:  []string{"CODEGRAPH_INGEST_SOME_STR=e", "CODEGRAPH_INGEST_SOME_INT=7", "CODEGRAPH_INGEST_SOME_FLOAT=0.25", "CODEGRAPH_INGEST_SOME_BOOL=true"},
			want: "e 7 0.25 true"},
		{name: "the flag wins", args: []string{"--some-int", "9", "--some-str=f"},
			env: []string{"CODEGRAPH_INGEST_SOME_STR=e", "CODEGRAPH_INGEST_SOME_INT=7"}, want: "f 9 1.5 false"},
		{name: "empty is unset", env: []string{"CODEGRAPH_INGEST_SOME_STR="}, want: "d 1 1.5 false"},
		{name: "other names are not read", env: []string{"SOME_INT=7", "CODEGRAPH_INGEST_some_int=7", "CODEGRAPH_INGEST_SOME-INT=7"}, want: "d 1 1.5 false"},
		{name: "a bad value names the variable", env: []string{"CODEGRAPH_INGEST_SOME_INT=seven"}, wantErr: "CODEGRAPH_INGEST_SOME_INT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var (
				s string
				i int
				f float64
				b bool
			)
			cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
			cmd.Flags().StringVar(&s, "some-str", "d", "")
			cmd.Flags().IntVar(&i, "some-int", 1, "")
			cmd.Flags().Float64Var(&f, "some-float", 1.5, "")
			cmd.Flags().BoolVar(&b, "some-bool", false, "")
			if err := cmd.ParseFlags(tc.args); err != nil {
				t.Fatal(err)
			}
			err := applyEnv(cmd, testkit.Env(tc.env...))
			if tc.wantErr != "" {
				if !exitcode.IsUsage(err) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want a usage error naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join([]string{s, pflagValue(cmd, "some-int"), pflagValue(cmd, "some-float"), pflagValue(cmd, "some-bool")}, " "); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func pflagValue(cmd *cobra.Command, name string) string {
	return cmd.Flags().Lookup(name).Value.String()
}

// TestServeRateLimitFromFlagsAndEnvironment: the per-machine limit comes
// from --rate-limit and --rate-burst or their variables (the flag wins),
// and defaults to 60 a minute with a burst of 30; the store's path comes
// from CODEGRAPH_INGEST_DB. Counted on a real server: at a rate too slow
// to refill during the test, a machine gets exactly the burst of 204s, then
// 429; another machine has its own bucket.
func TestServeRateLimitFromFlagsAndEnvironment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		env   []string
		burst int
	}{
		{name: "default burst", burst: ingest.DefaultBurst},
		{name: "from the environment", env: []string{"CODEGRAPH_INGEST_RATE_LIMIT=0.001", "CODEGRAPH_INGEST_RATE_BURST=3"}, burst: 3},
		{name: "flags win", args: []string{"--rate-limit", "0.001", "--rate-burst", "5"},
			env: []string{"CODEGRAPH_INGEST_RATE_LIMIT=6000", "CODEGRAPH_INGEST_RATE_BURST=3"}, burst: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "from-env.db")
			srv := startServe(t, testkit.Env(append(tc.env, "CODEGRAPH_INGEST_DB="+db)...), append([]string{"serve"}, tc.args...)...)
			defer func() {
				if code := srv.stop(); code != 0 {
					t.Errorf("serve exited %d\n%s", code, srv.logs.String())
				}
				if _, err := os.Stat(db); err != nil {
					t.Errorf("CODEGRAPH_INGEST_DB not used: %v", err)
				}
			}()
			send := func(machine int64) int {
				body := loadtest.Body(1)
				loadtest.SetMachine(body, machine)
				resp, err := http.Post("http://"+srv.addr+ingest.EventsPath, "application/json", bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			start := time.Now()
			for i := range tc.burst {
				if code := send(1); code != http.StatusNoContent {
					t.Fatalf("request %d of the burst of %d: %d", i+1, tc.burst, code)
				}
			}
			// At the default 60 a minute a token comes back each second: a
			// burst that took longer than that may rightly be answered once
			// more.
			if code := send(1); code != http.StatusTooManyRequests && time.Since(start) < time.Second {
				t.Errorf("request past the burst of %d: %d, want 429", tc.burst, code)
			}
			if code := send(2); code != http.StatusNoContent {
				t.Errorf("another machine: %d, want 204", code)
			}
		})
	}
}

// TestServeRefusesBadRate: a rate or burst that is not positive, from a
// flag or a variable, is a usage error (exit 2) before anything listens.
func TestServeRefusesBadRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  []string
	}{
		{args: []string{"--rate-limit", "0"}},
		{args: []string{"--rate-limit", "-1"}},
		{args: []string{"--rate-limit", "NaN"}},
		{args: []string{"--rate-limit", "+Inf"}},
		{args: []string{"--rate-burst", "0"}},
		{env: []string{"CODEGRAPH_INGEST_RATE_BURST=-3"}},
		{env: []string{"CODEGRAPH_INGEST_RATE_LIMIT=fast"}},
	} {
		var out bytes.Buffer
		args := append([]string{"serve", "--addr", harness.ListenAddr, "--db", filepath.Join(t.TempDir(), "t.db")}, tc.args...)
		if code := Run(context.Background(), Env{Stdout: &out, Stderr: &out, Getenv: testkit.Env(tc.env...)}, args); code != exitcode.Usage {
			t.Errorf("%v %v: exit %d, want %d\n%s", tc.args, tc.env, code, exitcode.Usage, out.String())
		}
	}
}
