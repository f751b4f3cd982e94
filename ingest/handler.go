package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// EventsPath is the only path that accepts data.
const EventsPath = "/v1/events"

// Defaults of Config.
const (
	DefaultRatePerMinute = 60
	DefaultBurst         = 30
	DefaultMaxMachines   = 100_000
)

// Config is what a Handler depends on. Sink is required; every other field
// has a default.
type Config struct {
	Sink Sink
	// Now is the clock; defaults to time.Now.
	Now func() time.Time
	// Logger receives one line per refused request and per sink error,
	// never a body or an address; defaults to a logger that discards.
	Logger *slog.Logger
	// Metrics is shared with the sinks so /metrics shows forwarding too;
	// a fresh one is made when nil.
	Metrics *Metrics
	// RatePerMinute and Burst shape the per-machine token bucket.
	RatePerMinute float64
	Burst         int
	// MaxMachines caps how many machine IDs the rate limiter remembers.
	MaxMachines int
	// Dashboard serves GET /dashboard when set (SQLite store only); nil
	// answers 404 there.
	Dashboard *Dashboard
}

// Handler serves the ingest's HTTP routes. Create it with NewHandler.
type Handler struct {
	sink    Sink
	now     func() time.Time
	log     *slog.Logger
	metrics *Metrics
	limit   *limiter
	dash    *Dashboard
}

// NewHandler returns the ingest handler.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.Sink == nil {
		return nil, errors.New("ingest: Config.Sink is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = &Metrics{}
	}
	if cfg.RatePerMinute <= 0 {
		cfg.RatePerMinute = DefaultRatePerMinute
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.MaxMachines <= 0 {
		cfg.MaxMachines = DefaultMaxMachines
	}
	return &Handler{
		sink:    cfg.Sink,
		now:     cfg.Now,
		log:     cfg.Logger,
		metrics: cfg.Metrics,
		limit:   newLimiter(cfg.RatePerMinute, cfg.Burst, cfg.MaxMachines),
		dash:    cfg.Dashboard,
	}, nil
}

// Metrics returns the counters the handler updates.
func (h *Handler) Metrics() *Metrics { return h.metrics }

// ServeHTTP routes by exact path. Routing is done by hand rather than with
// http.ServeMux so that every answer (404, 405 and all) goes through one
// place that counts it, and no redirect or path cleaning happens.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	code := h.route(w, r)
	h.metrics.countStatus(code)
}

func (h *Handler) route(w http.ResponseWriter, r *http.Request) int {
	switch r.URL.Path {
	case EventsPath:
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			return plain(w, http.StatusMethodNotAllowed, "method not allowed: POST JSON here\n")
		}
		return h.events(w, r)
	case "/":
		if !isGet(r) {
			return methodNotAllowedGet(w)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, landingPage)
		}
		return http.StatusOK
	case DashboardPath:
		return h.dashboard(w, r)
	case PublicPath:
		return h.public(w, r)
	case "/healthz":
		if !isGet(r) {
			return methodNotAllowedGet(w)
		}
		return plain(w, http.StatusOK, "ok\n")
	case "/metrics":
		if !isGet(r) {
			return methodNotAllowedGet(w)
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		// The 200 counted for this request is not yet in what it shows.
		if err := h.metrics.WritePrometheus(w); err != nil {
			h.log.Debug("metrics write failed", "err", err)
		}
		return http.StatusOK
	}
	return plain(w, http.StatusNotFound, "not found\n")
}

const landingPage = `<!doctype html>
<meta charset="utf-8">
<title>codegraph telemetry ingest</title>
<h1>codegraph telemetry ingest</h1>
<p>This endpoint receives codegraph's anonymous usage counters
(<code>POST /v1/events</code>). It keeps only the fields listed in
<a href="` + schema.DocsURL + `">TELEMETRY.md</a>, drops everything else, and never
reads, logs or stores IP addresses.</p>
<p>To stop sending: <code>codegraph telemetry off</code>, or set
<code>CODEGRAPH_TELEMETRY=0</code> or <code>DO_NOT_TRACK=1</code>.</p>
`

