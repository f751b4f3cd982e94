package ingest

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// The dashboard is one self-contained HTML page: the charts are SVG drawn
// here, on the server, from a Report, so the page runs no script, fetches
// nothing and works from a file opened offline. Its one stylesheet is
// inline and allowed by hash in the Content-Security-Policy, which forbids
// everything else. Every figure it draws is also a data-value attribute and
// a row of the table under its chart, the same numbers as `report --json`.

// DashboardWeeks is how many ISO weeks the weekly charts show unless the
// page is asked for another range (DashboardRanges), ending with the
// current week.
const DashboardWeeks = 12

// DashboardRanges are the ranges, in weeks, the page links to (?weeks=N).
var DashboardRanges = []int{4, 12, 52}

// DashboardDays is how many UTC days the daily chart shows.
const DashboardDays = 90

const (
	maxBars     = 15 // rows of a horizontal bar chart; the rest is one "other" row
	maxVersions = 6  // lines of the version chart
	chartWidth  = 600
	rowHeight   = 34 // a label line above a bar
	charWidth   = 8  // a generous width of one character of 12px text, in viewBox units
	// outlierRatio: a bar this many times the next one is cut short (the
	// scale then fits the others) and marked, rather than flattening them.
	outlierRatio = 3
	// outlierMinRows: with fewer rows a long bar flattens nothing worth
	// cutting it for.
	outlierMinRows = 5
)

