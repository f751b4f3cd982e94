// Package ingestcli is the command tree of codegraph-ingest (serve, report,
// backup, forget, healthcheck): it parses flags and environment (every flag
// also a CODEGRAPH_INGEST_ variable), wires package ingest together and
// nothing else. It never exits the process: Run returns the exit code,
// decided by package exitcode like every command of this module.
package ingestcli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/ingest"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
)

// Env is what the commands get from the process: streams and environment.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Now is the clock; defaults to time.Now.
	Now func() time.Time
	// HTTPClient sends to PostHog; defaults to a client with a timeout.
	HTTPClient *http.Client
}

// Run executes one command line (args after the program name) and returns
// the exit code, by the convention of package exitcode.
func Run(ctx context.Context, env Env, args []string) int {
	root := NewRoot(env)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	return exitcode.Code(ctx, env.Stderr, root.Name(), cmd, err)
}

// NewRoot builds the command tree.
func NewRoot(env Env) *cobra.Command {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	root := &cobra.Command{
		Use:   "codegraph-ingest",
		Short: "Receive, validate and store codegraph's anonymous telemetry",
	}
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.AddCommand(newServe(env), newReport(env), newBackup(env), newForget(env), newHealthcheck(env))
	// Every flag of every command can also come from its variable (see
	// EnvPrefix); cobra runs the root's persistent hook for each command.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return applyEnv(cmd, env.Getenv) }
	bindEnv(root)
	// A server binary has no use for shell completion scripts.
	root.CompletionOptions.DisableDefaultCmd = true
	exitcode.Prepare(root)
	return root
}

// ServeOptions are the flags of `serve`.
type ServeOptions struct {
	Addr           string
	DB             string
	RetentionDays  int
	MaxDBSize      string
	QueueEvents    int
	DashboardToken string
	// RateLimit (requests a minute) and RateBurst shape the token bucket
	// each machine ID gets.
	RateLimit float64
	RateBurst int
	// TLSCert and TLSKey, both or neither, make serve speak HTTPS.
	TLSCert, TLSKey string
	// Public serves GET /public, without a token: the figures of report
	// --public with MinMachines as K.
	Public      bool
	MinMachines int
}

// DefaultMaxDBSize is serve's size budget unless --max-db-size says
// otherwise: room for about 10 to 15 million raw events at the 60–100 bytes an
// event that BENCHMARKS.md measures.
const DefaultMaxDBSize = "1GiB"

