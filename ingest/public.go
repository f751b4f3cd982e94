package ingest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Public figures: the same figures as Report, for publishing. Every cell
// that fewer than MinMachines distinct machines stand behind is folded,
// and nothing is per machine. Folding follows two rules, applied until
// nothing changes, so that no published figure lets one recompute a
// folded one:
//
//   - Within a group of cells whose total is published too (a week's prod
//     and CI machines under its machines), one folded cell could be
//     recomputed from the total and the others: a second cell is folded,
//     the one fewest machines stand behind, or, when no other is left,
//     the total.
//   - Folded cells of a group are summed into one "other" row, where the
//     figures add up; with one folded cell that row would be the cell
//     itself, so a second is folded, or, when no other is left, the other
//     row is not published.
//
// A table's key space (the weeks, the install kinds) is public knowledge,
// which is why one folded cell is never left alone even without a total.

// DefaultMinMachines is the K of `report --public` and GET /public: the
// fewest distinct machines a published figure stands behind.
const DefaultMinMachines = 10

// PublicPath serves the public figures (serve --public), without a token.
const PublicPath = "/public"

// OtherKey names the row that holds a table's (or a group's) folded cells.
const OtherKey = "other"

// PublicReport is what `report --public --json` prints.
type PublicReport struct {
	MinMachines int           `json:"min_machines"`
	Date        string        `json:"date"`
	Note        string        `json:"note"`
	Tables      []PublicTable `json:"tables"`
}

// PublicTable is one chart's figures: rows of key columns and measures.
// Folded counts the cells folded; a row whose last key is OtherKey sums
// the folded cells of its group (the rows sharing its other keys).
type PublicTable struct {
	ID       string      `json:"id"`
	Title    string      `json:"title"`
	Keys     []string    `json:"keys"`
	Measures []string    `json:"measures"`
	Rows     []PublicRow `json:"rows"`
	Folded   int         `json:"folded"`
}

// PublicRow is one published cell.
type PublicRow struct {
	Keys   []string `json:"keys"`
	Values []int64  `json:"values"`
}

// pcell is a cell before folding.
type pcell struct {
	keys     []string
	values   []int64
	machines int64
	group    string   // the cells of a group share it ("" for the whole table)
	totalOf  []string // the groups this cell is the published total of
	folded   bool
}

type ptable struct {
	id, title      string
	keys, measures []string
	additive       bool // folded cells of a group sum to a meaningful other row
	cells          []pcell
}

func (t *ptable) add(c pcell) { t.cells = append(t.cells, c) }

// fold applies the rules of the package comment with threshold k.
func (t *ptable) fold(k int64) {
	for i := range t.cells {
		t.cells[i].folded = t.cells[i].machines < k
	}
	totals := map[string]int{} // group → index of its total
	for i, c := range t.cells {
		for _, g := range c.totalOf {
			totals[g] = i
		}
	}
	groups := map[string][]int{} // group → its parts
	var order []string
	for i, c := range t.cells {
		if len(c.totalOf) > 0 {
			continue
		}
		if _, ok := groups[c.group]; !ok {
			order = append(order, c.group)
		}
		groups[c.group] = append(groups[c.group], i)
	}
	for changed := true; changed; {
		changed = false
		for _, g := range order {
			parts := groups[g]
			folded, open := 0, []int{}
			for _, i := range parts {
				if t.cells[i].folded {
					folded++
				} else {
					open = append(open, i)
				}
			}
			ti, hasTotal := totals[g]
			exposed := folded == 1 && ((hasTotal && !t.cells[ti].folded) || t.additive)
			if !exposed {
				continue
			}
			if len(open) > 0 {
				slices.SortStableFunc(open, func(a, b int) int {
					return cmp.Or(cmp.Compare(t.cells[a].machines, t.cells[b].machines), cmp.Compare(t.cells[a].values[0], t.cells[b].values[0]))
				})
				t.cells[open[0]].folded = true
				changed = true
			} else if hasTotal && !t.cells[ti].folded {
				t.cells[ti].folded = true
				changed = true
			}
			// Otherwise the group's one folded cell stays unpublished, and
			// (additive) no other row is written for it: see rows.
		}
	}
}

