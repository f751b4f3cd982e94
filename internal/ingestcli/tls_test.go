package ingestcli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/harness"
	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// writeSelfSigned writes a fresh self-signed certificate for 127.0.0.1
// (serial number serial), valid for the hour around now, and its key to
// certFile and keyFile, and returns the certificate.
func writeSelfSigned(t *testing.T, serial int64, certFile, keyFile string) *x509.Certificate {
	t.Helper()
	p := testkit.SelfSigned(t, serial, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	p.Write(t, certFile, keyFile)
	return p.X509
}

// startServeProcess runs `codegraph-ingest serve args…` as a process of its
// own (the test binary, see TestMain) with env added to its environment,
// and returns it once it listens. The process is killed at the end of the
// test if it is still running.
func startServeProcess(t *testing.T, env []string, args ...string) (*exec.Cmd, string, *harness.SyncBuffer, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), serveEnv+"=1", serveArgsEnv+"="+strings.Join(append([]string{"serve"}, args...), "\n")), env...)
	addr, logs, exited := startListening(t, cmd)
	return cmd, addr, logs, exited
}

// startListening starts cmd, a serve process, with its stderr captured,
// kills it when the test ends, and waits for the address it says it
// listens on.
func startListening(t *testing.T, cmd *exec.Cmd) (string, *harness.SyncBuffer, <-chan struct{}) {
	t.Helper()
	logs := &harness.SyncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	addr, err := harness.WaitListening(logs, exited, 15*time.Second)
	if err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	return addr, logs, exited
}

// TestServeTLSReloadsOnSIGHUP: serve --tls-cert --tls-key (here from their
// variables) answers HTTPS on 127.0.0.1; after the files are replaced, a
// real SIGHUP makes new connections get the new certificate; a SIGHUP with
// an unusable pair in the files logs why and keeps the previous one; and a
// serve without TLS lives through SIGHUP (whose default action would end
// it) and says it has nothing to reload. SIGTERM then ends each with 0.
func TestServeTLSReloadsOnSIGHUP(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("SIGHUP is Unix's")
	}
	for _, withTLS := range []bool{true, false} {
		t.Run(map[bool]string{true: "https", false: "http"}[withTLS], func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
			roots := x509.NewCertPool()
			var env []string
			if withTLS {
				roots.AddCert(writeSelfSigned(t, 1, certFile, keyFile))
				env = []string{EnvName("tls-cert") + "=" + certFile, EnvName("tls-key") + "=" + keyFile}
			}
			cmd, addr, logs, exited := startServeProcess(t, env, "--addr", harness.ListenAddr, "--db", filepath.Join(dir, "t.db"))
			get := func() (serial int64, code int) {
				scheme := map[bool]string{true: "https", false: "http"}[withTLS]
				tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true}
				resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(scheme + "://" + addr + "/healthz")
				if err != nil {
					t.Fatalf("%v\n%s", err, logs.String())
				}
				resp.Body.Close()
				if resp.TLS != nil {
					serial = resp.TLS.PeerCertificates[0].SerialNumber.Int64()
				}
				return serial, resp.StatusCode
			}
			hangUp := func(logged string) {
				t.Helper()
				before := strings.Count(logs.String(), logged)
				if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
					t.Fatal(err)
				}
				for deadline := time.Now().Add(10 * time.Second); strings.Count(logs.String(), logged) == before; time.Sleep(10 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("no %q logged after SIGHUP:\n%s", logged, logs.String())
					}
				}
			}
			if !withTLS {
				hangUp("nothing to reload")
				if _, code := get(); code != http.StatusOK {
					t.Errorf("after SIGHUP: /healthz %d", code)
				}
			} else {
				if serial, code := get(); serial != 1 || code != http.StatusOK {
					t.Fatalf("serial %d, /healthz %d; want 1, 200", serial, code)
				}
				roots.AddCert(writeSelfSigned(t, 2, certFile, keyFile))
				hangUp("certificate reloaded")
				if serial, code := get(); serial != 2 || code != http.StatusOK {
					t.Errorf("after SIGHUP: serial %d, /healthz %d; want 2, 200", serial, code)
				}
				if err := os.WriteFile(certFile, []byte("-----BEGIN CERTIFICATE-----\nbroken\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				hangUp("still serving the previous one")
				if serial, code := get(); serial != 2 || code != http.StatusOK {
					t.Errorf("after a SIGHUP with a broken file: serial %d, /healthz %d; want 2 kept", serial, code)
				}
			}
			cmd.Process.Signal(syscall.SIGTERM)
			<-exited
			if code := cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("serve exited %d after SIGTERM\n%s", code, logs.String())
			}
		})
	}
}

// TestServeTLSFlagsGoTogether: one of --tls-cert and --tls-key alone is a
// usage error; a pair that cannot be read stops serve with exit 1 and the
// files named.
func TestServeTLSFlagsGoTogether(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"--tls-cert", "c.pem"}, exitcode.Usage, "go together"},
		{[]string{"--tls-key", "k.pem"}, exitcode.Usage, "go together"},
		{[]string{"--tls-cert", filepath.Join(dir, "absent.pem"), "--tls-key", filepath.Join(dir, "absent.key")}, exitcode.Failure, "absent.pem"},
	} {
		var out strings.Builder
		args := append([]string{"serve", "--addr", harness.ListenAddr, "--db", filepath.Join(dir, "t.db")}, tc.args...)
		if code := Run(context.Background(), Env{Stdout: &out, Stderr: &out}, args); code != tc.code || !strings.Contains(out.String(), tc.says) {
			t.Errorf("%v: exit %d, want %d saying %q\n%s", tc.args, code, tc.code, tc.says, out.String())
		}
	}
}

// TestHealthcheck: `healthcheck` exits 0 when the server at --addr answers
// /healthz 200 (also when --addr is the wildcard serve listens on in a
// container, and over HTTPS), 1 when it answers something else or nothing,
// 2 for an --addr that is no address.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeSelfSigned(t, 1, certFile, keyFile)
	plain := startServe(t, nil, "serve", "--db", filepath.Join(dir, "plain.db"))
	t.Cleanup(func() { plain.stop() }) // after the parallel subtests
	secure := startServe(t, nil, "serve", "--db", filepath.Join(dir, "tls.db"), "--tls-cert", certFile, "--tls-key", keyFile)
	t.Cleanup(func() { secure.stop() })
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	t.Cleanup(sick.Close)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()
	_, plainPort, _ := net.SplitHostPort(plain.addr)
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		code int
	}{
		{"serving", []string{"--addr", plain.addr}, nil, 0},
		{"wildcard address", []string{"--addr", ":" + plainPort}, nil, 0},
		{"address from the environment", nil, []string{"CODEGRAPH_INGEST_ADDR=0.0.0.0:" + plainPort}, 0},
		{"https", []string{"--addr", secure.addr, "--tls-cert", certFile}, nil, 0},
		{"http to an https server", []string{"--addr", secure.addr}, nil, 1},
		{"503", []string{"--addr", strings.TrimPrefix(sick.URL, "http://")}, nil, 1},
		{"nothing listening", []string{"--addr", closedAddr, "--timeout", "2s"}, nil, 1},
		{"not an address", []string{"--addr", "localhost"}, nil, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			getenv := func(k string) string {
				for _, kv := range tc.env {
					if name, v, _ := strings.Cut(kv, "="); name == k {
						return v
					}
				}
				return ""
			}
			if code := Run(context.Background(), Env{Stdout: &out, Stderr: &out, Getenv: getenv}, append([]string{"healthcheck"}, tc.args...)); code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, out.String())
			}
		})
	}
}
