package ingest

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// The dashboard is one self-contained HTML page: the charts are SVG drawn
// here, on the server, from a Report, so the page runs no script, fetches
// nothing and works from a file opened offline. Its one stylesheet is
// inline and allowed by hash in the Content-Security-Policy, which forbids
// everything else. Every figure it draws is also a data-value attribute and
// a row of the table under its chart, the same numbers as `report --json`.

// DashboardWeeks is how many ISO weeks the weekly charts show, ending with
// the current one.
const DashboardWeeks = 12

const (
	maxBars     = 20 // rows of a horizontal bar chart
	maxVersions = 6  // lines of the version chart
	chartWidth  = 600
	labelWidth  = 210 // left column of horizontal bar charts
	rowHeight   = 22
)

const dashboardCSS = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --card: #ffffff; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 20px; }
header h1 { font-size: 22px; margin: 24px 0 4px; }
header p, footer p { color: var(--muted); margin: 0 0 16px; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 16px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 0; }
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
.s0 { fill: #0072b2; stroke: #0072b2; } .s1 { fill: #e69f00; stroke: #e69f00; } .s2 { fill: #009e73; stroke: #009e73; }
.s3 { fill: #cc79a7; stroke: #cc79a7; } .s4 { fill: #56b4e9; stroke: #56b4e9; } .s5 { fill: #d55e00; stroke: #d55e00; }
.err { fill: #d55e00; stroke: none; }
rect.s0, rect.s1, rect.s2, rect.s3, rect.s4, rect.s5 { stroke: none; }
.line.s0, .line.s1, .line.s2, .line.s3, .line.s4, .line.s5 { fill: none; }
.empty { color: var(--muted); padding: 24px 0; }
details { margin-top: 6px; }
summary { cursor: pointer; color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; margin-top: 6px; font-size: 13px; }
th, td { text-align: left; padding: 2px 10px 2px 0; border-bottom: 1px solid #eef1f4; }
td.n, th.n { text-align: right; }
`

// dashboardCSP is the page's Content-Security-Policy: nothing but the inline
// stylesheet above, identified by its hash. (frame-ancestors cannot be set
// from a meta element; the served page also sends it as a header.)
var dashboardCSP = func() string {
	sum := sha256.Sum256([]byte(dashboardCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src 'none'; base-uri 'none'; form-action 'none'"
}()

// WriteDashboard writes the dashboard page for r, as of now (which ends the
// weekly charts' window).
func WriteDashboard(w io.Writer, r *Report, now time.Time) error {
	var b strings.Builder
	now = now.UTC()
	b.WriteString(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="` + dashboardCSP + `">
<title>codegraph telemetry</title>
<style>` + dashboardCSS + `</style>
</head>
<body>
<header>
<h1>codegraph telemetry</h1>
<p>Anonymous usage counters, read from the ingest's rollups on ` + now.Format("2006-01-02 15:04") + ` UTC. The same figures: <code>codegraph-ingest report --json</code>.</p>
</header>
<main>
`)
	weeks := lastWeeks(now, DashboardWeeks)
	weeklyActiveChart(&b, r, weeks)
	installsChart(&b, r)
	usageChart(&b, r)
	versionChart(&b, r, weeks)
	languagesChart(&b, r)
	platformsChart(&b, r)
	b.WriteString(`</main>
<footer><p>Machines are counted by their random machine ID; nothing here identifies a person or a project. Field by field: <a href="` + schema.DocsURL + `">TELEMETRY.md</a>.</p></footer>
</body>
</html>
`)
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("write dashboard: %w", err)
	}
	return nil
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

// card opens a chart's section; the caller closes it with endCard.
func card(b *strings.Builder, id, title, what string) {
	fmt.Fprintf(b, "<section id=\"%s\" data-chart=\"%s\">\n<h2>%s</h2>\n<p class=\"what\">%s</p>\n", id, id, esc(title), esc(what))
}

func empty(b *strings.Builder) { b.WriteString("<p class=\"empty\">No data yet.</p>\n") }

// table writes the numbers of a chart as a collapsed table; numeric[i]
// right-aligns column i.
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

// legend draws one swatch and name per series; classes[i] colours names[i]
// (the series classes s0, s1, … when nil).
func legend(b *strings.Builder, x, y int, names, classes []string) {
	for i, n := range names {
		class := fmt.Sprintf("s%d", i%6)
		if classes != nil {
			class = classes[i]
		}
		fmt.Fprintf(b, `<rect class="%s" x="%d" y="%d" width="10" height="10"/><text x="%d" y="%d">%s</text>`+"\n",
			class, x, y-9, x+14, y, esc(n))
		x += 26 + 7*len(n)
	}
}

// weeklyActiveChart: grouped bars, prod and CI machines per week.
func weeklyActiveChart(b *strings.Builder, r *Report, weeks []int64) {
	card(b, "weekly-active", "Weekly active machines",
		fmt.Sprintf("Distinct machines per ISO week, last %d weeks; a machine seen both with and without CI counts in both.", len(weeks)))
	byWeek := map[string]WeeklyActive{}
	for _, w := range r.WeeklyActive {
		byWeek[w.Week] = w
	}
	var top int64
	rows := make([][]string, 0, len(weeks))
	for _, wk := range weeks {
		w := byWeek[isoWeekLabel(wk)]
		top = max(top, w.Prod, w.CI)
		rows = append(rows, []string{isoWeekLabel(wk), dayTime(wk).Format(time.DateOnly), itoa(w.Machines), itoa(w.Prod), itoa(w.CI), itoa(w.New)})
	}
	const h, left, bottom, topPad = 240, 44, 36, 28
	scale := niceScale(top)
	plotH := h - bottom - topPad
	fmt.Fprintf(b, `<svg viewBox="0 0 %d %d" role="img" aria-label="Weekly active machines, prod and CI">`+"\n", chartWidth, h)
	legend(b, left, 14, []string{"prod", "CI"}, nil)
	for i := 0; i <= 4; i++ {
		y := topPad + plotH - plotH*i/4
		fmt.Fprintf(b, `<line class="grid" x1="%d" x2="%d" y1="%d" y2="%d"/><text class="muted end" x="%d" y="%d">%s</text>`+"\n",
			left, chartWidth-4, y, y, left-6, y+4, grouped(scale*int64(i)/4))
	}
	slot := (chartWidth - left - 4) / len(weeks)
	barW := max(4, slot*3/8)
	for i, wk := range weeks {
		label := isoWeekLabel(wk)
		w := byWeek[label]
		x0 := left + i*slot + (slot-2*barW)/2
		for j, s := range []struct {
			name string
			v    int64
		}{{"prod", w.Prod}, {"ci", w.CI}} {
			bh := int(int64(plotH) * s.v / scale)
			x, y := x0+j*barW, topPad+plotH-bh
			fmt.Fprintf(b, `<rect class="s%d" x="%d" y="%d" width="%d" height="%d" data-series="%s" data-key="%s" data-value="%d"><title>%s %s: %s machines</title></rect>`,
				j, x, y, barW-1, bh, s.name, label, s.v, label, s.name, grouped(s.v))
			if s.v > 0 {
				fmt.Fprintf(b, `<text class="mid" x="%d" y="%d">%s</text>`, x+barW/2, y-3, grouped(s.v))
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(b, `<text class="mid muted" x="%d" y="%d">W%s</text><text class="mid muted" x="%d" y="%d">%s</text>`+"\n",
			left+i*slot+slot/2, h-bottom+14, label[len(label)-2:], left+i*slot+slot/2, h-bottom+27, dayTime(wk).Format("Jan 2"))
	}
	fmt.Fprintf(b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>`+"\n</svg>\n", left, chartWidth-4, topPad+plotH, topPad+plotH)
	table(b, []string{"week", "from", "machines", "prod", "CI", "new"}, []bool{false, false, true, true, true, true}, rows)
}

// bar is one row of a horizontal bar chart: segments drawn end to end, a
// label on the left, a note at the end.
type bar struct {
	key   string
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

// hbars draws up to maxBars rows, the longest bar spanning the width, with a
// legend when there is more than one series (named as the segments are, in
// their order).
func hbars(b *strings.Builder, aria string, series []string, rows []bar) {
	shown := rows[:min(len(rows), maxBars)]
	var top int64
	for _, r := range shown {
		top = max(top, r.total())
	}
	legendH := 0
	if len(series) > 1 {
		legendH = 20
	}
	h := legendH + len(shown)*rowHeight + 6
	fmt.Fprintf(b, `<svg viewBox="0 0 %d %d" role="img" aria-label="%s">`+"\n", chartWidth, h, esc(aria))
	if len(series) > 1 {
		classes := make([]string, len(series))
		for i, name := range series {
			for _, sg := range rows[0].segs {
				if sg.series == name {
					classes[i] = sg.class
				}
			}
		}
		legend(b, labelWidth, 14, series, classes)
	}
	span := chartWidth - labelWidth - 150
	for i, r := range shown {
		y := legendH + i*rowHeight
		label := r.key
		if runes := []rune(label); len(runes) > 30 {
			label = string(runes[:28]) + "…"
		}
		fmt.Fprintf(b, `<text class="end" x="%d" y="%d">%s<title>%s</title></text>`, labelWidth-8, y+15, esc(label), esc(r.key))
		x := labelWidth
		for _, s := range r.segs {
			wpx := int(int64(span) * s.v / max(top, 1))
			fmt.Fprintf(b, `<rect class="%s" x="%d" y="%d" width="%d" height="%d" data-series="%s" data-key="%s" data-value="%d"><title>%s</title></rect>`,
				s.class, x, y+3, wpx, rowHeight-6, esc(s.series), esc(r.key), s.v, esc(r.title))
			x += wpx
		}
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n", x+6, y+15, esc(r.note))
	}
	b.WriteString("</svg>\n")
	if len(rows) > len(shown) {
		fmt.Fprintf(b, "<p class=\"what\">%d more rows in the table below.</p>\n", len(rows)-len(shown))
	}
}

// installsChart: installs per target, split by scope (kinds summed).
func installsChart(b *strings.Builder, r *Report) {
	card(b, "installs", "Installs by target and scope", "Install events per agent target, all time; an install with several targets counts for each.")
	scopes := []string{string(schema.ScopeLocal), string(schema.ScopeGlobal)}
	byTarget := map[string]map[string]int64{}
	var targets []string
	for _, c := range r.Installs {
		if byTarget[c.Target] == nil {
			byTarget[c.Target] = map[string]int64{}
			targets = append(targets, c.Target)
		}
		byTarget[c.Target][c.Scope] += c.Installs
		if !slices.Contains(scopes, c.Scope) {
			scopes = append(scopes, c.Scope)
		}
	}
	rows := make([]bar, 0, len(targets))
	for _, t := range targets {
		br := bar{key: t}
		var parts []string
		for i, s := range scopes {
			v := byTarget[t][s]
			br.segs = append(br.segs, seg{s, fmt.Sprintf("s%d", i%6), v})
			if v > 0 {
				parts = append(parts, s+" "+grouped(v))
			}
		}
		br.note = grouped(br.total()) + " (" + strings.Join(parts, ", ") + ")"
		br.title = t + ": " + br.note
		rows = append(rows, br)
	}
	slices.SortStableFunc(rows, func(x, y bar) int { return cmp.Or(cmp.Compare(y.total(), x.total()), cmp.Compare(x.key, y.key)) })
	if len(rows) == 0 {
		empty(b)
	} else {
		hbars(b, "Installs by target and scope", scopes, rows)
	}
	var trows [][]string
	for _, c := range r.Installs {
		trows = append(trows, []string{c.Target, c.Scope, c.Kind, itoa(c.Installs)})
	}
	table(b, []string{"target", "scope", "kind", "installs"}, []bool{false, false, false, true}, trows)
}

// usageChart: calls per tool or command and client, with the errors among
// them drawn over the start of the bar.
func usageChart(b *strings.Builder, r *Report) {
	card(b, "usage", "Usage by tool × client", "Calls summed from daily rollups, all time, with the share that ended in error.")
	rows := make([]bar, 0, len(r.Usage))
	var trows [][]string
	for _, u := range r.Usage {
		client := u.Client
		if client == "" {
			client = "-"
		}
		key := u.Name + " · " + client
		note := grouped(u.Count) + " · " + pct(u.ErrorRate) + " errors"
		rows = append(rows, bar{key: key, note: note, title: u.Kind + " " + key + ": " + note,
			segs: []seg{{"errors", "err", u.ErrorCount}, {"ok", "s0", max(0, u.Count-u.ErrorCount)}}})
		trows = append(trows, []string{u.Kind, u.Name, client, itoa(u.Count), itoa(u.ErrorCount), pct(u.ErrorRate)})
	}
	if len(rows) == 0 {
		empty(b)
	} else {
		hbars(b, "Usage by tool and client", []string{"errors", "ok"}, rows)
	}
	table(b, []string{"kind", "name", "client", "calls", "errors", "error rate"}, []bool{false, false, false, true, true, true}, trows)
}

// versionChart: one line per version, distinct machines per week.
func versionChart(b *strings.Builder, r *Report, weeks []int64) {
	card(b, "versions", "Version adoption", fmt.Sprintf("Distinct machines per codegraph version and ISO week, last %d weeks.", len(weeks)))
	labels := make([]string, len(weeks))
	inWindow := map[string]int{}
	for i, wk := range weeks {
		labels[i] = isoWeekLabel(wk)
		inWindow[labels[i]] = i
	}
	series := map[string][]int64{}
	peak := map[string]int64{}
	var trows [][]string
	for _, v := range r.VersionAdoption {
		i, ok := inWindow[v.Week]
		if !ok {
			continue
		}
		if series[v.Version] == nil {
			series[v.Version] = make([]int64, len(weeks))
		}
		series[v.Version][i] = v.Machines
		peak[v.Version] = max(peak[v.Version], v.Machines)
		trows = append(trows, []string{v.Week, v.Version, itoa(v.Machines)})
	}
	versions := make([]string, 0, len(series))
	for v := range series {
		versions = append(versions, v)
	}
	slices.SortFunc(versions, func(x, y string) int {
		last := len(weeks) - 1
		return cmp.Or(cmp.Compare(series[y][last], series[x][last]), cmp.Compare(peak[y], peak[x]), cmp.Compare(y, x))
	})
	if len(versions) == 0 {
		empty(b)
		table(b, []string{"week", "version", "machines"}, []bool{false, false, true}, trows)
		return
	}
	drawn := versions[:min(len(versions), maxVersions)]
	var top int64
	for _, v := range drawn {
		top = max(top, peak[v])
	}
	scale := niceScale(top)
	const h, left, bottom, topPad = 240, 44, 36, 28
	plotH := h - bottom - topPad
	fmt.Fprintf(b, `<svg viewBox="0 0 %d %d" role="img" aria-label="Version adoption by week">`+"\n", chartWidth, h)
	legend(b, left, 14, drawn, nil)
	for i := 0; i <= 4; i++ {
		y := topPad + plotH - plotH*i/4
		fmt.Fprintf(b, `<line class="grid" x1="%d" x2="%d" y1="%d" y2="%d"/><text class="muted end" x="%d" y="%d">%s</text>`+"\n",
			left, chartWidth-4, y, y, left-6, y+4, grouped(scale*int64(i)/4))
	}
	slot := (chartWidth - left - 4) / len(weeks)
	xOf := func(i int) int { return left + i*slot + slot/2 }
	yOf := func(v int64) int { return topPad + plotH - int(int64(plotH)*v/scale) }
	for i, wk := range weeks {
		l := labels[i]
		fmt.Fprintf(b, `<text class="mid muted" x="%d" y="%d">W%s</text><text class="mid muted" x="%d" y="%d">%s</text>`+"\n",
			xOf(i), h-bottom+14, l[len(l)-2:], xOf(i), h-bottom+27, dayTime(wk).Format("Jan 2"))
	}
	for si, v := range drawn {
		pts := make([]string, len(weeks))
		for i, n := range series[v] {
			pts[i] = fmt.Sprintf("%d,%d", xOf(i), yOf(n))
		}
		fmt.Fprintf(b, `<polyline class="line s%d" points="%s"/>`+"\n", si, strings.Join(pts, " "))
		for i, n := range series[v] {
			fmt.Fprintf(b, `<circle class="s%d" cx="%d" cy="%d" r="3" data-series="%s" data-key="%s" data-value="%d"><title>%s, %s: %s machines</title></circle>`+"\n",
				si, xOf(i), yOf(n), esc(v), labels[i], n, esc(v), labels[i], grouped(n))
		}
	}
	fmt.Fprintf(b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>`+"\n</svg>\n", left, chartWidth-4, topPad+plotH, topPad+plotH)
	if len(versions) > len(drawn) {
		fmt.Fprintf(b, "<p class=\"what\">%d more versions in the table below.</p>\n", len(versions)-len(drawn))
	}
	table(b, []string{"week", "version", "machines"}, []bool{false, false, true}, trows)
}

// languagesChart: index events per language.
func languagesChart(b *strings.Builder, r *Report) {
	card(b, "languages", "Languages indexed", "Index events that included each language, all time.")
	rows := make([]bar, 0, len(r.Languages))
	var trows [][]string
	for _, l := range r.Languages {
		note := grouped(l.Indexes)
		rows = append(rows, bar{key: l.Language, note: note, title: l.Language + ": " + note + " indexes", segs: []seg{{"indexes", "s2", l.Indexes}}})
		trows = append(trows, []string{l.Language, itoa(l.Indexes)})
	}
	if len(rows) == 0 {
		empty(b)
	} else {
		hbars(b, "Languages indexed", []string{"indexes"}, rows)
	}
	table(b, []string{"language", "indexes"}, []bool{false, true}, trows)
}

// platformsChart: distinct machines per OS and architecture.
func platformsChart(b *strings.Builder, r *Report) {
	card(b, "platforms", "OS and architecture", "Distinct machines per OS and CPU architecture, all time.")
	rows := make([]bar, 0, len(r.Platforms))
	var trows [][]string
	for _, p := range r.Platforms {
		key := p.OS + "/" + p.Arch
		note := grouped(p.Machines)
		rows = append(rows, bar{key: key, note: note, title: key + ": " + note + " machines", segs: []seg{{"machines", "s4", p.Machines}}})
		trows = append(trows, []string{p.OS, p.Arch, itoa(p.Machines)})
	}
	if len(rows) == 0 {
		empty(b)
	} else {
		hbars(b, "OS and architecture", []string{"machines"}, rows)
	}
	table(b, []string{"os", "arch", "machines"}, []bool{false, false, true}, trows)
}
