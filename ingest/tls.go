package ingest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// CertConfig names the certificate and key files `serve --tls-cert
// --tls-key` reads.
type CertConfig struct {
	// CertFile holds the PEM certificate chain, leaf first; KeyFile its
	// PEM private key (as crypto/tls.LoadX509KeyPair reads them).
	CertFile, KeyFile string
	// Now is the clock a pair's validity is checked against; defaults to
	// time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Certs holds the certificate pair the server presents. Reload reads the
// files again (serve calls it on SIGHUP, after a renewal); a handshake
// always gets the pair loaded last, through GetCertificate, so a reload
// needs no restart and drops no connection.
type Certs struct {
	cfg  CertConfig
	pair atomic.Pointer[tls.Certificate]
}

// LoadCerts reads the pair once; a pair that cannot be used is an error.
func LoadCerts(cfg CertConfig) (*Certs, error) {
	if cfg.CertFile == "" || cfg.KeyFile == "" {
		return nil, errors.New("tls: both a certificate and a key file are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Certs{cfg: cfg}
	pair, err := c.load()
	if err != nil {
		return nil, err
	}
	c.pair.Store(pair)
	return c, nil
}

// load reads and checks the pair: the key must match the certificate
// (LoadX509KeyPair checks it), and the leaf must be valid now, since a
// client refuses an expired or not yet valid certificate anyway.
func (c *Certs) load() (*tls.Certificate, error) {
	pair, err := tls.LoadX509KeyPair(c.cfg.CertFile, c.cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: %s, %s: %w", c.cfg.CertFile, c.cfg.KeyFile, err)
	}
	// LoadX509KeyPair fills Leaf (Go 1.23 on).
	leaf := pair.Leaf
	if now := c.cfg.Now(); now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		return nil, fmt.Errorf("tls: %s is valid from %s to %s, not now", c.cfg.CertFile,
			leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	return &pair, nil
}

// Reload reads the files again. A pair that cannot be used leaves the
// current one in place: the error says why, and is logged too, as a
// renewal that went wrong must be seen before the old pair expires.
func (c *Certs) Reload() error {
	pair, err := c.load()
	if err != nil {
		c.cfg.Logger.Error("certificate not reloaded: still serving the previous one", "err", err)
		return err
	}
	c.pair.Store(pair)
	c.cfg.Logger.Info("certificate reloaded", "cert", c.cfg.CertFile, "not_after", pair.Leaf.NotAfter.UTC().Format(time.RFC3339))
	return nil
}

// GetCertificate is tls.Config.GetCertificate: the pair loaded last.
func (c *Certs) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return c.pair.Load(), nil
}

// TLSConfig is the server's TLS configuration: the pair from
// GetCertificate, TLS 1.2 at least (crypto/tls's own default for servers
// since Go 1.22), and HTTP/2 offered, as http.Server.ServeTLS does.
func (c *Certs) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: c.GetCertificate,
		NextProtos:     []string{"h2", "http/1.1"},
	}
}
