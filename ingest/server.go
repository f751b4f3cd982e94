package ingest

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Server timeouts: generous for a well-behaved client sending ≤64 KiB, short
// enough that slow or idle connections cannot pile up.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	WriteTimeout      = 10 * time.Second
	IdleTimeout       = 60 * time.Second
	MaxHeaderBytes    = 16 << 10
)

// NewServer returns an http.Server for h with the timeouts above and an
// ErrorLog that never prints a remote address: net/http's own messages
// ("TLS handshake error from …", "panic serving …") name the peer, and the
// ingest promises to log no IP.
func NewServer(addr string, h http.Handler, logger *slog.Logger) *http.Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          log.New(redactingWriter{logger}, "", 0),
	}
}

// addrPattern matches IPv4 and IPv6 addresses, with an optional port and
// brackets, wherever they appear in a message.
var addrPattern = regexp.MustCompile(`\[[0-9A-Fa-f:.%]+[A-Za-z0-9]*\](:\d+)?|\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b|\b[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}\b`)

// RedactAddrs replaces every IP address (and port) in msg by "[addr]".
func RedactAddrs(msg string) string { return addrPattern.ReplaceAllString(msg, "[addr]") }

// redactingWriter turns http.Server's log lines into slog records with
// addresses removed.
type redactingWriter struct{ log *slog.Logger }

func (w redactingWriter) Write(p []byte) (int, error) {
	msg := strings.TrimRight(string(p), "\n")
	// Panic traces can be long; the first line says what happened.
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	w.log.Warn("http server", "msg", RedactAddrs(msg))
	return len(p), nil
}

// Run serves srv on ln until ctx ends, then shuts the server down (letting
// in-flight requests finish, within shutdownTimeout) and closes the sink,
// which drains its queue within drainTimeout. With srv.TLSConfig set (see
// Certs.TLSConfig) it serves HTTPS.
func Run(ctx context.Context, srv *http.Server, ln net.Listener, sink Sink, shutdownTimeout, drainTimeout time.Duration, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	serveErr := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			// The certificate comes from TLSConfig.GetCertificate, so no
			// file names are given here.
			serveErr <- srv.ServeTLS(ln, "", "")
			return
		}
		serveErr <- srv.Serve(ln)
	}()
	var err error
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err = <-serveErr:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		if err != nil {
			err = fmt.Errorf("serve: %w", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		err = errors.Join(err, fmt.Errorf("shutdown: %w", serr))
	}
	dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
	defer dcancel()
	if cerr := sink.Close(dctx); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close sink: %w", cerr))
	}
	return err
}