func isGet(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }

func methodNotAllowedGet(w http.ResponseWriter) int {
	w.Header().Set("Allow", "GET, HEAD")
	return plain(w, http.StatusMethodNotAllowed, "method not allowed\n")
}

func plain(w http.ResponseWriter, code int, msg string) int {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg)
	return code
}

// refusal is a request answered with a 4xx: the status and a short reason
// for the client, which is also what gets logged.
type refusal struct {
	code   int
	reason string
}

func (h *Handler) refuse(w http.ResponseWriter, f refusal) int {
	// Deliberately no remote address, headers or body: the reason only.
	h.log.Debug("request refused", "status", f.code, "reason", f.reason)
	return plain(w, f.code, f.reason+"\n")
}

func (h *Handler) events(w http.ResponseWriter, r *http.Request) int {
	if f, ok := checkHeaders(r); !ok {
		return h.refuse(w, f)
	}
	body, f, ok := readBody(r)
	if !ok {
		return h.refuse(w, f)
	}
	received := h.now().UTC()
	batch, stats, derr, ok := Decode(body, received)
	if !ok {
		return h.refuse(w, derr.asRefusal())
	}
	if !h.limit.allow(batch.MachineID, received) {
		h.metrics.RateLimited.Add(1)
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		return h.refuse(w, refusal{http.StatusTooManyRequests, "rate limited"})
	}
	h.metrics.PropsStripped.Add(int64(stats.Stripped))
	h.metrics.EventsDropped.Add(int64(stats.Dropped))
	if len(batch.Events) > 0 {
		// The request's context would cancel the store when the client
		// hangs up; an accepted body is stored regardless.
		ctx := context.WithoutCancel(r.Context())
		if err := h.sink.Store(ctx, batch.Events); errors.Is(err, ErrBusy) {
			// The writer is behind: nothing of this request was stored.
			w.Header().Set("Retry-After", strconv.Itoa(busyRetryAfterSeconds))
			return plain(w, http.StatusServiceUnavailable, "busy: retry later\n")
		} else if err != nil {
			h.metrics.StoreFailed.Add(1)
			h.log.Error("sink store failed", "err", err, "events", len(batch.Events))
			return plain(w, http.StatusServiceUnavailable, "storage unavailable\n")
		}
		h.metrics.EventsAccepted.Add(int64(len(batch.Events)))
	}
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}

// retryAfterSeconds is what a 429 suggests, busyRetryAfterSeconds what a
// 503 for a full write queue suggests; the Go client never retries anyway,
// but other clients may honour them.
const (
	retryAfterSeconds     = 60
	busyRetryAfterSeconds = 1
)

func checkHeaders(r *http.Request) (refusal, bool) {
	for _, enc := range r.Header.Values("Content-Encoding") {
		if enc != "" && enc != "identity" {
			return refusal{http.StatusUnsupportedMediaType, "Content-Encoding must be identity"}, false
		}
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return refusal{http.StatusUnsupportedMediaType, "Content-Type must be application/json"}, false
	}
	if r.ContentLength > schema.MaxBodyBytes {
		return refusal{http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", schema.MaxBodyBytes)}, false
	}
	return refusal{}, true
}

// readBody reads at most MaxBodyBytes+1 bytes whatever Content-Length says,
// so a chunked or lying client cannot make the ingest buffer more.
func readBody(r *http.Request) ([]byte, refusal, bool) {
	limit := int64(schema.MaxBodyBytes) + 1
	size := 4096
	if r.ContentLength > 0 {
		size = int(r.ContentLength) + 1
	}
	buf := make([]byte, 0, size)
	lr := io.LimitReader(r.Body, limit)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, refusal{http.StatusBadRequest, "could not read body"}, false
		}
	}
	if int64(len(buf)) > schema.MaxBodyBytes {
		return nil, refusal{http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", schema.MaxBodyBytes)}, false
	}
	return buf, refusal{}, true
}
