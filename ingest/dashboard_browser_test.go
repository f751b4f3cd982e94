package ingest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumNames are the executables tried, Debian's package first.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"}

// findChromium returns a Chromium binary, or skips the test when there is
// none and it is not running in CI (CI set), where .ci/run installs one
// and a missing browser is a failure.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium binary on PATH: .ci/run installs Debian's chromium package")
	}
	t.Skip("no Chromium binary found (tried " + strings.Join(chromiumNames, ", ") + "); `apt-get install chromium` to run this test")
	return ""
}

// TestDashboardInChromium opens the dashboard of a seeded store in real
// headless Chromium and checks what a person would see: every chart is
// there, laid out (non-zero size) and styled (the hashed stylesheet was
// allowed), every figure equals the report's and the seed's, the browser
// fetched nothing but the page from the ingest itself, and logged no
// error (a CSP violation would be one). The screenshot is written to
// $CODEGRAPH_SCREENSHOT_DIR, or a new temporary directory that is kept,
// and its path logged.
func TestDashboardInChromium(t *testing.T) {
	t.Parallel()
	bin := findChromium(t)
	clk := newTestClock(fixedNow)
	s, sd := dashboardSeed(t, clk)
	db := openRead(t, s.cfg.Path)
	h, err := NewHandler(Config{Sink: s, Now: clk.now, Dashboard: &Dashboard{DB: db, Now: clk.now}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	report, err := BuildReport(context.Background(), db, false)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
		// Belt and braces: a name other than the test server's could not
		// even be resolved. The request log below is the check.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	var mu sync.Mutex
	var requests, problems []string
	err = chromedp.Listen(browser, func(ev any) { // starts the browser
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			problems = append(problems, "console."+string(e.Type))
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
				problems = append(problems, string(e.Entry.Source)+": "+e.Entry.Text)
			}
		}
	})
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if _, err := chromedp.Call(browser, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(browser, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(browser, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("CODEGRAPH_SCREENSHOT_DIR")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "codegraph-dashboard-"); err != nil {
			t.Fatal(err)
		}
	}
	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprintf("width=%d", width), func(t *testing.T) {
			checkInChromium(t, browser, srv.URL+DashboardPath, width, filepath.Join(dir, fmt.Sprintf("dashboard-%d.png", width)), report, sd)
		})
	}

	mu.Lock()
	defer mu.Unlock()
	if len(requests) == 0 {
		t.Fatal("no request seen: the check below would prove nothing")
	}
	for _, u := range requests {
		if !strings.HasPrefix(u, srv.URL+"/") {
			t.Errorf("the page fetched %s", u)
		}
	}
	for _, p := range problems {
		t.Errorf("browser reported %s", p)
	}
}

