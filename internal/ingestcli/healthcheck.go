package ingestcli

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/internal/exitcode"
)

// HealthcheckOptions are the flags of `healthcheck`. They are named as
// serve's, so the variables that configure serve (CODEGRAPH_INGEST_ADDR,
// CODEGRAPH_INGEST_TLS_CERT) point the check at the same server.
type HealthcheckOptions struct {
	Addr    string
	TLSCert string
	Timeout time.Duration
}

func newHealthcheck(env Env) *cobra.Command {
	opts := HealthcheckOptions{}
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Exit 0 when the serve at --addr answers GET /healthz with 200",
		Long: `Ask the serve listening at --addr for GET /healthz over loopback and exit 0
when it answers 200, 1 otherwise. It is the container's HEALTHCHECK: the
image has no curl. A wildcard --addr (":8787", "0.0.0.0:8787") is asked on
127.0.0.1, "[::]:8787" on [::1]. With --tls-cert (as serve has it) it asks
over HTTPS without verifying the certificate: it checks that the process
answers, sends nothing but the request and reads nothing but the status, as
Kubernetes' HTTPS probes do.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHealthcheck(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:8787", "serve's --addr")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "serve's --tls-cert: when set, ask over HTTPS")
	f.DurationVar(&opts.Timeout, "timeout", 5*time.Second, "how long to wait for the answer")
	return cmd
}

func runHealthcheck(ctx context.Context, env Env, opts HealthcheckOptions) error {
	host, port, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return exitcode.Usagef("--addr %q: %v", opts.Addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	scheme := "http"
	tr := &http.Transport{Proxy: nil, DisableKeepAlives: true}
	if opts.TLSCert != "" {
		scheme = "https"
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} // see the command's help: liveness, not identity
	}
	client := &http.Client{Transport: tr, Timeout: opts.Timeout}
	url := scheme + "://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: GET %s: %s", url, resp.Status)
	}
	return nil
}
