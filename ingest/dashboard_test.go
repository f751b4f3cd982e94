package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"html"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// seeded is what dashboardSeed sent, counted on the sending side, so a test
// can hold the page and the report against the traffic itself.
type seeded struct {
	daily        map[string]int64    // UTC day → machines
	weekly       map[string][2]int64 // ISO week → prod, CI machines
	newInWeek    map[string]int64    // ISO week → machines first seen
	installWeeks map[string]int64    // ISO week "/" kind → events ("uninstall" too)
	installs     map[string]int64    // target "/" scope → installs
	usage        map[string][2]int64 // name " · " client → calls, errors
	versions     map[string]int64    // ISO week "/" version → machines
	versionDays  map[int64]map[string]int64
	languages    map[string]int64
	files        map[string]int64
	durations    map[string]int64
	platforms    map[string]int64 // os "/" arch → machines
	runtimes     map[string]int64
	backends     map[string]int64
}

// Names as long as the schema allows, to show that no label is cut.
var (
	longTool   = "codegraph_" + strings.Repeat("x", 54)                                   // a token of 64
	longClient = "Visual Studio Code Insiders (remote) @ work/" + strings.Repeat("z", 20) // a label of 64
)

// dashboardSeed sends ten weeks of made-up but plausible traffic through a
// handler backed by a SQLite store: 40 machines adopting over time, some in
// CI, some Node clients, upgrading versions, calling tools from several
// agents (one without a client name, one with the longest name a client
// may send, calling a tool of the longest name far more than any other),
// indexing several languages, installing, upgrading and uninstalling. The
// clock is moved along with it and left at fixedNow.
func dashboardSeed(t *testing.T, clk *testClock) (*SQLiteSink, seeded) {
	t.Helper()
	s := openStore(t, SQLiteConfig{Now: clk.now})
	h, err := NewHandler(Config{Sink: s, Now: clk.now, RatePerMinute: 1e6, Burst: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	sd := seeded{daily: map[string]int64{}, weekly: map[string][2]int64{}, newInWeek: map[string]int64{}, installWeeks: map[string]int64{},
		installs: map[string]int64{}, usage: map[string][2]int64{}, versions: map[string]int64{}, versionDays: map[int64]map[string]int64{},
		languages: map[string]int64{}, files: map[string]int64{}, durations: map[string]int64{}, platforms: map[string]int64{},
		runtimes: map[string]int64{}, backends: map[string]int64{}}
	rng := rand.New(rand.NewPCG(1, 2))
	tools := []string{"codegraph_explore", "codegraph_search", "codegraph_callers", "codegraph_status", "codegraph_affected"}
	clients := []string{"claude-code", "cursor", "codex", "opencode"}
	targets := []string{"claude", "cursor", "codex", "opencode", "vscode"}
	langs := []string{"go", "typescript", "python", "rust", "java", "tsx", "yaml"}
	fileB := []string{"<100", "100-1k", "1k-10k", "10k+"}
	durB := []string{"<10s", "10-60s", "1-5m"}
	platforms := [][2]string{{"linux", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"linux", "arm64"}}
	seen := map[string]bool{} // machine "/" what, for the all-time distinct counts
	once := func(machine, what string) bool {
		if seen[machine+"/"+what] {
			return false
		}
		seen[machine+"/"+what] = true
		return true
	}
	installed := map[int]bool{}
	thisWeek := weekOf(dayOf(fixedNow))
	for w := range 10 {
		monday := thisWeek - int64(7*(9-w))
		week := isoWeekLabel(monday)
		for i := range 12 + 3*w {
			machine := machineN(i + 1)
			ci := i%7 == 3
			node := i%9 == 8
			version := fmt.Sprintf("0.9.%d", min(maxVersions-1, (w+i%3)/2)) // all drawn
			pl := platforms[i%len(platforms)]
			day := monday + int64(i%5)
			if day > dayOf(fixedNow) {
				day = dayOf(fixedNow)
			}
			ts := dayTime(day).Add(10 * time.Hour)
			clk.set(ts.Add(time.Hour))
			var events []string
			tsJSON := ts.Format(time.RFC3339)
			backend := ""
			if node {
				backend = []string{"native", "wasm"}[i%2]
			}
			withBackend := func(props string) string {
				if backend == "" {
					return props
				}
				if once(machine, "backend") {
					sd.backends[backend]++
				}
				return props + fmt.Sprintf(`,"sqlite_backend":%q`, backend)
			}
			kind := ""
			switch {
			case !installed[i]:
				kind = "fresh"
			case w == 6 && i%4 == 0:
				kind = "upgrade"
			case w == 8 && i%5 == 1:
				kind = "reinstall"
			}
			if kind != "" {
				installed[i] = true
				scope := []string{"global", "local"}[i%2]
				tg := []string{targets[i%len(targets)]}
				if i%2 == 1 {
					tg = append(tg, targets[(i+1)%len(targets)])
				}
				events = append(events, fmt.Sprintf(`{"event":"install","ts":%q,"props":{%s}}`, tsJSON,
					withBackend(fmt.Sprintf(`"targets":["%s"],"scope":%q,"kind":%q`, strings.Join(tg, `","`), scope, kind))))
				for _, x := range tg {
					sd.installs[x+"/"+scope]++
				}
				sd.installWeeks[week+"/"+kind]++
			}
			if kind == "fresh" {
				ls := []string{langs[i%len(langs)], langs[(i+2)%len(langs)]}
				fb, db := fileB[i%len(fileB)], durB[i%len(durB)]
				events = append(events, fmt.Sprintf(`{"event":"index","ts":%q,"props":{%s}}`, tsJSON,
					withBackend(fmt.Sprintf(`"languages":["%s","%s"],"file_count_bucket":%q,"duration_bucket":%q`, ls[0], ls[1], fb, db))))
				for _, l := range ls {
					sd.languages[l]++
				}
				sd.files[fb]++
				sd.durations[db]++
			}
			if w == 7 && i%6 == 2 {
				events = append(events, fmt.Sprintf(`{"event":"uninstall","ts":%q,"props":{"targets":["cursor"]}}`, tsJSON))
				sd.installWeeks[week+"/uninstall"]++
			}
			client := clients[i%len(clients)]
			if i%8 == 5 {
				client = "" // sent no clientInfo name
			}
			if i == 0 {
				client = longClient
			}
			for k := range 2 + i%3 {
				tool := tools[(i+k)%len(tools)]
				n := int64(5 + rng.IntN(40))
				if i == 0 && k == 0 {
					tool, n = longTool, 4000 // the outlier
				}
				e := int64(rng.IntN(3))
				clientProp := ""
				if client != "" {
					clientProp = fmt.Sprintf(`,"client_name":%q,"client_version":"1.0"`, client)
				}
				events = append(events, fmt.Sprintf(`{"event":"usage_rollup","ts":%q,"props":{"kind":"mcp_tool","name":%q,"count":%d,"error_count":%d%s}}`, tsJSON, tool, n, e, clientProp))
				key := tool + " · " + clientName(client)
				u := sd.usage[key]
				sd.usage[key] = [2]int64{u[0] + n, u[1] + e}
			}
			runtime := `"go_version":"1.26"`
			if node {
				runtime = `"node_major":22`
			}
			env := fmt.Sprintf(`"machine_id":%q,"codegraph_version":%q,"os":%q,"arch":%q,%s,"ci":%t,"schema_version":1`, machine, version, pl[0], pl[1], runtime, ci)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", EventsPath, strings.NewReader(body(env, events...)))
			req.Header.Set("Content-Type", "application/json")
			h.ServeHTTP(rec, req)
			if rec.Code != 204 {
				t.Fatalf("seed: %d", rec.Code)
			}
			c := sd.weekly[week]
			if ci {
				c[1]++
			} else {
				c[0]++
			}
			sd.weekly[week] = c
			sd.daily[dayTime(day).Format(time.DateOnly)]++
			if once(machine, "first") {
				sd.newInWeek[week]++
			}
			if sd.versionDays[day] == nil {
				sd.versionDays[day] = map[string]int64{}
			}
			sd.versionDays[day][version]++
			sd.versions[week+"/"+version]++
			if once(machine, "platform") {
				sd.platforms[pl[0]+"/"+pl[1]]++
			}
			if once(machine, "runtime") {
				sd.runtimes[map[bool]string{true: "node 22", false: "go 1.26"}[node]]++
			}
		}
	}
	clk.set(fixedNow)
	return s, sd
}

// halfAdoption computes, from what was sent, each version's days from its
// first day to the first day it ran on half of the day's machines (-1:
// not yet).
func (sd seeded) halfAdoption() map[string]int64 {
	days := slices.Sorted(maps.Keys(sd.versionDays))
	first := map[string]int64{}
	out := map[string]int64{}
	for _, d := range days {
		var all int64
		for _, n := range sd.versionDays[d] {
			all += n // one version a machine a day in the seed
		}
		for v, n := range sd.versionDays[d] {
			if _, ok := first[v]; !ok {
				first[v] = d
				out[v] = -1
			}
			if out[v] < 0 && 2*n >= all {
				out[v] = d - first[v]
			}
		}
	}
	return out
}

// shown is one figure a chart draws: its data-series, data-key, data-value.
type shown struct {
	chart, series, key string
	value              int64
}

var dataAttrs = regexp.MustCompile(`data-series="([^"]*)" data-key="([^"]*)" data-value="(\d+)"`)

// shownInPage reads every figure of the page's charts from its markup.
func shownInPage(t *testing.T, page string) []shown {
	t.Helper()
	var out []shown
	for _, sec := range strings.Split(page, `<section id="`)[1:] {
		chart := sec[:strings.IndexByte(sec, '"')]
		for _, m := range dataAttrs.FindAllStringSubmatch(sec, -1) {
			v, _ := strconv.ParseInt(m[3], 10, 64)
			out = append(out, shown{chart, html.UnescapeString(m[1]), html.UnescapeString(m[2]), v})
		}
	}
	return out
}

// dashboardCharts are the charts of the private page, in order.
var dashboardCharts = []string{"daily-active", "weekly-active", "new-returning", "ci-share", "installs-weekly", "installs", "usage",
	"versions", "version-speed", "platforms", "runtimes", "backends", "languages", "file-counts", "durations"}

// checkShown holds the figures a dashboard over weeks shows against the
// report built from the same store and against what the seed sent: all
// three agree, every chart shows something, and nothing else is shown.
func checkShown(t *testing.T, got []shown, r *Report, sd seeded, now time.Time, weeks int) {
	t.Helper()
	by := map[string]map[[2]string]int64{}
	for _, s := range got {
		if by[s.chart] == nil {
			by[s.chart] = map[[2]string]int64{}
		}
		if _, dup := by[s.chart][[2]string{s.series, s.key}]; dup {
			t.Errorf("%s shows %s/%s twice", s.chart, s.series, s.key)
		}
		by[s.chart][[2]string{s.series, s.key}] = s.value
	}
	for _, c := range dashboardCharts {
		if len(by[c]) == 0 {
			t.Errorf("chart %s shows nothing", c)
		}
	}
	expect := func(chart, series, key string, fromReport, fromSeed int64) {
		t.Helper()
		v, ok := by[chart][[2]string{series, key}]
		if !ok || v != fromReport || v != fromSeed {
			t.Errorf("%s %s/%s: page %d (shown %v), report %d, sent %d", chart, series, key, v, ok, fromReport, fromSeed)
		}
		delete(by[chart], [2]string{series, key})
	}
	daily := map[string]DailyActive{}
	for _, d := range r.DailyActive {
		daily[d.Day] = d
	}
	for _, d := range lastDays(now, DashboardDays) {
		key := dayTime(d).Format(time.DateOnly)
		expect("daily-active", "machines", key, daily[key].Machines, sd.daily[key])
	}
	reportWeeks := weekMap(r)
	installWeeks := map[string]int64{}
	for _, iw := range r.InstallsByWeek {
		installWeeks[iw.Week+"/"+iw.Kind] = iw.Events
	}
	for _, wk := range lastWeeks(now, weeks) {
		label := isoWeekLabel(wk)
		w, sent := reportWeeks[label], sd.weekly[label]
		expect("weekly-active", "prod", label, w.Prod, sent[0])
		expect("weekly-active", "ci", label, w.CI, sent[1])
		expect("new-returning", "new", label, w.New, sd.newInWeek[label])
		expect("new-returning", "returning", label, w.Returning, sent[0]+sent[1]-sd.newInWeek[label])
		expect("ci-share", "CI share", label, w.CI, sent[1])
		for _, k := range installKinds {
			expect("installs-weekly", k, label, installWeeks[label+"/"+k], sd.installWeeks[label+"/"+k])
		}
	}
	installs := map[string]int64{}
	for _, c := range r.InstallTargets {
		installs[c.Target+"/"+c.Scope] += c.Installs
	}
	for k, n := range sd.installs {
		target, scope, _ := strings.Cut(k, "/")
		expect("installs", scope, target, installs[k], n)
	}
	var other [2]int64
	for i, u := range r.Usage {
		key := u.Name + " · " + clientName(u.Client)
		if i >= maxBars-1 {
			other[0] += u.ErrorCount
			other[1] += u.Count - u.ErrorCount
			continue
		}
		expect("usage", "errors", key, u.ErrorCount, sd.usage[key][1])
		expect("usage", "ok", key, u.Count-u.ErrorCount, sd.usage[key][0]-sd.usage[key][1])
	}
	if len(r.Usage) <= maxBars {
		t.Fatalf("the seed has %d usage rows: the chart's other row goes untested", len(r.Usage))
	}
	var sentOther [2]int64
	for k, v := range sd.usage {
		if !slices.ContainsFunc(r.Usage[:maxBars-1], func(u UsageCount) bool { return u.Name+" · "+clientName(u.Client) == k }) {
			sentOther[0] += v[1]
			sentOther[1] += v[0] - v[1]
		}
	}
	expect("usage", "errors", "other", other[0], sentOther[0])
	expect("usage", "ok", "other", other[1], sentOther[1])
	inWindow := map[string]bool{}
	for _, wk := range lastWeeks(now, weeks) {
		inWindow[isoWeekLabel(wk)] = true
	}
	for _, v := range r.VersionAdoption {
		if inWindow[v.Week] {
			expect("versions", v.Version, v.Week, v.Machines, sd.versions[v.Week+"/"+v.Version])
		}
	}
	half := sd.halfAdoption()
	for _, v := range r.VersionSpeed {
		want := half[v.Version]
		var got int64
		if v.DaysToHalf != nil {
			got = *v.DaysToHalf
		} else {
			got = -1
		}
		if got != want {
			t.Errorf("version %s: %d days to half in the report, the seed says %d", v.Version, got, want)
		}
		expect("version-speed", "days", v.Version, max(got, 0), max(want, 0))
	}
	for _, l := range r.Languages {
		expect("languages", "indexes", l.Language, l.Indexes, sd.languages[l.Language])
	}
	for _, x := range r.FileCounts {
		expect("file-counts", "indexes", x.Bucket, x.Indexes, sd.files[x.Bucket])
	}
	for _, x := range r.Durations {
		expect("durations", "indexes", x.Bucket, x.Indexes, sd.durations[x.Bucket])
	}
	for _, p := range r.Platforms {
		expect("platforms", "machines", p.OS+"/"+p.Arch, p.Machines, sd.platforms[p.OS+"/"+p.Arch])
	}
	for _, x := range r.Runtimes {
		expect("runtimes", "machines", x.Runtime, x.Machines, sd.runtimes[x.Runtime])
	}
	for _, x := range r.Backends {
		expect("backends", "machines", x.Backend, x.Machines, sd.backends[x.Backend])
	}
	// What is left: zero-width segments (a scope a target never had, a week
	// a version was not run) and nothing else.
	for chart, rest := range by {
		for k, v := range rest {
			if v != 0 {
				t.Errorf("%s shows %s/%s = %d, which neither the report nor the seed has", chart, k[0], k[1], v)
			}
		}
	}
}

// TestDashboardPage: the page for a seeded store is the golden one, shows
// exactly the report's figures (which are the seed's), is the same page
// `report --html` writes, and is self-contained: no script, nothing loaded.
func TestDashboardPage(t *testing.T) {
	t.Parallel()
	clk := newTestClock(fixedNow)
	s, sd := dashboardSeed(t, clk)
	db := openRead(t, s.cfg.Path)
	r, err := BuildReport(context.Background(), db, false)
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := WriteDashboard(&page, r, fixedNow); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "ingest/dashboard.html", page.Bytes())
	checkShown(t, shownInPage(t, page.String()), r, sd, fixedNow, DashboardWeeks)
	for _, banned := range []string{"<script", " src=", "url(", "@import", "<link", "<iframe", "<object", "<embed", "<img", "<form"} {
		if i := strings.Index(strings.ToLower(page.String()), banned); i >= 0 {
			t.Errorf("page holds %q: …%s…", banned, page.String()[max(0, i-40):min(page.Len(), i+40)])
		}
	}
	if m := regexp.MustCompile(`(?i)\son[a-z]+\s*=`).FindString(page.String()); m != "" {
		t.Errorf("page holds an event handler attribute %q", m)
	}
	for _, m := range regexp.MustCompile(`https?://[^"' <]+`).FindAllString(page.String(), -1) {
		if m != schema.DocsURL {
			t.Errorf("page names %s (only the TELEMETRY.md link may be there)", m)
		}
	}
	// Served, through a real listener on 127.0.0.1 (so the loopback rule
	// reads a real connection's local address): the same bytes.
	h, err := NewHandler(Config{Sink: s, Now: clk.now, Dashboard: &Dashboard{DB: db, Now: clk.now}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL + DashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var served bytes.Buffer
	served.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(served.Bytes(), page.Bytes()) {
		t.Errorf("served page (%d) differs from the written one", resp.StatusCode)
	}
}

// TestDashboardAccess: loopback only without a token (a forwarded request,
// a foreign Host or a non-loopback local address gets 403); with a token,
// 401 without it from anywhere, 200 with it as bearer or Basic password;
// strict headers on every answer; 404 when no store backs the dashboard.
func TestDashboardAccess(t *testing.T) {
	t.Parallel()
	s := openStore(t, SQLiteConfig{})
	db := openRead(t, s.cfg.Path)
	m := &Metrics{}
	open, err := NewHandler(Config{Sink: s, Now: clock, Metrics: m, Dashboard: &Dashboard{DB: db, Now: clock}})
	if err != nil {
		t.Fatal(err)
	}
	locked, err := NewHandler(Config{Sink: s, Now: clock, Metrics: m, Dashboard: &Dashboard{DB: db, Token: "s3cret-token", Now: clock}})
	if err != nil {
		t.Fatal(err)
	}
	none, err := NewHandler(Config{Sink: s, Now: clock, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8787}
	lan := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 10), Port: 8787}
	cases := []struct {
		name   string
		h      *Handler
		method string
		local  net.Addr
		host   string
		hdr    map[string]string
		want   int
	}{
		{name: "loopback", h: open, local: loop, want: 200},
		{name: "loopback HEAD", h: open, method: "HEAD", local: loop, want: 200},
		{name: "localhost name", h: open, local: loop, host: "localhost:8787", want: 200},
		{name: "ipv6 loopback", h: open, local: &net.TCPAddr{IP: net.IPv6loopback, Port: 1}, host: "[::1]:1", want: 200},
		{name: "LAN address", h: open, local: lan, host: "192.0.2.10:8787", want: 403},
		{name: "foreign Host (DNS rebinding)", h: open, local: loop, host: "attacker.example:8787", want: 403},
		{name: "through a proxy", h: open, local: loop, hdr: map[string]string{"X-Forwarded-For": "198.51.100.1"}, want: 403},
		{name: "Forwarded header", h: open, local: loop, hdr: map[string]string{"Forwarded": "for=x"}, want: 403},
		{name: "Via header", h: open, local: loop, hdr: map[string]string{"Via": "1.1 proxy"}, want: 403},
		{name: "POST", h: open, method: "POST", local: loop, want: 405},
		{name: "token missing on loopback", h: locked, local: loop, want: 401},
		{name: "token missing from LAN", h: locked, local: lan, want: 401},
		{name: "wrong token", h: locked, local: lan, hdr: map[string]string{"Authorization": "Bearer nope"}, want: 401},
		{name: "token prefix", h: locked, local: lan, hdr: map[string]string{"Authorization": "Bearer s3cret"}, want: 401},
		{name: "bearer token from LAN", h: locked, local: lan, hdr: map[string]string{"Authorization": "Bearer s3cret-token"}, want: 200},
		{name: "basic password", h: locked, local: lan, hdr: map[string]string{"Authorization": basicAuth("anyone", "s3cret-token")}, want: 200},
		{name: "basic wrong password", h: locked, local: lan, hdr: map[string]string{"Authorization": basicAuth("s3cret-token", "x")}, want: 401},
		// Authentication schemes are case-insensitive (RFC 9110 §11.1).
		{name: "lower-case bearer", h: locked, local: lan, hdr: map[string]string{"Authorization": "bearer s3cret-token"}, want: 200},
		{name: "upper-case BEARER", h: locked, local: lan, hdr: map[string]string{"Authorization": "BEARER s3cret-token"}, want: 200},
		{name: "lower-case bearer, wrong token", h: locked, local: lan, hdr: map[string]string{"Authorization": "bearer nope"}, want: 401},
		{name: "lower-case basic", h: locked, local: lan, hdr: map[string]string{"Authorization": "basic " + strings.TrimPrefix(basicAuth("anyone", "s3cret-token"), "Basic ")}, want: 200},
		{name: "upper-case BASIC", h: locked, local: lan, hdr: map[string]string{"Authorization": "BASIC " + strings.TrimPrefix(basicAuth("anyone", "s3cret-token"), "Basic ")}, want: 200},
		{name: "a scheme that only starts like bearer", h: locked, local: lan, hdr: map[string]string{"Authorization": "Bearers3cret-token"}, want: 401},
		{name: "no store", h: none, local: loop, want: 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "GET"
			}
			req := httptest.NewRequest(method, DashboardPath, nil)
			req.Host = "127.0.0.1:8787"
			if tc.host != "" {
				req.Host = tc.host
			}
			req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, tc.local))
			for k, v := range tc.hdr {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			tc.h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body.String())
			}
			if tc.want == 404 {
				return
			}
			hdr := rec.Header()
			csp := hdr.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") ||
				!strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("CSP %q", csp)
			}
			for k, v := range map[string]string{"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
				"X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
				if hdr.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, hdr.Get(k), v)
				}
			}
			if tc.want == 401 && !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Basic ") {
				t.Errorf("401 without a Basic challenge: %q", hdr.Get("WWW-Authenticate"))
			}
			if tc.want == 200 && method == "GET" && !strings.Contains(rec.Body.String(), `data-chart="weekly-active"`) {
				t.Error("200 without the page")
			}
		})
	}
	if m.Requests(401) == 0 || m.Requests(403) == 0 {
		t.Errorf("401s %d, 403s %d not counted", m.Requests(401), m.Requests(403))
	}
}