// checkInChromium loads url in a window width CSS pixels wide and checks
// the page as a person would see it: every chart drawn at a visible size
// and styled, every figure the report's and the seed's, and every label
// whole, inside its chart and clear of every other label.
func checkInChromium(t *testing.T, browser context.Context, url string, width int64, shot string, report *Report, sd seeded) {
	if err := chromedp.Do(browser,
		chromedp.EmulateViewport(width, 900),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`section[data-chart="durations"] svg`)),
	); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	type figure struct {
		Chart, Series, Key string
		Value              int64
		W, H               float64
	}
	type chart struct {
		ID   string
		W, H float64
	}
	charts, err := chromedp.Run(browser, chromedp.Evaluate[[]chart](`[...document.querySelectorAll('section[data-chart]')].map(s => {
		const r = s.querySelector('svg') ? s.querySelector('svg').getBoundingClientRect() : {width: 0, height: 0};
		return {ID: s.dataset.chart, W: r.width, H: r.height};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	figures, err := chromedp.Run(browser, chromedp.Evaluate[[]figure](`[...document.querySelectorAll('section[data-chart] [data-value]')].map(el => {
		const r = el.getBoundingClientRect();
		return {Chart: el.closest('section').dataset.chart, Series: el.dataset.series, Key: el.dataset.key,
			Value: Number(el.dataset.value), W: r.width, H: r.height};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	// Every text of every chart: its box, its chart's box, what it shows
	// and the full name of its title (if any).
	type label struct {
		Chart, Text, Title              string
		X, Y, W, H, SX, SY, SW, SH      float64
		ScrollW, ClientW, DocW, WindowW float64
	}
	labels, err := chromedp.Run(browser, chromedp.Evaluate[[]label](`[...document.querySelectorAll('section[data-chart] svg text')].map(el => {
		const r = el.getBoundingClientRect(), s = el.closest('svg').getBoundingClientRect();
		const title = el.querySelector('title');
		const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
		return {Chart: el.closest('section').dataset.chart, Text: own, Title: title ? title.textContent : '',
			X: r.left, Y: r.top, W: r.width, H: r.height, SX: s.left, SY: s.top, SW: s.width, SH: s.height,
			DocW: document.documentElement.scrollWidth, WindowW: window.innerWidth};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	fill, err := chromedp.Run(browser, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('rect.s0')).fill`))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the dashboard: %s", shot)

	if len(charts) != len(dashboardCharts) {
		t.Fatalf("charts on the page: %+v, want %v", charts, dashboardCharts)
	}
	for i, c := range charts {
		if c.ID != dashboardCharts[i] || c.W < min(300, 0.8*float64(width)) || c.H < 40 {
			t.Errorf("chart %d: %+v, want %s drawn at a visible size", i, c, dashboardCharts[i])
		}
	}
	if fill != "rgb(0, 114, 178)" {
		t.Errorf("bars are filled %q: the stylesheet was not applied (refused by the CSP?)", fill)
	}
	var got []shown
	for _, f := range figures {
		if f.Value > 0 && f.W <= 0 && f.H <= 0 {
			t.Errorf("%s %s/%s = %d is not drawn", f.Chart, f.Series, f.Key, f.Value)
		}
		got = append(got, shown{f.Chart, f.Series, f.Key, f.Value})
	}
	checkShown(t, got, report, sd, fixedNow, DashboardWeeks)

	if len(labels) < 100 {
		t.Fatalf("%d labels: the checks below would prove little", len(labels))
	}
	if labels[0].DocW > labels[0].WindowW+0.5 {
		t.Errorf("the page is %.0f px wide in a %.0f px window: it scrolls sideways", labels[0].DocW, labels[0].WindowW)
	}
	const slack = 0.5
	long := 0
	for i, l := range labels {
		if strings.Contains(l.Text, "…") {
			t.Errorf("%s: label %q is cut", l.Chart, l.Text)
		}
		if l.Title != "" {
			// What is shown is the full name or whole parts of it.
			if l.Text != l.Title && !strings.HasPrefix(l.Title, l.Text+" · ") {
				t.Errorf("%s: label %q is not whole parts of %q", l.Chart, l.Text, l.Title)
			}
			if strings.Contains(l.Title, longTool) {
				long++
			}
		}
		if l.X < l.SX-slack || l.Y < l.SY-slack || l.X+l.W > l.SX+l.SW+slack || l.Y+l.H > l.SY+l.SH+slack {
			t.Errorf("%s: label %q (%.1f,%.1f %.1f×%.1f) runs out of its chart (%.1f,%.1f %.1f×%.1f)", l.Chart, l.Text, l.X, l.Y, l.W, l.H, l.SX, l.SY, l.SW, l.SH)
		}
		for _, o := range labels[i+1:] {
			if o.Chart == l.Chart && l.X+slack < o.X+o.W && o.X+slack < l.X+l.W && l.Y+slack < o.Y+o.H && o.Y+slack < l.Y+l.H {
				t.Errorf("%s: labels %q and %q overlap", l.Chart, l.Text, o.Text)
			}
		}
	}
	if long == 0 {
		t.Error("the longest tool name is on no label: the seed no longer tests it")
	}
}