const dashboardCSS = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --card: #ffffff; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 12px; }
header h1 { font-size: 22px; margin: 24px 0 4px; }
header p, footer p { color: var(--muted); margin: 0 0 12px; }
nav { margin: 0 0 16px; }
nav a, nav strong { margin-right: 12px; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(560px, 100%), 1fr)); gap: 16px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 12px; min-width: 0; }
h2 { font-size: 16px; margin: 0; }
.what { color: var(--muted); margin: 2px 0 8px; font-size: 13px; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg .axis { stroke: var(--line); stroke-width: 1; }
svg .grid { stroke: #eef1f4; stroke-width: 1; }
svg .muted { fill: var(--muted); }
svg .end { text-anchor: end; }
svg .mid { text-anchor: middle; }
svg .line { fill: none; stroke-width: 2; }
svg .dash { stroke-dasharray: 6 3; }
svg .brk { stroke: #ffffff; stroke-width: 3; fill: none; }
.s0 { fill: #0072b2; stroke: #0072b2; } .s1 { fill: #e69f00; stroke: #e69f00; } .s2 { fill: #009e73; stroke: #009e73; }
.s3 { fill: #cc79a7; stroke: #cc79a7; } .s4 { fill: #d55e00; stroke: #d55e00; } .s5 { fill: #000000; stroke: #000000; }
.s6 { fill: #56b4e9; stroke: #56b4e9; } .s7 { fill: #f0e442; stroke: #f0e442; } .s8 { fill: #8c959f; stroke: #8c959f; }
.err { fill: #d55e00; stroke: none; }
rect.s0, rect.s1, rect.s2, rect.s3, rect.s4, rect.s5, rect.s6, rect.s7, rect.s8 { stroke: none; }
.line.s0, .line.s1, .line.s2, .line.s3, .line.s4, .line.s5, .line.s6, .line.s7 { fill: none; }
.empty { color: var(--muted); padding: 24px 0; }
details { margin-top: 6px; overflow-x: auto; }
summary { cursor: pointer; color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; margin-top: 6px; font-size: 13px; }
th, td { text-align: left; padding: 2px 10px 2px 0; border-bottom: 1px solid #eef1f4; overflow-wrap: anywhere; }
td.n, th.n { text-align: right; }
`

// The series colours are the Okabe–Ito palette, which stays distinguishable
// with the common colour-vision deficiencies; lines also carry their name
// at their end and every other one is dashed, so no line is told by its
// colour alone. s8 is the grey of "other".
const otherClass = "s8"

// dashboardCSP is the page's Content-Security-Policy: nothing but the inline
// stylesheet above, identified by its hash. (frame-ancestors cannot be set
// from a meta element; the served page also sends it as a header.)
var dashboardCSP = func() string {
	sum := sha256.Sum256([]byte(dashboardCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src 'none'; base-uri 'none'; form-action 'none'"
}()

// WriteDashboard writes the dashboard page for r, as of now (which ends the
// weekly charts' window), over DashboardWeeks weeks.
func WriteDashboard(w io.Writer, r *Report, now time.Time) error {
	return WriteDashboardWeeks(w, r, now, DashboardWeeks)
}

// WriteDashboardWeeks writes the dashboard page with weekly charts over
// the last weeks ISO weeks.
func WriteDashboardWeeks(w io.Writer, r *Report, now time.Time, weeks int) error {
	var b strings.Builder
	now = now.UTC()
	pageHead(&b, "codegraph telemetry")
	b.WriteString(`<header>
<h1>codegraph telemetry</h1>
<p>Anonymous usage counters, read from the ingest's rollups on ` + now.Format("2006-01-02 15:04") + ` UTC. The same figures: <code>codegraph-ingest report --json</code>.</p>
`)
	rangeNav(&b, DashboardPath, weeks)
	b.WriteString("</header>\n<main>\n")
	wk := lastWeeks(now, weeks)
	dailyActiveChart(&b, r, lastDays(now, DashboardDays))
	weeklyActiveChart(&b, r, wk)
	newReturningChart(&b, r, wk)
	ciShareChart(&b, r, wk)
	installsWeeklyChart(&b, r, wk)
	installsChart(&b, r)
	usageChart(&b, r)
	versionChart(&b, r, wk)
	versionSpeedChart(&b, r)
	platformsChart(&b, r)
	runtimesChart(&b, r)
	backendsChart(&b, r)
	languagesChart(&b, r)
	bucketChart(&b, "file-counts", "Index size", "Index events by the number of files indexed (a bucket, never the count), all time.", "files", r.FileCounts)
	bucketChart(&b, "durations", "Index duration", "Index events by how long the index took (a bucket), all time.", "duration", r.Durations)
	pageFoot(&b)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write dashboard: %w", err)
	}
	return nil
}

func pageHead(b *strings.Builder, title string) {
	b.WriteString(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="` + dashboardCSP + `">
<title>` + esc(title) + `</title>
<style>` + dashboardCSS + `</style>
</head>
<body>
`)
}

func pageFoot(b *strings.Builder) {
	b.WriteString(`</main>
<footer><p>Machines are counted by their random machine ID; nothing here identifies a person or a project. Field by field: <a href="` + schema.DocsURL + `">TELEMETRY.md</a>.</p></footer>
</body>
</html>
`)
}

// rangeNav links the other ranges: plain links, so choosing one needs no
// script.
func rangeNav(b *strings.Builder, path string, weeks int) {
	b.WriteString(`<nav aria-label="Range">Weekly charts over:`)
	for _, n := range DashboardRanges {
		if n == weeks {
			fmt.Fprintf(b, ` <strong aria-current="page">%d weeks</strong>`, n)
		} else {
			fmt.Fprintf(b, ` <a href="%s?weeks=%d">%d weeks</a>`, path, n, n)
		}
	}
	b.WriteString("</nav>\n")
}

// lastWeeks is the ISO weeks (Monday day numbers) of the window, oldest first.
func lastWeeks(now time.Time, n int) []int64 {
	cur := weekOf(dayOf(now))
	out := make([]int64, n)
	for i := range out {
		out[i] = cur - int64(7*(n-1-i))
	}
	return out
}

// lastDays is the UTC day numbers of the last n days, oldest first.
func lastDays(now time.Time, n int) []int64 {
	cur := dayOf(now)
	out := make([]int64, n)
	for i := range out {
		out[i] = cur - int64(n-1-i)
	}
	return out
}

var esc = html.EscapeString

// grouped formats n with thousands separators for labels.
func grouped(n int64) string {
	s := itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func pct(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) + "%" }

// textWidth is a generous estimate of the width of s in 12px text, in
// viewBox units: what layout uses to decide what fits.
func textWidth(s string) int { return charWidth * utf8.RuneCountInString(s) }

// fitParts joins as many leading parts of a name as fit in width, whole:
// a name is never cut inside a part; the full name is in the title and
// the table. The first part is always kept (the schema bounds every part
// well below a chart's width).
func fitParts(parts []string, width int) string {
	out := parts[0]
	for _, p := range parts[1:] {
		next := out + " · " + p
		if textWidth(next) > width {
			break
		}
		out = next
	}
	return out
}

// card opens a chart's section; table closes it.
func card(b *strings.Builder, id, title, what string) {
	fmt.Fprintf(b, "<section id=\"%s\" data-chart=\"%s\">\n<h2>%s</h2>\n<p class=\"what\">%s</p>\n", id, id, esc(title), esc(what))
}

func empty(b *strings.Builder) { b.WriteString("<p class=\"empty\">No data yet.</p>\n") }

// table writes the numbers of a chart as a collapsed table, full names
// and all; numeric[i] right-aligns column i.
func table(b *strings.Builder, header []string, numeric []bool, rows [][]string) {
	b.WriteString("<details><summary>Numbers</summary>\n<table>\n")
	row := func(tag string, cells []string) {
		b.WriteString("<tr>")
		for i, c := range cells {
			class := ""
			if numeric[i] {
				class = ` class="n"`
			}
			fmt.Fprintf(b, `<%s%s>%s</%s>`, tag, class, esc(c), tag)
		}
		b.WriteString("</tr>\n")
	}
	row("th", header)
	for _, r := range rows {
		row("td", r)
	}
	b.WriteString("</table>\n</details>\n</section>\n")
}

// niceScale picks the top of a vertical axis with four ticks: four times
// the smallest 1, 2 or 5 × 10^k step that reaches v.
func niceScale(v int64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if 4*m*p >= v {
				return 4 * m * p
			}
		}
	}
}

// legend draws one swatch and name per series, wrapping to a new line
// when the next would pass the chart's width; it returns the height used.
func legend(b *strings.Builder, x0, y int, names, classes []string) int {
	x, lines := x0, 1
	for i, n := range names {
		wd := 14 + textWidth(n) + 12
		if x > x0 && x+wd > chartWidth {
			x, y, lines = x0, y+16, lines+1
		}
		fmt.Fprintf(b, `<rect class="%s" x="%d" y="%d" width="10" height="10"/><text x="%d" y="%d">%s</text>`+"\n",
			classes[i], x, y-9, x+14, y, esc(n))
		x += wd
	}
	return 16 * lines
}

func seriesClass(i int) string { return fmt.Sprintf("s%d", i%8) }

// column is one x position of a column chart: stacks of segments drawn
// side by side, a key (data-key) and two lines of axis label.
type column struct {
	key            string
	label1, label2 string
	stacks         [][]seg
}

// columns draws a column chart: the legend, a y axis of four ticks, and
// per x its stacks side by side. Axis labels are thinned so that none
// overlaps the next; each value is written over its stack when there is
// room for it.
func columns(b *strings.Builder, aria string, series, classes []string, xs []column) {
	var top int64
	for _, x := range xs {
		for _, st := range x.stacks {
			var t int64
			for _, s := range st {
				t += s.v
			}
			top = max(top, t)
		}
	}
	const h, left, bottom = 244, 48, 40
	var lg strings.Builder
	topPad := 12 + legend(&lg, left, 14, series, classes)
	scale := niceScale(top)
	plotH := h - bottom - topPad
	fmt.Fprintf(b, `<svg viewBox="0 0 %d %d" role="img" aria-label="%s">`+"\n", chartWidth, h, esc(aria))
	b.WriteString(lg.String())
	for i := 0; i <= 4; i++ {
		y := topPad + plotH - plotH*i/4
		fmt.Fprintf(b, `<line class="grid" x1="%d" x2="%d" y1="%d" y2="%d"/><text class="muted end" x="%d" y="%d">%s</text>`+"\n",
			left, chartWidth-4, y, y, left-6, y+4, grouped(scale*int64(i)/4))
	}
	slot := float64(chartWidth-left-4) / float64(len(xs))
	labelW := 0
	for _, x := range xs {
		labelW = max(labelW, textWidth(x.label1), textWidth(x.label2))
	}
	for i, x := range xs {
		n := len(x.stacks)
		barW := max(1.0, slot*0.8/float64(n))
		x0 := float64(left) + float64(i)*slot + (slot-barW*float64(n))/2
		for j, st := range x.stacks {
			bx := x0 + float64(j)*barW
			y := float64(topPad + plotH)
			var total int64
			for _, s := range st {
				bh := float64(plotH) * float64(s.v) / float64(scale)
				y -= bh
				total += s.v
				fmt.Fprintf(b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" data-series="%s" data-key="%s" data-value="%d"><title>%s, %s: %s</title></rect>`,
					s.class, bx, y, max(0.5, barW-1), bh, esc(s.series), esc(x.key), s.v, esc(x.key), esc(s.series), grouped(s.v))
			}
			if total > 0 && textWidth(grouped(total)) <= int(barW)+2 && len(xs) <= 13 {
				fmt.Fprintf(b, `<text class="mid" x="%.1f" y="%.1f">%s</text>`, bx+barW/2, y-3, grouped(total))
			}
			b.WriteString("\n")
		}
	}
	// Axis labels from the newest back, each only where it clears the one
	// drawn after it: centred under its column, but never past the edge.
	prevLeft := float64(chartWidth)
	for i := len(xs) - 1; i >= 0; i-- {
		x := xs[i]
		cx := min(float64(left)+float64(i)*slot+slot/2, float64(chartWidth-2-labelW/2))
		if cx+float64(labelW)/2+8 > prevLeft {
			continue
		}
		prevLeft = cx - float64(labelW)/2
		fmt.Fprintf(b, `<text class="mid muted" x="%.1f" y="%d">%s</text>`, cx, h-bottom+14, esc(x.label1))
		if x.label2 != "" {
			fmt.Fprintf(b, `<text class="mid muted" x="%.1f" y="%d">%s</text>`, cx, h-bottom+31, esc(x.label2))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>`+"\n</svg>\n", left, chartWidth-4, topPad+plotH, topPad+plotH)
}

func weekColumn(wk int64, stacks [][]seg) column {
	l := isoWeekLabel(wk)
	return column{key: l, label1: "W" + l[len(l)-2:], label2: dayTime(wk).Format("Jan 2"), stacks: stacks}
}

// dailyActiveChart: distinct machines per UTC day.
func dailyActiveChart(b *strings.Builder, r *Report, days []int64) {
	card(b, "daily-active", "Daily active machines",
		fmt.Sprintf("Distinct machines per UTC day, last %d days.", len(days)))
	byDay := map[string]DailyActive{}
	for _, d := range r.DailyActive {
		byDay[d.Day] = d
	}
	xs := make([]column, 0, len(days))
	var rows [][]string
	for _, d := range days {
		t := dayTime(d)
		key := t.Format(time.DateOnly)
		da := byDay[key]
		xs = append(xs, column{key: key, label1: t.Format("Jan 2"),
			stacks: [][]seg{{{"machines", "s0", da.Machines}}}})
		rows = append(rows, []string{key, itoa(da.Machines), itoa(da.Prod), itoa(da.CI)})
	}
	columns(b, "Daily active machines", []string{"machines"}, []string{"s0"}, xs)
	table(b, []string{"day", "machines", "prod", "CI"}, []bool{false, true, true, true}, rows)
}

// weeklyActiveChart: grouped bars, prod and CI machines per week.
func weeklyActiveChart(b *strings.Builder, r *Report, weeks []int64) {
	card(b, "weekly-active", "Weekly active machines",
		fmt.Sprintf("Distinct machines per ISO week, last %d weeks; a machine seen both with and without CI counts in both.", len(weeks)))
	byWeek := weekMap(r)
	xs := make([]column, 0, len(weeks))
	rows := make([][]string, 0, len(weeks))
	for _, wk := range weeks {
		w := byWeek[isoWeekLabel(wk)]
		xs = append(xs, weekColumn(wk, [][]seg{{{"prod", "s0", w.Prod}}, {{"ci", "s1", w.CI}}}))
		rows = append(rows, []string{isoWeekLabel(wk), dayTime(wk).Format(time.DateOnly), itoa(w.Machines), itoa(w.Prod), itoa(w.CI)})
	}
	columns(b, "Weekly active machines, prod and CI", []string{"prod", "CI"}, []string{"s0", "s1"}, xs)
	table(b, []string{"week", "from", "machines", "prod", "CI"}, []bool{false, false, true, true, true}, rows)
}

func weekMap(r *Report) map[string]WeeklyActive {
	m := map[string]WeeklyActive{}
	for _, w := range r.WeeklyActive {
		m[w.Week] = w
	}
	return m
}

// newReturningChart: each week's machines, stacked: first seen that week,
// and seen before.
func newReturningChart(b *strings.Builder, r *Report, weeks []int64) {
	card(b, "new-returning", "New and returning machines",
		fmt.Sprintf("Each ISO week's machines: first seen that week, and seen in an earlier week; last %d weeks.", len(weeks)))
	byWeek := weekMap(r)
	var xs []column
	var rows [][]string
	for _, wk := range weeks {
		w := byWeek[isoWeekLabel(wk)]
		xs = append(xs, weekColumn(wk, [][]seg{{{"new", "s2", w.New}, {"returning", "s0", w.Returning}}}))
		rows = append(rows, []string{isoWeekLabel(wk), itoa(w.Machines), itoa(w.New), itoa(w.Returning)})
	}
	columns(b, "New and returning machines per week", []string{"new", "returning"}, []string{"s2", "s0"}, xs)
	table(b, []string{"week", "machines", "new", "returning"}, []bool{false, true, true, true}, rows)
}

// ciShareChart: the share of each week's machines that ran in CI, as a
// line.
func ciShareChart(b *strings.Builder, r *Report, weeks []int64) {
	card(b, "ci-share", "CI share",
		fmt.Sprintf("Share of each ISO week's machines seen with the ci flag (CI over prod + CI), last %d weeks.", len(weeks)))
	byWeek := weekMap(r)
	ls := lineSeries{name: "CI share", class: "s1"}
	var rows [][]string
	for _, wk := range weeks {
		w := byWeek[isoWeekLabel(wk)]
		ls.share = append(ls.share, w.CIShare)
		ls.value = append(ls.value, w.CI)
		rows = append(rows, []string{isoWeekLabel(wk), itoa(w.Prod), itoa(w.CI), pct(w.CIShare)})
	}
	lines(b, "CI share per week", weeks, []lineSeries{ls}, "ci machines")
	table(b, []string{"week", "prod", "CI", "CI share"}, []bool{false, true, true, true}, rows)
}

// installsWeeklyChart: install events per week stacked by kind, and the
// week's uninstall events in a bar beside them.
func installsWeeklyChart(b *strings.Builder, r *Report, weeks []int64) {
	card(b, "installs-weekly", "Installs and uninstalls per week",
		fmt.Sprintf("Install events per ISO week by kind (each once, whatever its targets), and uninstall events beside them; last %d weeks.", len(weeks)))
	by := map[[2]string]InstallWeek{}
	for _, iw := range r.InstallsByWeek {
		by[[2]string{iw.Week, iw.Kind}] = iw
	}
	kinds := installKinds[:len(installKinds)-1]
	classes := []string{"s2", "s0", "s6", "s4"}
	var xs []column
	var rows [][]string
	for _, wk := range weeks {
		l := isoWeekLabel(wk)
		var inst []seg
		for i, k := range kinds {
			inst = append(inst, seg{k, classes[i], by[[2]string{l, k}].Events})
		}
		un := by[[2]string{l, uninstallKind}].Events
		xs = append(xs, weekColumn(wk, [][]seg{inst, {{uninstallKind, classes[3], un}}}))
		row := []string{l}
		for _, s := range inst {
			row = append(row, itoa(s.v))
		}
		rows = append(rows, append(row, itoa(un)))
	}
	columns(b, "Installs by kind and uninstalls per week", installKinds, classes, xs)
	table(b, append([]string{"week"}, installKinds...), []bool{false, true, true, true, true}, rows)
}

// bar is one row of a horizontal bar chart: its name (in parts, joined
// with " · "), segments drawn end to end, a note at the end.
type bar struct {
	key   string   // data-key
	parts []string // the name, whole
	segs  []seg
	note  string
	title string
}

type seg struct {
	series string
	class  string
	v      int64
}

func (r bar) total() int64 {
	var t int64
	for _, s := range r.segs {
		t += s.v
	}
	return t
}

// foldBars keeps the first maxBars rows and sums the rest into one row
// named other (segment by segment), so the chart stays readable; the
// table under it keeps every row.
func foldBars(rows []bar, note func(bar) string) []bar {
	if len(rows) <= maxBars {
		return rows
	}
	o := bar{key: "other", parts: []string{fmt.Sprintf("other (%d more)", len(rows)-maxBars+1)}}
	for _, r := range rows[maxBars-1:] {
		for i, s := range r.segs {
			if i == len(o.segs) {
				o.segs = append(o.segs, seg{s.series, otherClass, 0})
				if s.class == "err" {
					o.segs[i].class = "err"
				}
			}
			o.segs[i].v += s.v
		}
	}
	o.note = note(o)
	o.title = o.parts[0] + ": " + o.note
	return append(rows[:maxBars-1:maxBars-1], o)
}

// hbars draws the rows, each with its name on a line of its own above the
// bar (whole parts only, as many as fit: the full name is in its title and
// the table) and its note after the bar. The longest bar spans the width,
// unless it is an outlier (outlierRatio times the next): then the scale
// fits the others, and the outlier runs to the edge with a break mark and
// its true figure in the note.
func hbars(b *strings.Builder, aria string, series, classes []string, rows []bar) {
	var top, second int64
	noteW := 0
	for _, r := range rows {
		t := r.total()
		if t > top {
			top, second = t, top
		} else if t > second {
			second = t
		}
		noteW = max(noteW, textWidth(r.note))
	}
	scale := max(top, 1)
	if len(rows) >= outlierMinRows && second > 0 && top > outlierRatio*second {
		scale = second * 3 / 2
	}
	legendH := 0
	var lg strings.Builder
	if len(series) > 1 {
		legendH = legend(&lg, 4, 14, series, classes) + 4
	}
	h := legendH + len(rows)*rowHeight + 4
	fmt.Fprintf(b, `<svg viewBox="0 0 %d %d" role="img" aria-label="%s">`+"\n", chartWidth, h, esc(aria))
	b.WriteString(lg.String())
	span := chartWidth - 4 - 8 - noteW
	for i, r := range rows {
		y := legendH + i*rowHeight
		full := strings.Join(r.parts, " · ")
		fmt.Fprintf(b, `<text x="4" y="%d">%s<title>%s</title></text>`, y+13, esc(fitParts(r.parts, chartWidth-8)), esc(full))
		x := 4.0
		t := r.total()
		cut := t > scale
		for _, s := range r.segs {
			wpx := float64(span) * float64(s.v) / float64(scale)
			if cut {
				wpx = float64(span) * float64(s.v) / float64(t)
			}
			fmt.Fprintf(b, `<rect class="%s" x="%.1f" y="%d" width="%.1f" height="14" data-series="%s" data-key="%s" data-value="%d"><title>%s</title></rect>`,
				s.class, x, y+17, wpx, esc(s.series), esc(r.key), s.v, esc(r.title))
			x += wpx
		}
		if cut {
			fmt.Fprintf(b, `<path class="brk" d="M%.1f %d l4 -18 M%.1f %d l4 -18"/>`, x-16, y+33, x-10, y+33)
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d">%s</text>`+"\n", x+6, y+28, esc(r.note))
	}
	b.WriteString("</svg>\n")
}

// barsCard is the common end of the bar charts: "No data yet" or the chart.
func barsCard(b *strings.Builder, aria string, series, classes []string, rows []bar, note func(bar) string) {
	if len(rows) == 0 {
		empty(b)
		return
	}
	hbars(b, aria, series, classes, foldBars(rows, note))
}

// installsChart: installs per target, split by scope (kinds summed).
func installsChart(b *strings.Builder, r *Report) {
	card(b, "installs", "Installs by target and scope", "Install events per agent target, all time; an install with several targets counts for each.")
	scopes := []string{string(schema.ScopeLocal), string(schema.ScopeGlobal)}
	byTarget := map[string]map[string]int64{}
	var targets []string
	for _, c := range r.InstallTargets {
		if byTarget[c.Target] == nil {
			byTarget[c.Target] = map[string]int64{}
			targets = append(targets, c.Target)
		}
		byTarget[c.Target][c.Scope] += c.Installs
		if !slices.Contains(scopes, c.Scope) {
			scopes = append(scopes, c.Scope)
		}
	}
	classes := make([]string, len(scopes))
	for i := range scopes {
		classes[i] = seriesClass(i)
	}
	note := func(br bar) string {
		var parts []string
		for _, s := range br.segs {
			if s.v > 0 {
				parts = append(parts, s.series+" "+grouped(s.v))
			}
		}
		return grouped(br.total()) + " (" + strings.Join(parts, ", ") + ")"
	}
	rows := make([]bar, 0, len(targets))
	for _, t := range targets {
		br := bar{key: t, parts: []string{t}}
		for i, s := range scopes {
			br.segs = append(br.segs, seg{s, classes[i], byTarget[t][s]})
		}
		br.note = note(br)
		br.title = t + ": " + br.note
		rows = append(rows, br)
	}
	slices.SortStableFunc(rows, func(x, y bar) int { return cmp.Or(cmp.Compare(y.total(), x.total()), cmp.Compare(x.key, y.key)) })
	barsCard(b, "Installs by target and scope", scopes, classes, rows, note)
	var trows [][]string
	for _, c := range r.Installs {
		trows = append(trows, []string{c.Target, c.Scope, c.Kind, itoa(c.Installs)})
	}
	table(b, []string{"target", "scope", "kind", "installs"}, []bool{false, false, false, true}, trows)
}

// usageChart: calls per tool or command and client, with the errors among
// them drawn at the start of the bar; the top rows, the rest as "other".
func usageChart(b *strings.Builder, r *Report) {
	card(b, "usage", "Usage by tool × client", "Calls summed from daily rollups, all time, with the share that ended in error.")
	note := func(br bar) string {
		var errs int64
		for _, s := range br.segs {
			if s.series == "errors" {
				errs = s.v
			}
		}
		rate := 0.0
		if t := br.total(); t > 0 {
			rate = float64(errs) / float64(t)
		}
		return grouped(br.total()) + " · " + pct(rate) + " errors"
	}
	rows := make([]bar, 0, len(r.Usage))
	var trows [][]string
	for _, u := range r.Usage {
		client := clientName(u.Client)
		br := bar{key: u.Name + " · " + client, parts: []string{u.Name, client},
			segs: []seg{{"errors", "err", u.ErrorCount}, {"ok", "s0", max(0, u.Count-u.ErrorCount)}}}
		br.note = note(br)
		br.title = u.Kind + " " + br.key + ": " + br.note
		rows = append(rows, br)
		trows = append(trows, []string{u.Kind, u.Name, client, itoa(u.Count), itoa(u.ErrorCount), pct(u.ErrorRate), itoa(u.Machines)})
	}
	barsCard(b, "Usage by tool and client", []string{"errors", "ok"}, []string{"err", "s0"}, rows, note)
	table(b, []string{"kind", "name", "client", "calls", "errors", "error rate", "machines"}, []bool{false, false, false, true, true, true, true}, trows)
}

// lineSeries is one line: its share at each x (what is drawn) and the
// figure behind it (data-value).
type lineSeries struct {
	name, class string
	share       []float64
	value       []int64
}

// lines draws shares (0–1) over the weeks, one line per series with its
// name at its end; end labels are moved apart so that none overlaps
// another, and every other line is dashed.
func lines(b *strings.Builder, aria string, weeks []int64, series []lineSeries, unit string) {
	var top float64
	nameW := 0
	for _, s := range series {
		for _, v := range s.share {
			top = max(top, v)
		}
		nameW = max(nameW, textWidth(s.name))
	}
	scale := float64(niceScale(int64(top*100+0.999))) / 100 // in shares, on a percent axis
	if scale <= 0 {
		scale = 0.04
	}
	const h, left, bottom, topPad = 244, 48, 40, 14
	right := nameW + 12
	plotH := h - bottom - topPad
	fmt.Fprintf(b, `<svg viewBox="0 0 %d %d" role="img" aria-label="%s">`+"\n", chartWidth, h, esc(aria))
	for i := 0; i <= 4; i++ {
		y := topPad + plotH - plotH*i/4
		fmt.Fprintf(b, `<line class="grid" x1="%d" x2="%d" y1="%d" y2="%d"/><text class="muted end" x="%d" y="%d">%s</text>`+"\n",
			left, chartWidth-right, y, y, left-6, y+4, strconv.FormatFloat(100*scale*float64(i)/4, 'f', -1, 64)+"%")
	}
	slot := float64(chartWidth-left-right) / float64(len(weeks))
	xOf := func(i int) float64 { return float64(left) + float64(i)*slot + slot/2 }
	yOf := func(v float64) float64 { return float64(topPad+plotH) - float64(plotH)*v/scale }
	step := max(1, int(float64(textWidth("Nov 23")+8)/slot+0.999))
	for i, wk := range weeks {
		if (len(weeks)-1-i)%step != 0 {
			continue
		}
		l := isoWeekLabel(wk)
		fmt.Fprintf(b, `<text class="mid muted" x="%.1f" y="%d">W%s</text><text class="mid muted" x="%.1f" y="%d">%s</text>`+"\n",
			xOf(i), h-bottom+14, l[len(l)-2:], xOf(i), h-bottom+31, dayTime(wk).Format("Jan 2"))
	}
	type endLabel struct {
		y     float64
		name  string
		class string
	}
	var ends []endLabel
	for si, s := range series {
		pts := make([]string, len(weeks))
		for i, v := range s.share {
			pts[i] = fmt.Sprintf("%.1f,%.1f", xOf(i), yOf(v))
		}
		dash := ""
		if si%2 == 1 {
			dash = " dash"
		}
		fmt.Fprintf(b, `<polyline class="line %s%s" points="%s"/>`+"\n", s.class, dash, strings.Join(pts, " "))
		for i, v := range s.share {
			l := isoWeekLabel(weeks[i])
			fmt.Fprintf(b, `<circle class="%s" cx="%.1f" cy="%.1f" r="3" data-series="%s" data-key="%s" data-value="%d"><title>%s, %s: %s (%s %s)</title></circle>`+"\n",
				s.class, xOf(i), yOf(v), esc(s.name), l, s.value[i], esc(s.name), l, pct(v), grouped(s.value[i]), unit)
		}
		ends = append(ends, endLabel{yOf(s.share[len(s.share)-1]) + 4, s.name, s.class})
	}
	// Move end labels apart: 14 units between baselines, kept inside.
	slices.SortStableFunc(ends, func(x, y endLabel) int { return cmp.Compare(x.y, y.y) })
	for i := range ends {
		if i > 0 && ends[i].y < ends[i-1].y+14 {
			ends[i].y = ends[i-1].y + 14
		}
	}
	for i := len(ends) - 1; i >= 0; i-- {
		limit := float64(h - bottom + 4)
		if i < len(ends)-1 {
			limit = ends[i+1].y - 14
		}
		ends[i].y = min(ends[i].y, limit)
	}
	for _, e := range ends {
		fmt.Fprintf(b, `<text class="%s" x="%d" y="%.1f">%s</text>`+"\n", e.class, chartWidth-right+6, max(12, e.y), esc(e.name))
	}
	fmt.Fprintf(b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>`+"\n</svg>\n", left, chartWidth-right, topPad+plotH, topPad+plotH)
}

// versionChart: one line per version, its share of each week's active
// machines.
func versionChart(b *strings.Builder, r *Report, weeks []int64) {
	card(b, "versions", "Version adoption", fmt.Sprintf("Share of each ISO week's active machines that ran each codegraph version, last %d weeks.", len(weeks)))
	inWindow := map[string]int{}
	for i, wk := range weeks {
		inWindow[isoWeekLabel(wk)] = i
	}
	byVersion := map[string]*lineSeries{}
	peak := map[string]float64{}
	var trows [][]string
	for _, v := range r.VersionAdoption {
		i, ok := inWindow[v.Week]
		if !ok {
			continue
		}
		ls := byVersion[v.Version]
		if ls == nil {
			ls = &lineSeries{name: v.Version, share: make([]float64, len(weeks)), value: make([]int64, len(weeks))}
			byVersion[v.Version] = ls
		}
		ls.share[i], ls.value[i] = v.Share, v.Machines
		peak[v.Version] = max(peak[v.Version], v.Share)
		trows = append(trows, []string{v.Week, v.Version, itoa(v.Machines), pct(v.Share)})
	}
	versions := slices.Collect(maps.Keys(byVersion))
	last := len(weeks) - 1
	slices.SortFunc(versions, func(x, y string) int {
		return cmp.Or(cmp.Compare(byVersion[y].share[last], byVersion[x].share[last]), cmp.Compare(peak[y], peak[x]), cmp.Compare(y, x))
	})
	header := []string{"week", "version", "machines", "share"}
	numeric := []bool{false, false, true, true}
	if len(versions) == 0 {
		empty(b)
		table(b, header, numeric, trows)
		return
	}
	drawn := versions[:min(len(versions), maxVersions)]
	series := make([]lineSeries, len(drawn))
	for i, v := range drawn {
		series[i] = *byVersion[v]
		series[i].class = seriesClass(i)
	}
	lines(b, "Version adoption by week", weeks, series, "machines")
	if len(versions) > len(drawn) {
		fmt.Fprintf(b, "<p class=\"what\">%d more versions in the table below.</p>\n", len(versions)-len(drawn))
	}
	table(b, header, numeric, trows)
}

// versionSpeedChart: per version, the days from its first sighting to the
// first day it ran on half the day's active machines.
func versionSpeedChart(b *strings.Builder, r *Report) {
	card(b, "version-speed", "Version adoption speed",
		"Days from a version's first day to the first day it ran on at least half of that day's active machines; newest versions last.")
	var rows []bar
	var trows [][]string
	for _, v := range r.VersionSpeed {
		note, days := "not yet on half", "-"
		var n int64
		if v.DaysToHalf != nil {
			n = *v.DaysToHalf
			note, days = grouped(n)+" days", itoa(n)
		}
		rows = append(rows, bar{key: v.Version, parts: []string{v.Version}, segs: []seg{{"days", "s3", n}}, note: note,
			title: v.Version + ", first seen " + v.FirstSeen + ": " + note})
		trows = append(trows, []string{v.Version, v.FirstSeen, orDash(v.HalfOn), days, itoa(v.Machines)})
	}
	if len(rows) > maxBars {
		rows = rows[len(rows)-maxBars:] // the newest; the table has them all
	}
	if len(rows) == 0 {
		empty(b)
	} else {
		hbars(b, "Days to half adoption per version", []string{"days"}, []string{"s3"}, rows)
	}
	table(b, []string{"version", "first seen", "half on", "days", "machines"}, []bool{false, false, false, true, true}, trows)
}

// machineBars is a bar chart of distinct machines per name.
func machineBars(b *strings.Builder, aria, class string, names []string, machines []int64) {
	note := func(br bar) string { return grouped(br.total()) + " machines" }
	rows := make([]bar, len(names))
	for i, n := range names {
		rows[i] = bar{key: n, parts: []string{n}, segs: []seg{{"machines", class, machines[i]}}}
		rows[i].note = note(rows[i])
		rows[i].title = n + ": " + rows[i].note
	}
	barsCard(b, aria, []string{"machines"}, []string{class}, rows, note)
}

// platformsChart: distinct machines per OS and architecture.
func platformsChart(b *strings.Builder, r *Report) {
	card(b, "platforms", "OS and architecture", "Distinct machines per OS and CPU architecture, all time.")
	var names []string
	var n []int64
	var trows [][]string
	for _, p := range r.Platforms {
		names = append(names, p.OS+"/"+p.Arch)
		n = append(n, p.Machines)
		trows = append(trows, []string{p.OS, p.Arch, itoa(p.Machines)})
	}
	machineBars(b, "OS and architecture", "s6", names, n)
	table(b, []string{"os", "arch", "machines"}, []bool{false, false, true}, trows)
}

// runtimesChart: distinct machines per runtime.
func runtimesChart(b *strings.Builder, r *Report) {
	card(b, "runtimes", "Runtime", "Distinct machines per runtime: the Go client's go_version, a Node client's node_major; all time.")
	var names []string
	var n []int64
	var trows [][]string
	for _, x := range r.Runtimes {
		names = append(names, x.Runtime)
		n = append(n, x.Machines)
		trows = append(trows, []string{x.Runtime, itoa(x.Machines)})
	}
	machineBars(b, "Runtime", "s2", names, n)
	table(b, []string{"runtime", "machines"}, []bool{false, true}, trows)
}

// backendsChart: distinct machines per SQLite backend.
func backendsChart(b *strings.Builder, r *Report) {
	card(b, "backends", "SQLite backend", "Distinct machines per SQLite backend named by their install and index events (Node clients; the Go client sends none), all time.")
	var names []string
	var n []int64
	var trows [][]string
	for _, x := range r.Backends {
		names = append(names, x.Backend)
		n = append(n, x.Machines)
		trows = append(trows, []string{x.Backend, itoa(x.Events), itoa(x.Machines)})
	}
	machineBars(b, "SQLite backend", "s3", names, n)
	table(b, []string{"backend", "events", "machines"}, []bool{false, true, true}, trows)
}

// languagesChart: index events per language.
func languagesChart(b *strings.Builder, r *Report) {
	card(b, "languages", "Languages indexed", "Index events that included each language, all time.")
	note := func(br bar) string { return grouped(br.total()) }
	rows := make([]bar, 0, len(r.Languages))
	var trows [][]string
	for _, l := range r.Languages {
		br := bar{key: l.Language, parts: []string{l.Language}, segs: []seg{{"indexes", "s2", l.Indexes}}}
		br.note = note(br)
		br.title = l.Language + ": " + br.note + " indexes"
		rows = append(rows, br)
		trows = append(trows, []string{l.Language, itoa(l.Indexes), itoa(l.Machines)})
	}
	barsCard(b, "Languages indexed", []string{"indexes"}, []string{"s2"}, rows, note)
	table(b, []string{"language", "indexes", "machines"}, []bool{false, true, true}, trows)
}

// bucketChart: index events per bucket, in the buckets' order.
func bucketChart(b *strings.Builder, id, title, what, column string, buckets []BucketCount) {
	card(b, id, title, what)
	note := func(br bar) string { return grouped(br.total()) }
	var rows []bar
	var trows [][]string
	for _, x := range buckets {
		br := bar{key: x.Bucket, parts: []string{x.Bucket}, segs: []seg{{"indexes", "s0", x.Indexes}}}
		br.note = note(br)
		br.title = x.Bucket + ": " + br.note + " indexes"
		rows = append(rows, br)
		trows = append(trows, []string{x.Bucket, itoa(x.Indexes), itoa(x.Machines)})
	}
	barsCard(b, title, []string{"indexes"}, []string{"s0"}, rows, note)
	table(b, []string{column, "indexes", "machines"}, []bool{false, true, true}, trows)
}