func basicAuth(user, pass string) string {
	r := httptest.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

// seedYear writes the rollups a year of 10 million events leaves behind
// (layout 3's included: daily machines and versions, the machines behind
// each figure),
// straight into the tables: 40,000 machines of which about 4,500 are active
// each day and 12,000 each week, 40 versions (8 live in any week), 12
// platforms, 25 CLI commands and 20 MCP tools from 15 clients, 16 targets,
// every language; per day ≈ 27,400 events. first_seen holds only its open
// periods, as pruning leaves it. Raw rows are left out: neither report nor
// dashboard reads them.
func seedYear(tb testing.TB, path string) {
	tb.Helper()
	ctx := context.Background()
	s, err := OpenSQLite(ctx, SQLiteConfig{Path: path, RetentionDays: -1})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		tb.Fatal(err)
	}
	db, err := openWritable(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	exec := func(q string, args ...any) {
		if _, err := tx.Exec(q, args...); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	last := dayOf(fixedNow)
	first := last - 364
	const machines = 40_000
	for i := range machines {
		exec(`INSERT INTO machines (uuid, first_day) VALUES (?, ?)`, must(uuidBytes(machineN(i))), first+int64(i)*365/machines)
	}
	var tools, commands, clients, targets []string
	for i := range 20 {
		tools = append(tools, fmt.Sprintf("codegraph_tool_%02d", i))
	}
	for i := range 25 {
		commands = append(commands, fmt.Sprintf("command_%02d", i))
	}
	for i := range 15 {
		clients = append(clients, fmt.Sprintf("agent-%02d", i))
	}
	for i := range 16 {
		targets = append(targets, fmt.Sprintf("target%02d", i))
	}
	counts := map[countKey]countVal{}
	for day := first; day <= last; day++ {
		add := func(k countKey, n, e int64) {
			exec(`INSERT INTO day_counts (dim, day, a, b, c, n, errors) VALUES (?, ?, ?, ?, ?, ?, ?)`, k.dim, day, k.a, k.b, k.c, n, e)
			k.day = 0
			addCount(counts, k, n, e)
		}
		add(countKey{dim: dimEvent, a: "usage_rollup"}, 25_000, 0)
		add(countKey{dim: dimEvent, a: "index"}, 1_500, 0)
		add(countKey{dim: dimEvent, a: "install"}, 700, 0)
		add(countKey{dim: dimEvent, a: "uninstall"}, 200, 0)
		for _, kind := range []string{"fresh", "upgrade", "reinstall"} {
			add(countKey{dim: dimInstallKind, a: kind}, int64(100+rng.IntN(200)), 0)
		}
		for _, tool := range tools {
			for _, c := range clients {
				add(countKey{dim: dimUsage, a: "mcp_tool", b: tool, c: c}, int64(20+rng.IntN(200)), int64(rng.IntN(10)))
			}
		}
		for _, c := range commands {
			add(countKey{dim: dimUsage, a: "cli_command", b: c}, int64(20+rng.IntN(200)), int64(rng.IntN(10)))
		}
		for _, tg := range targets {
			for _, scope := range []string{"local", "global"} {
				for _, kind := range []string{"fresh", "upgrade", "reinstall"} {
					add(countKey{dim: dimInstall, a: tg, b: scope, c: kind}, int64(1+rng.IntN(20)), 0)
				}
			}
			add(countKey{dim: dimUninstall, a: tg}, int64(rng.IntN(5)), 0)
		}
		for _, l := range languagesForSeed() {
			add(countKey{dim: dimLanguage, a: l}, int64(rng.IntN(300)), 0)
		}
		exec(`INSERT INTO machine_counts (dim, period, value, machines) VALUES (?, ?, 'prod', ?), (?, ?, 'ci', ?), (?, ?, '', ?)`,
			dimDay, day, 4_000+rng.IntN(500), dimDay, day, 400+rng.IntN(100), dimDay, day, 4_300+rng.IntN(500))
		v0 := int((day - first) * 40 / 365)
		for v := v0; v < v0+8 && v < 40; v++ {
			exec(`INSERT INTO machine_counts (dim, period, value, machines) VALUES (?, ?, ?, ?)`, dimDayVersion, day, fmt.Sprintf("1.%d.0", v), 50+rng.IntN(2000))
		}
	}
	// The machines behind each all-time figure.
	cell := func(dim, value string) {
		exec(`INSERT INTO machine_counts (dim, period, value, machines) VALUES (?, 0, ?, ?)`, dim, value, 1+rng.IntN(20_000))
	}
	for _, tool := range tools {
		for _, c := range clients {
			cell(dimMUsage, "mcp_tool|"+tool+"|"+c)
		}
	}
	for _, c := range commands {
		cell(dimMUsage, "cli_command|"+c+"|")
	}
	for _, tg := range targets {
		cell(dimMInstall, tg+"|local")
		cell(dimMInstall, tg+"|global")
	}
	for _, l := range languagesForSeed() {
		cell(dimMLanguage, l)
	}
	for _, rt := range []string{"go 1.26", "go 1.25", "node 22", "node 20"} {
		cell(dimRuntime, rt)
	}
	for k, v := range counts {
		exec(`INSERT INTO totals (dim, a, b, c, n, errors) VALUES (?, ?, ?, ?, ?, ?)`, k.dim, k.a, k.b, k.c, v.n, v.errors)
	}
	for wk := weekOf(first); wk <= last; wk += 7 {
		exec(`INSERT INTO machine_counts (dim, period, value, machines) VALUES (?, ?, '', ?), (?, ?, 'prod', ?), (?, ?, 'ci', ?), (?, ?, '', ?)`,
			dimWeek, wk, 12_000+rng.IntN(500), dimWeek, wk, 11_000+rng.IntN(500), dimWeek, wk, 1_200+rng.IntN(100), dimNew, wk, 770)
		for _, kind := range []string{"fresh", "upgrade", "reinstall", "uninstall"} {
			exec(`INSERT INTO machine_counts (dim, period, value, machines) VALUES (?, ?, ?, ?)`, dimInstallWeek, wk, kind, 500+rng.IntN(1000))
		}
		v0 := int((wk - weekOf(first)) / 7 * 40 / 53)
		for v := v0; v < v0+8 && v < 40; v++ {
			exec(`INSERT INTO machine_counts (dim, period, value, machines) VALUES (?, ?, ?, ?)`, dimWeekVersion, wk, fmt.Sprintf("1.%d.0", v), 200+rng.IntN(3000))
		}
	}
	for v := range 40 {
		exec(`INSERT INTO machine_counts (dim, period, value, machines) VALUES (?, 0, ?, ?)`, dimVersion, fmt.Sprintf("1.%d.0", v), 500+rng.IntN(5000))
	}
	for _, os := range []string{"linux", "darwin", "windows", "freebsd"} {
		for _, arch := range []string{"amd64", "arm64", "386"} {
			exec(`INSERT INTO machine_counts (dim, period, value, machines) VALUES (?, 0, ?, ?)`, dimPlatform, os+"/"+arch, rng.IntN(10_000))
		}
	}
	// Open periods of first_seen: the last five weeks of the active machines.
	for i := range 12_000 {
		m := int64(i + 1)
		exec(`INSERT INTO first_seen (machine, dim, period, value) VALUES (?, ?, 0, '1.39.0'), (?, ?, 0, 'linux/amd64')`, m, seenVersion, m, seenPlatform)
		for wk := weekOf(last) - 28; wk <= last; wk += 7 {
			exec(`INSERT INTO first_seen (machine, dim, period, value) VALUES (?, ?, ?, ''), (?, ?, ?, 'prod'), (?, ?, ?, '1.39.0'), (?, ?, ?, 'prod')`,
				m, seenWeek, wk, m, seenWeek, wk, m, seenWeekVersion, wk, m, seenDay, wk+int64(i%5))
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

func languagesForSeed() []string {
	return strings.Fields("typescript javascript tsx jsx python go rust java c cpp csharp php ruby swift kotlin dart vue yaml other")
}

func openWritable(path string) (*sql.DB, error) { return sql.Open("sqlite", sqliteDSN(path, false)) }

// BenchmarkReportYear is `report --json` over a year of rollups (seedYear):
// the target is at most 1 s.
func BenchmarkReportYear(b *testing.B) {
	path := yearStore(b)
	db, err := OpenReport(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for b.Loop() {
		r, err := BuildReport(context.Background(), db, false)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.WriteJSON(&bytes.Buffer{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDashboardYear is GET /dashboard over a year of rollups: the
// target is at most 100 ms a page.
func BenchmarkDashboardYear(b *testing.B) {
	path := yearStore(b)
	db, err := OpenReport(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	h, err := NewHandler(Config{Sink: &captureSink{}, Now: clock, Dashboard: &Dashboard{DB: db, Now: clock}})
	if err != nil {
		b.Fatal(err)
	}
	local := context.WithValue(context.Background(), http.LocalAddrContextKey, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	for b.Loop() {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", DashboardPath, nil).WithContext(local)
		req.Host = "127.0.0.1"
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
		b.SetBytes(int64(rec.Body.Len()))
	}
}

// yearStore seeds a year of rollups once per benchmark.
func yearStore(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "year.db")
	seedYear(b, path)
	return path
}

// TestDashboardRanges: ?weeks=4, 12 and 52 draw the weekly charts over
// that many weeks (the figures still the report's and the seed's), mark
// the range chosen and link the others; any other value is 400.
func TestDashboardRanges(t *testing.T) {
	t.Parallel()
	clk := newTestClock(fixedNow)
	s, sd := dashboardSeed(t, clk)
	db := openRead(t, s.cfg.Path)
	r, err := BuildReport(context.Background(), db, false)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Config{Sink: s, Now: clk.now, Dashboard: &Dashboard{DB: db, Now: clk.now}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		query string
		weeks int
		want  int
	}{{"", 12, 200}, {"?weeks=4", 4, 200}, {"?weeks=12", 12, 200}, {"?weeks=52", 52, 200}, {"?weeks=5", 0, 400}, {"?weeks=x", 0, 400}} {
		resp, err := srv.Client().Get(srv.URL + DashboardPath + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		var page bytes.Buffer
		page.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%q: %d, want %d", tc.query, resp.StatusCode, tc.want)
			continue
		}
		if tc.want != 200 {
			continue
		}
		checkShown(t, shownInPage(t, page.String()), r, sd, fixedNow, tc.weeks)
		got := 0
		for _, f := range shownInPage(t, page.String()) {
			if f.chart == "weekly-active" && f.series == "prod" {
				got++
			}
		}
		if got != tc.weeks {
			t.Errorf("%q: %d weeks drawn, want %d", tc.query, got, tc.weeks)
		}
		for _, n := range DashboardRanges {
			link := fmt.Sprintf(`<a href="%s?weeks=%d">`, DashboardPath, n)
			if (n == tc.weeks) == strings.Contains(page.String(), link) {
				t.Errorf("%q: the link to %d weeks is there: %v", tc.query, n, strings.Contains(page.String(), link))
			}
		}
	}
}

// postHogInsights names, for every chart of the dashboard, the heading
// of its HogQL insight in docs/posthog.md (the scale-out path draws the
// same charts in PostHog).
var postHogInsights = map[string]string{
	"daily-active": "Daily active machines", "weekly-active": "Weekly active machines", "new-returning": "New and returning machines",
	"ci-share": "CI share", "installs-weekly": "Installs per week by kind", "installs": "Installs by target and scope",
	"usage": "Usage by tool × client", "versions": "Version adoption", "version-speed": "Days to half adoption",
	"platforms": "OS and architecture", "runtimes": "Runtime", "backends": "SQLite backend", "languages": "Languages indexed",
	"file-counts": "Index size", "durations": "duration",
}

// TestPostHogHasEveryChart: docs/posthog.md has a HogQL query under a
// heading for every chart of the dashboard, so a new chart cannot leave
// the PostHog path behind.
func TestPostHogHasEveryChart(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "docs", "posthog.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := strings.Split(string(data), "\n### ")[1:]
	for _, chart := range dashboardCharts {
		heading, ok := postHogInsights[chart]
		if !ok {
			t.Errorf("chart %s: no PostHog insight named in postHogInsights", chart)
			continue
		}
		found := false
		for _, sec := range sections {
			title, rest, _ := strings.Cut(sec, "\n")
			if strings.Contains(title, heading) && strings.Contains(rest, "```sql\nSELECT") {
				found = true
			}
		}
		if !found {
			t.Errorf("chart %s: docs/posthog.md has no heading with %q followed by a query", chart, heading)
		}
	}
}