// rows is the published rows: the unfolded cells in their order, then per
// group with two or more folded cells an other row summing them.
func (t *ptable) rows() (rows []PublicRow, folded int) {
	rows = []PublicRow{}
	other := map[string][]int64{}
	count := map[string]int{}
	var order []string
	for _, c := range t.cells {
		if !c.folded {
			rows = append(rows, PublicRow{Keys: c.keys, Values: c.values})
			continue
		}
		folded++
		if !t.additive || len(c.totalOf) > 0 {
			continue
		}
		if other[c.group] == nil {
			other[c.group] = make([]int64, len(c.values))
			order = append(order, c.group)
		}
		for i, v := range c.values {
			other[c.group][i] += v
		}
		count[c.group]++
	}
	for _, g := range order {
		if count[g] < 2 {
			continue
		}
		keys := []string{OtherKey}
		if g != "" {
			keys = append(strings.Split(g, cellSep), OtherKey)
		}
		for len(keys) < len(t.keys) {
			keys = append([]string{""}, keys...)
		}
		rows = append(rows, PublicRow{Keys: keys, Values: other[g]})
	}
	return rows, folded
}

// Public folds r into public figures: k is the fewest distinct machines a
// published figure stands behind (DefaultMinMachines when below 1), now
// the date the figures were read on.
func Public(r *Report, k int, now time.Time) *PublicReport {
	if k < 1 {
		k = DefaultMinMachines
	}
	out := &PublicReport{
		MinMachines: k,
		Date:        now.UTC().Format(time.DateOnly),
		Note: fmt.Sprintf("Every figure that fewer than %d distinct machines stand behind is folded into %q (or left out where "+
			"it could be worked out from what is published); no figure is per machine. Where an other row counts machines, "+
			"a machine in two of its cells counts twice.", k, OtherKey),
	}
	for _, t := range publicTables(r, now) {
		t.fold(int64(k))
		rows, folded := t.rows()
		out.Tables = append(out.Tables, PublicTable{ID: t.id, Title: t.title, Keys: t.keys, Measures: t.measures, Rows: rows, Folded: folded})
	}
	return out
}