func newServe(env Env) *cobra.Command {
	opts := ServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve POST /v1/events (SQLite store, or PostHog when POSTHOG_API_KEY is set)",
		Long: `Serve the telemetry ingest.

Without POSTHOG_API_KEY, accepted events are stored in the SQLite file --db:
raw rows for --retention-days, daily rollups for ever, the file kept under
--max-db-size by deleting the oldest raw rows first. GET /dashboard serves the
dashboards over loopback, or anywhere with --dashboard-token (or
$` + ingest.DashboardTokenEnv + `), which every request must then carry.
Without a token, a request through a reverse proxy is refused only when it
carries a forwarding header (Forwarded, X-Forwarded-For, Via, ...) or a Host
that is not loopback. A proxy that sends neither, such as nginx's default
proxy_pass http://127.0.0.1:8787 (Host: 127.0.0.1:8787, no forwarding header;
HAProxy adds none either without option forwardfor), cannot be told from a
local browser: behind a proxy, set --dashboard-token. serve logs a warning at
start when the dashboard has no token.
With POSTHOG_API_KEY (and optional POSTHOG_HOST, default ` + ingest.DefaultPostHogHost + `),
accepted events are forwarded to PostHog's batch API as anonymous events.
Each machine ID may send --rate-limit requests a minute, --rate-burst at once;
past that it gets 429.
With --public, GET /public serves to anyone, token or not, the figures of
report --public: every figure fewer than --min-machines distinct machines
stand behind folded into "other", nothing per machine (?format=json for
JSON); the dashboard keeps its rules.
With --tls-cert and --tls-key, serve speaks HTTPS itself; SIGHUP reads both
files again (after a renewal), and a pair that cannot be used is logged and
leaves the previous one in place.
SIGINT or SIGTERM stops accepting, finishes in-flight requests and drains the queue.

Every flag can also be set with the variable shown beside it
(` + EnvPrefix + `<FLAG>); a flag on the command line wins.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:8787", "address to listen on")
	f.StringVar(&opts.DB, "db", "codegraph-telemetry.db", "SQLite file (used when POSTHOG_API_KEY is not set)")
	f.IntVar(&opts.RetentionDays, "retention-days", ingest.DefaultRetentionDays, "days raw events are kept (rollups are kept for ever); 0 keeps them until the size budget needs room")
	f.StringVar(&opts.MaxDBSize, "max-db-size", DefaultMaxDBSize, "size budget of the SQLite file (e.g. 500MB, 2GiB; 0 for none): past it the oldest raw events are deleted")
	f.IntVar(&opts.QueueEvents, "queue-events", ingest.DefaultQueueEvents, "events that may wait for the SQLite writer before requests get 503")
	f.StringVar(&opts.DashboardToken, "dashboard-token", "", "token /dashboard requires of every request (without one, loopback only; the variable keeps it out of ps)")
	f.Float64Var(&opts.RateLimit, "rate-limit", ingest.DefaultRatePerMinute, "requests a minute each machine ID may send (the rate its bucket refills at)")
	f.IntVar(&opts.RateBurst, "rate-burst", ingest.DefaultBurst, "requests a machine ID may send at once before --rate-limit holds it back")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "PEM certificate chain to serve HTTPS with (with --tls-key; read again on SIGHUP)")
	f.StringVar(&opts.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	f.BoolVar(&opts.Public, "public", false, "serve GET /public without a token: the figures of report --public (SQLite store only)")
	f.IntVar(&opts.MinMachines, "min-machines", ingest.DefaultMinMachines, "with --public: the fewest distinct machines a published figure stands behind")
	return cmd
}

func runServe(ctx context.Context, env Env, opts ServeOptions) error {
	maxBytes, err := parseSize(opts.MaxDBSize)
	if err != nil {
		return exitcode.Usagef("--max-db-size: %v", err)
	}
	if opts.RetentionDays < 0 || opts.QueueEvents <= 0 {
		return exitcode.Usagef("--retention-days must be 0 or more and --queue-events positive")
	}
	// NaN fails every comparison, so it is refused by the first test too.
	if !(opts.RateLimit > 0) || math.IsInf(opts.RateLimit, 0) || opts.RateBurst <= 0 {
		return exitcode.Usagef("--rate-limit and --rate-burst must be positive")
	}
	if (opts.TLSCert == "") != (opts.TLSKey == "") {
		return exitcode.Usagef("--tls-cert and --tls-key go together")
	}
	if opts.MinMachines < 1 {
		return exitcode.Usagef("--min-machines must be 1 or more")
	}
	if opts.Public && env.Getenv("POSTHOG_API_KEY") != "" {
		return exitcode.Usagef("--public serves the SQLite store's figures; with POSTHOG_API_KEY there is none (docs/posthog.md has them as PostHog insights)")
	}
	logger := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	var certs *ingest.Certs
	if opts.TLSCert != "" {
		// Read before anything is opened: a bad pair stops serve at once.
		if certs, err = ingest.LoadCerts(ingest.CertConfig{CertFile: opts.TLSCert, KeyFile: opts.TLSKey, Now: env.Now, Logger: logger}); err != nil {
			return err
		}
	}
	metrics := &ingest.Metrics{}
	var sink ingest.Sink
	var dash *ingest.Dashboard
	if key := env.Getenv("POSTHOG_API_KEY"); key != "" {
		host := env.Getenv("POSTHOG_HOST")
		if host == "" {
			host = ingest.DefaultPostHogHost
		}
		ph, err := ingest.NewPostHog(ingest.PostHogConfig{
			APIKey: key, Host: host, Client: env.HTTPClient, Logger: logger, Metrics: metrics,
		})
		if err != nil {
			return err
		}
		sink = ph
		logger.Info("forwarding to PostHog", "host", host)
	} else {
		retention := opts.RetentionDays
		if retention == 0 {
			retention = -1 // the store's "keep until the budget needs room"
		}
		db, err := ingest.OpenSQLite(ctx, ingest.SQLiteConfig{
			Path: opts.DB, RetentionDays: retention, MaxBytes: maxBytes, QueueEvents: opts.QueueEvents,
			Now: env.Now, Logger: logger, Metrics: metrics,
		})
		if err != nil {
			return err
		}
		sink = db
		rdb, err := db.OpenReader(ctx) // closed with the sink
		if err != nil {
			return errors.Join(err, sink.Close(context.Background()))
		}
		dash = &ingest.Dashboard{DB: rdb, Token: opts.DashboardToken, Now: env.Now}
		if opts.Public {
			dash.PublicMinMachines = opts.MinMachines
			logger.Info("serving the public figures", "path", ingest.PublicPath, "min_machines", opts.MinMachines)
		}
		logger.Info("storing in SQLite", "db", opts.DB, "retention_days", opts.RetentionDays, "max_db_bytes", maxBytes,
			"dashboard", map[bool]string{true: "token", false: "loopback only"}[opts.DashboardToken != ""])
		if opts.DashboardToken == "" {
			// The loopback rule sees a proxy only by its forwarding
			// headers; nginx's default proxy_pass adds none.
			logger.Warn("the dashboard has no token: it is served to any request that reaches loopback without a forwarding header, " +
				"and a reverse proxy that adds none (nginx's default proxy_pass) cannot be told from a local browser; " +
				"behind a proxy, set --dashboard-token or " + ingest.DashboardTokenEnv)
		}
	}
	stop := func(err error) error {
		return errors.Join(err, sink.Close(context.Background()))
	}
	h, err := ingest.NewHandler(ingest.Config{Sink: sink, Now: env.Now, Logger: logger, Metrics: metrics, Dashboard: dash,
		RatePerMinute: opts.RateLimit, Burst: opts.RateBurst})
	if err != nil {
		return stop(err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", opts.Addr)
	if err != nil {
		return stop(fmt.Errorf("listen on %s: %w", opts.Addr, err))
	}
	srv := ingest.NewServer(opts.Addr, h, logger)
	scheme := "http"
	if certs != nil {
		srv.TLSConfig = certs.TLSConfig()
		scheme = "https"
	}
	logger.Info("listening", "addr", ln.Addr().String(), "scheme", scheme, "rate_limit", opts.RateLimit, "rate_burst", opts.RateBurst)
	// SIGHUP is taken with TLS or without: one meant for a reload must
	// not end a server that has nothing to reload (its default action
	// would, with no drain).
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	rctx, stopReload := context.WithCancel(ctx)
	defer stopReload()
	go reloadOn(rctx, hup, certs, logger)
	return ingest.Run(ctx, srv, ln, sink, 10*time.Second, 15*time.Second, logger)
}

// reloadOn reads the certificate pair again each time reload delivers,
// until ctx ends. Certs.Reload logs what happened.
func reloadOn(ctx context.Context, reload <-chan os.Signal, certs *ingest.Certs, logger *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-reload:
			if certs == nil {
				logger.Info("reload asked: nothing to reload without --tls-cert")
				continue
			}
			_ = certs.Reload()
		}
	}
}

// parseSize reads a byte count with an optional unit: B, KB/MB/GB/TB
// (powers of 1000) or KiB/MiB/GiB/TiB (powers of 1024). "0" means none.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') {
		i--
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size such as 500MB or 2GiB", s)
	}
	mult := map[string]int64{"": 1, "b": 1,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}
	m, ok := mult[unit]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q", s, unit)
	}
	if n > math.MaxInt64/m {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * m, nil
}

// ReportOptions are the flags of `report`.
type ReportOptions struct {
	DB     string
	JSON   bool
	Events bool
	HTML   string
	// Public folds every figure fewer than MinMachines distinct machines
	// stand behind (ingest.Public).
	Public      bool
	MinMachines int
}

func newReport(env Env) *cobra.Command {
	opts := ReportOptions{}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print the dashboards from the SQLite store",
		Long: `Print the dashboards from the SQLite store's rollups, one for each question
of the telemetry design: daily and weekly active machines, new and returning,
installs by kind and by target × scope with uninstalls, usage by tool × client
with errors, version adoption and its speed, OS/arch, runtime, SQLite backend,
languages, index size and duration, CI share. --html writes the page
/dashboard serves, self-contained, to a file.

--public prints the figures for publishing instead: every figure fewer than
--min-machines distinct machines stand behind folded into "other" (and any
figure that would let one work a folded one out folded too), nothing per
machine; with --html, the page GET /public serves.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.DB, "db", "codegraph-telemetry.db", "SQLite file written by serve")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print one JSON object instead of tables")
	cmd.Flags().BoolVar(&opts.Events, "events", false, "include every raw row still kept (machine_id, event, ts, props)")
	cmd.Flags().StringVar(&opts.HTML, "html", "", "write the dashboard page to this file instead of printing")
	cmd.Flags().BoolVar(&opts.Public, "public", false, "the figures for publishing: what fewer than --min-machines machines stand behind folded into other")
	cmd.Flags().IntVar(&opts.MinMachines, "min-machines", ingest.DefaultMinMachines, "with --public: the fewest distinct machines a published figure stands behind")
	return cmd
}

