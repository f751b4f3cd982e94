package ingest

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DashboardPath serves the dashboard page.
const DashboardPath = "/dashboard"

// DashboardTokenEnv is the environment variable `serve` reads the dashboard
// token from (its --dashboard-token flag wins).
const DashboardTokenEnv = "CODEGRAPH_INGEST_DASHBOARD_TOKEN"

// Dashboard serves GET /dashboard: the page of WriteDashboard, built from
// the store's rollups at each request.
//
// Who may see it: with no Token, only a request that came over loopback —
// the connection's local address is a loopback address (the ingest looks at
// its own end of the connection, never at the client's address), the Host
// header names loopback (so a DNS-rebinding page cannot read it), and no
// forwarding header is present (a reverse proxy on the same machine would
// otherwise make every visitor look local; only the header's presence is
// looked at, never its value). Anything else gets 403. A proxy that adds
// no forwarding header and sends a loopback Host (nginx's default
// proxy_pass http://127.0.0.1:8787 does both) cannot be told from a local
// browser by any of this: a proxied dashboard needs a Token, which is why
// serve warns at start without one. With a Token, every
// request must carry it, loopback or not — as a bearer token or as the
// password of HTTP Basic authentication, which browsers prompt for — or it
// gets 401.
type Dashboard struct {
	// DB is the store, opened read-only with OpenReport.
	DB *sql.DB
	// Token, when set, is required of every request.
	Token string
	// Now ends the weekly charts' window; defaults to time.Now.
	Now func() time.Time
	// PublicMinMachines, when above 0, serves GET /public to anyone,
	// token or not: the figures of Public with this K.
	PublicMinMachines int
}

// forwardingHeaders are the headers a proxy adds to say who the client is.
var forwardingHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP", "CF-Connecting-IP", "True-Client-IP", "Via"}

// dashboardHeaders are sent with every answer of the dashboard route.
func dashboardHeaders(h http.Header) {
	h.Set("Content-Security-Policy", dashboardCSP+"; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) int {
	d := h.dash
	if d == nil {
		return plain(w, http.StatusNotFound, "not found\n")
	}
	dashboardHeaders(w.Header())
	if !isGet(r) {
		return methodNotAllowedGet(w)
	}
	if d.Token != "" {
		if !tokenMatches(r, d.Token) {
			w.Header().Set("WWW-Authenticate", `Basic realm="codegraph-ingest dashboard", charset="UTF-8"`)
			return plain(w, http.StatusUnauthorized, "the dashboard needs its token\n")
		}
	} else if !overLoopback(r) {
		return plain(w, http.StatusForbidden, "the dashboard is served over loopback only; set a dashboard token to serve it elsewhere\n")
	}
	weeks, ok := rangeWeeks(r)
	if !ok {
		return plain(w, http.StatusBadRequest, "weeks must be one of 4, 12 or 52\n")
	}
	rep, err := BuildReport(r.Context(), d.DB, false)
	if err != nil {
		h.log.Error("dashboard report failed", "err", err)
		return plain(w, http.StatusInternalServerError, "could not read the store\n")
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	var page bytes.Buffer
	if err := WriteDashboardWeeks(&page, rep, now(), weeks); err != nil {
		h.log.Error("dashboard render failed", "err", err)
		return plain(w, http.StatusInternalServerError, "could not render the dashboard\n")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(page.Bytes())
	}
	return http.StatusOK
}

// public serves GET /public: the folded figures, as the page or, with
// ?format=json, as report --public --json prints them. It needs no token:
// nothing in it is per machine and every figure stands behind at least K
// machines.
func (h *Handler) public(w http.ResponseWriter, r *http.Request) int {
	d := h.dash
	if d == nil || d.PublicMinMachines < 1 {
		return plain(w, http.StatusNotFound, "not found\n")
	}
	dashboardHeaders(w.Header())
	if !isGet(r) {
		return methodNotAllowedGet(w)
	}
	rep, err := BuildReport(r.Context(), d.DB, false)
	if err != nil {
		h.log.Error("public report failed", "err", err)
		return plain(w, http.StatusInternalServerError, "could not read the store\n")
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	p := Public(rep, d.PublicMinMachines, now())
	var out bytes.Buffer
	switch r.URL.Query().Get("format") {
	case "", "html":
		err = WritePublicDashboard(&out, p)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	case "json":
		err = p.WriteJSON(&out)
		w.Header().Set("Content-Type", "application/json")
	default:
		return plain(w, http.StatusBadRequest, "format must be html or json\n")
	}
	if err != nil {
		h.log.Error("public render failed", "err", err)
		return plain(w, http.StatusInternalServerError, "could not render the figures\n")
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(out.Bytes())
	}
	return http.StatusOK
}

// rangeWeeks reads ?weeks=N, one of DashboardRanges (DashboardWeeks when
// absent).
func rangeWeeks(r *http.Request) (int, bool) {
	v := r.URL.Query().Get("weeks")
	if v == "" {
		return DashboardWeeks, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || !slices.Contains(DashboardRanges, n) {
		return 0, false
	}
	return n, true
}

// tokenMatches compares the request's bearer token or Basic password with
// want in constant time (over digests, so the length leaks nothing either).
// The scheme is matched in any case, "bearer" or "BASIC" too: schemes are
// case-insensitive (RFC 9110 §11.1), and the credentials follow one or
// more spaces (§11.4). r.BasicAuth already ignores case.
func tokenMatches(r *http.Request, want string) bool {
	got, ok := "", false
	if scheme, cred, found := strings.Cut(r.Header.Get("Authorization"), " "); found && strings.EqualFold(scheme, "Bearer") {
		got, ok = strings.TrimLeft(cred, " "), true
	} else if _, pass, basic := r.BasicAuth(); basic {
		got, ok = pass, true
	}
	if !ok {
		return false
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// overLoopback reports whether the request reached a loopback address of
// this machine directly: see Dashboard.
func overLoopback(r *http.Request) bool {
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	tcp, ok := local.(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		return false
	}
	for _, name := range forwardingHeaders {
		if _, present := r.Header[http.CanonicalHeaderKey(name)]; present {
			return false
		}
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