// publicTables lays the report out as cells, each with the machines
// behind it.
func publicTables(r *Report, now time.Time) []*ptable {
	var ts []*ptable
	daily := &ptable{id: "daily-active", title: "Daily active machines", keys: []string{"day"}, measures: []string{"machines"}}
	from := dayTime(dayOf(now) - DashboardDays + 1).Format(time.DateOnly)
	for _, d := range r.DailyActive {
		if d.Day >= from && d.Machines > 0 {
			daily.add(pcell{keys: []string{d.Day}, values: []int64{d.Machines}, machines: d.Machines})
		}
	}
	weekly := &ptable{id: "weekly-active", title: "Weekly active machines: prod and CI, new and returning",
		keys: []string{"week", "machines"}, measures: []string{"machines"}}
	for _, w := range r.WeeklyActive {
		ci, nr := w.Week+cellSep+"ci", w.Week+cellSep+"new"
		weekly.add(pcell{keys: []string{w.Week, "all"}, values: []int64{w.Machines}, machines: w.Machines, totalOf: []string{ci, nr}})
		for _, p := range []struct {
			name, group string
			v           int64
		}{{"prod", ci, w.Prod}, {"ci", ci, w.CI}, {"new", nr, w.New}, {"returning", nr, w.Returning}} {
			weekly.add(pcell{keys: []string{w.Week, p.name}, values: []int64{p.v}, machines: p.v, group: p.group})
		}
	}
	installsWeekly := &ptable{id: "installs-weekly", title: "Installs by kind and uninstalls per week",
		keys: []string{"week", "kind"}, measures: []string{"events"}, additive: true}
	for _, iw := range r.InstallsByWeek {
		installsWeekly.add(pcell{keys: []string{iw.Week, iw.Kind}, values: []int64{iw.Events}, machines: iw.Machines, group: iw.Week})
	}
	targets := &ptable{id: "installs", title: "Installs by target and scope", keys: []string{"target", "scope"}, measures: []string{"installs"}, additive: true}
	for _, x := range r.InstallTargets {
		targets.add(pcell{keys: []string{x.Target, x.Scope}, values: []int64{x.Installs}, machines: x.Machines})
	}
	usage := &ptable{id: "usage", title: "Usage by tool × client", keys: []string{"kind", "name", "client"}, measures: []string{"calls", "errors"}, additive: true}
	for _, u := range r.Usage {
		usage.add(pcell{keys: []string{u.Kind, u.Name, clientName(u.Client)}, values: []int64{u.Count, u.ErrorCount}, machines: u.Machines})
	}
	versions := &ptable{id: "versions", title: "Version adoption: machines per version and week", keys: []string{"week", "version"},
		measures: []string{"machines"}, additive: true}
	for _, w := range r.WeeklyActive {
		versions.add(pcell{keys: []string{w.Week, "(all versions)"}, values: []int64{w.Machines}, machines: w.Machines, totalOf: []string{w.Week}})
	}
	for _, v := range r.VersionAdoption {
		versions.add(pcell{keys: []string{v.Week, v.Version}, values: []int64{v.Machines}, machines: v.Machines, group: v.Week})
	}
	speed := &ptable{id: "version-speed", title: "Days to half adoption", keys: []string{"version", "first seen", "half on"}, measures: []string{"days"}}
	for _, v := range r.VersionSpeed {
		if v.DaysToHalf != nil {
			speed.add(pcell{keys: []string{v.Version, v.FirstSeen, v.HalfOn}, values: []int64{*v.DaysToHalf}, machines: v.Machines})
		}
	}
	machinesBy := func(id, title, key string, names []string, n []int64) *ptable {
		t := &ptable{id: id, title: title, keys: []string{key}, measures: []string{"machines"}, additive: true}
		for i := range names {
			t.add(pcell{keys: []string{names[i]}, values: []int64{n[i]}, machines: n[i]})
		}
		return t
	}
	var names []string
	var n []int64
	for _, p := range r.Platforms {
		names, n = append(names, p.OS+"/"+p.Arch), append(n, p.Machines)
	}
	platforms := machinesBy("platforms", "OS and architecture", "os/arch", names, n)
	names, n = nil, nil
	for _, x := range r.Runtimes {
		names, n = append(names, x.Runtime), append(n, x.Machines)
	}
	runtimes := machinesBy("runtimes", "Runtime", "runtime", names, n)
	names, n = nil, nil
	for _, x := range r.Backends {
		names, n = append(names, x.Backend), append(n, x.Machines)
	}
	backends := machinesBy("backends", "SQLite backend", "backend", names, n)
	languages := &ptable{id: "languages", title: "Languages indexed", keys: []string{"language"}, measures: []string{"indexes"}, additive: true}
	for _, l := range r.Languages {
		languages.add(pcell{keys: []string{l.Language}, values: []int64{l.Indexes}, machines: l.Machines})
	}
	buckets := func(id, title, key string, bs []BucketCount) *ptable {
		t := &ptable{id: id, title: title, keys: []string{key}, measures: []string{"indexes"}, additive: true}
		for _, x := range bs {
			t.add(pcell{keys: []string{x.Bucket}, values: []int64{x.Indexes}, machines: x.Machines})
		}
		return t
	}
	ts = append(ts, daily, weekly, installsWeekly, targets, usage, versions, speed, platforms, runtimes, backends, languages,
		buckets("file-counts", "Index size", "files", r.FileCounts), buckets("durations", "Index duration", "duration", r.Durations))
	return ts
}

