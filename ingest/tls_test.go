package ingest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// servedSerial makes a new TLS connection to addr, trusting only roots,
// and returns the serial number of the certificate it was shown and the
// status of GET /healthz over it.
func servedSerial(t *testing.T, addr string, roots *x509.CertPool) (int64, int) {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Errorf("%s over TLS, want HTTP/2 offered and taken", resp.Proto)
	}
	return resp.TLS.PeerCertificates[0].SerialNumber.Int64(), resp.StatusCode
}

// syncLog is a log buffer the server writes while the test reads it.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTLSReload: Run serves HTTPS with the pair LoadCerts read, on
// 127.0.0.1 (HTTP/2 offered; a plain HTTP request's handshake error is
// logged without the peer's address); Reload swaps in a renewed pair for the next
// handshake; a new pair that cannot be used (a key of another certificate,
// garbage, a missing file, expired, not yet valid) leaves the current one
// served, and the error and the log say why.
func TestTLSReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	now := time.Now()
	first := testkit.SelfSigned(t, 1, now.Add(-time.Hour), now.Add(time.Hour))
	first.Write(t, certFile, keyFile)
	var logs syncLog
	certs, err := LoadCerts(CertConfig{CertFile: certFile, KeyFile: keyFile, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Config{Sink: &captureSink{}, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	var srvLogs syncLog
	srv := NewServer("", h, slog.New(slog.NewJSONHandler(&srvLogs, nil)))
	srv.TLSConfig = certs.TLSConfig()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, srv, ln, &captureSink{}, time.Second, time.Second, nil) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	addr := ln.Addr().String()
	roots := x509.NewCertPool()
	roots.AddCert(first.X509)

	if serial, code := servedSerial(t, addr, roots); serial != 1 || code != http.StatusOK {
		t.Fatalf("serial %d, /healthz %d; want 1, 200", serial, code)
	}
	// Plain HTTP on the TLS port gets no answer from the handler, and
	// the handshake error net/http logs names no address.
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP answered 200 on the TLS port")
		}
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(srvLogs.String(), "TLS handshake error"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no handshake error logged:\n%s", srvLogs.String())
		}
	}
	if strings.Contains(srvLogs.String(), "127.0.0.1") {
		t.Errorf("the server's log names the client's address:\n%s", srvLogs.String())
	}

	renewed := testkit.SelfSigned(t, 2, now.Add(-time.Hour), now.Add(48*time.Hour))
	renewed.Write(t, certFile, keyFile)
	if err := certs.Reload(); err != nil {
		t.Fatal(err)
	}
	roots.AddCert(renewed.X509)
	if serial, code := servedSerial(t, addr, roots); serial != 2 || code != http.StatusOK {
		t.Fatalf("after a reload: serial %d, /healthz %d; want 2, 200", serial, code)
	}

	other := testkit.SelfSigned(t, 3, now.Add(-time.Hour), now.Add(time.Hour))
	for _, tc := range []struct {
		name  string
		write func()
		why   string
	}{
		{"key of another certificate", func() { (testkit.CertPair{Cert: other.Cert, Key: renewed.Key}).Write(t, certFile, keyFile) }, "private key does not match"},
		{"garbage", func() {
			(testkit.CertPair{Cert: []byte("not a certificate"), Key: other.Key}).Write(t, certFile, keyFile)
		}, "failed to find any PEM data"},
		{"missing file", func() { os.Remove(certFile) }, "no such file"},
		{"expired", func() {
			testkit.SelfSigned(t, 4, now.Add(-48*time.Hour), now.Add(-time.Hour)).Write(t, certFile, keyFile)
		}, "not now"},
		{"not yet valid", func() {
			testkit.SelfSigned(t, 5, now.Add(time.Hour), now.Add(48*time.Hour)).Write(t, certFile, keyFile)
		}, "not now"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.write()
			err := certs.Reload()
			if err == nil || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("Reload: %v, want an error saying %q", err, tc.why)
			}
			if !strings.Contains(logs.String(), "still serving the previous one") {
				t.Errorf("the log does not say the old pair stays:\n%s", logs.String())
			}
			if serial, code := servedSerial(t, addr, roots); serial != 2 || code != http.StatusOK {
				t.Errorf("serial %d, /healthz %d; want the previous pair (2) still served", serial, code)
			}
		})
	}
}

// TestLoadCertsRefuses: serve does not start with a pair it cannot use.
func TestLoadCertsRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	good := testkit.SelfSigned(t, 1, now.Add(-time.Hour), now.Add(time.Hour))
	expired := testkit.SelfSigned(t, 2, now.Add(-2*time.Hour), now.Add(-time.Hour))
	other := testkit.SelfSigned(t, 3, now.Add(-time.Hour), now.Add(time.Hour))
	for _, tc := range []struct {
		name      string
		cert, key []byte
		files     [2]string
	}{
		{name: "no key file named", cert: good.Cert, key: good.Key, files: [2]string{"c.pem", ""}},
		{name: "missing files", files: [2]string{"absent.pem", "absent.key"}},
		{name: "expired", cert: expired.Cert, key: expired.Key, files: [2]string{"c.pem", "k.pem"}},
		{name: "swapped", cert: good.Key, key: good.Cert, files: [2]string{"c.pem", "k.pem"}},
		{name: "key of another certificate", cert: good.Cert, key: other.Key, files: [2]string{"c.pem", "k.pem"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sub := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			os.Mkdir(sub, 0o700)
			var paths [2]string
			for i, data := range [][]byte{tc.cert, tc.key} {
				if tc.files[i] == "" {
					continue
				}
				paths[i] = filepath.Join(sub, tc.files[i])
				if data != nil {
					os.WriteFile(paths[i], data, 0o600)
				}
			}
			if _, err := LoadCerts(CertConfig{CertFile: paths[0], KeyFile: paths[1]}); err == nil {
				t.Error("LoadCerts accepted it")
			}
		})
	}
}