func runReport(ctx context.Context, env Env, opts ReportOptions) error {
	if opts.Public && opts.Events {
		return exitcode.Usagef("--events lists raw rows, per machine: it has no place in --public")
	}
	if opts.MinMachines < 1 {
		return exitcode.Usagef("--min-machines must be 1 or more")
	}
	db, err := ingest.OpenReport(ctx, opts.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := ingest.BuildReport(ctx, db, opts.Events)
	if err != nil {
		return fmt.Errorf("report from %s: %w", opts.DB, err)
	}
	if opts.Public {
		p := ingest.Public(r, opts.MinMachines, env.Now())
		switch {
		case opts.HTML != "":
			var page bytes.Buffer
			if err := ingest.WritePublicDashboard(&page, p); err != nil {
				return err
			}
			if err := os.WriteFile(opts.HTML, page.Bytes(), 0o644); err != nil {
				return fmt.Errorf("write public page: %w", err)
			}
			return nil
		case opts.JSON:
			return p.WriteJSON(env.Stdout)
		}
		return p.WriteText(env.Stdout)
	}
	switch {
	case opts.HTML != "":
		var page bytes.Buffer
		if err := ingest.WriteDashboard(&page, r, env.Now()); err != nil {
			return err
		}
		if err := os.WriteFile(opts.HTML, page.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write dashboard: %w", err)
		}
		return nil
	case opts.JSON:
		return r.WriteJSON(env.Stdout)
	}
	return r.WriteText(env.Stdout)
}