// WriteJSON writes the public figures as one JSON object.
func (p *PublicReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("write public report: %w", err)
	}
	return nil
}

// WriteText writes the public figures as aligned tables.
func (p *PublicReport) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "codegraph telemetry, public figures of %s\n%s\n\n", p.Date, p.Note)
	for _, t := range p.Tables {
		fmt.Fprintf(&b, "%s\n", t.Title)
		header := append(append([]string{}, t.Keys...), t.Measures...)
		var rows [][]string
		for _, row := range t.Rows {
			cells := append([]string{}, row.Keys...)
			for _, v := range row.Values {
				cells = append(cells, itoa(v))
			}
			rows = append(rows, cells)
		}
		writeAligned(&b, header, rows)
		if t.Folded > 0 {
			fmt.Fprintf(&b, "(%d folded)\n", t.Folded)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeAligned writes header and rows in columns two spaces apart.
func writeAligned(b *strings.Builder, header []string, rows [][]string) {
	width := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	line := func(r []string) {
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
			} else {
				b.WriteString(c + strings.Repeat(" ", width[i]-len([]rune(c))+2))
			}
		}
		b.WriteString("\n")
	}
	line(upper(header))
	if len(rows) == 0 {
		b.WriteString("(no data)\n")
	}
	for _, r := range rows {
		line(r)
	}
}

func upper(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strings.ToUpper(x)
	}
	return out
}

// WritePublicDashboard writes the public page: a bar chart per table of
// breakdowns, and every table's rows, with the line saying K and the date.
func WritePublicDashboard(w io.Writer, p *PublicReport) error {
	var b strings.Builder
	pageHead(&b, "codegraph telemetry: public figures")
	b.WriteString("<header>\n<h1>codegraph telemetry: public figures</h1>\n")
	fmt.Fprintf(&b, "<p id=\"k\" data-min-machines=\"%d\">Figures of %s UTC. %s</p>\n", p.MinMachines, esc(p.Date), esc(p.Note))
	b.WriteString("</header>\n<main>\n")
	for _, t := range p.Tables {
		card(&b, t.ID, t.Title, fmt.Sprintf("%d cells folded.", t.Folded))
		if len(t.Rows) == 0 {
			empty(&b)
		} else if t.ID != "daily-active" && t.ID != "weekly-active" && t.ID != "versions" && t.ID != "installs-weekly" {
			rows := make([]bar, 0, len(t.Rows))
			for _, r := range t.Rows {
				key := strings.Join(slices.DeleteFunc(slices.Clone(r.Keys), func(s string) bool { return s == "" }), " · ")
				class := "s0"
				if r.Keys[len(r.Keys)-1] == OtherKey {
					class = otherClass
				}
				br := bar{key: key, parts: r.Keys, segs: []seg{{t.Measures[0], class, r.Values[0]}}, note: grouped(r.Values[0]) + " " + t.Measures[0]}
				br.parts = slices.DeleteFunc(slices.Clone(r.Keys), func(s string) bool { return s == "" })
				br.title = key + ": " + br.note
				rows = append(rows, br)
			}
			hbars(&b, t.Title, []string{t.Measures[0]}, []string{"s0"}, rows)
		}
		header := append(append([]string{}, t.Keys...), t.Measures...)
		numeric := make([]bool, len(header))
		for i := len(t.Keys); i < len(header); i++ {
			numeric[i] = true
		}
		var rows [][]string
		for _, r := range t.Rows {
			cells := append([]string{}, r.Keys...)
			for _, v := range r.Values {
				cells = append(cells, itoa(v))
			}
			rows = append(rows, cells)
		}
		table(&b, header, numeric, rows)
	}
	pageFoot(&b)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write public page: %w", err)
	}
	return nil
}
