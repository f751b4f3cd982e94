package ingest

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Report is what `codegraph-ingest report` prints and the dashboard draws
// (README.md, "Self-hosting the ingest"), read from the store's rollups,
// one part for each question of the telemetry design: daily and weekly
// active machines, new and returning, installs by kind and by target and
// scope with uninstalls, usage by tool and client with errors, version
// adoption and its speed, OS/arch, runtime, SQLite backend, languages,
// index size and duration, CI share. Rollups are deltas, so usage sums
// them. Reading rollups, never raw rows, keeps it fast on a year of data;
// only Events reads raw rows, those still within the retention window.
// Machines fields count the distinct machines behind a figure, which is
// what a public report folds by (Public).
type Report struct {
	// DailyActive is the distinct machines per UTC day.
	DailyActive  []DailyActive  `json:"daily_active_machines"`
	WeeklyActive []WeeklyActive `json:"weekly_active_machines"`
	// InstallsByWeek is install events per week and kind, and uninstall
	// events beside them (kind "uninstall").
	InstallsByWeek []InstallWeek  `json:"installs_by_week"`
	Installs       []InstallCount `json:"installs"`
	// InstallTargets is Installs by target and scope, kinds summed, with
	// the machines behind each.
	InstallTargets []InstallTarget `json:"install_targets"`
	Usage          []UsageCount    `json:"usage"`
	Versions       []VersionCount  `json:"versions"`
	// VersionAdoption is the distinct machines per version in each week,
	// and their share of that week's active machines.
	VersionAdoption []VersionWeek `json:"version_adoption"`
	// VersionSpeed is, per version, its first day and the first day it
	// ran on half of that day's active machines.
	VersionSpeed []VersionSpeed `json:"version_speed"`
	// Platforms is the distinct machines per OS and architecture, all time.
	Platforms []PlatformCount `json:"platforms"`
	// Runtimes is the distinct machines per runtime (go_version or
	// node_major), all time.
	Runtimes []RuntimeCount `json:"runtimes"`
	// Backends is the distinct machines per SQLite backend (Node clients
	// only), all time.
	Backends   []BackendCount `json:"sqlite_backends"`
	Languages  []LangCount    `json:"languages"`
	FileCounts []BucketCount  `json:"file_count_buckets"`
	Durations  []BucketCount  `json:"duration_buckets"`
	// Events is filled only when asked for (report --events).
	Events []StoredEvent `json:"events,omitempty"`
}

// DailyActive is the number of distinct machines seen on a UTC day, and
// how many with and without CI (a machine seen both ways counts in both).
// Machines is 0 for days stored before layout 3 and older than its
// backfill, which counted prod and CI only.
type DailyActive struct {
	Day      string `json:"day"`
	Machines int64  `json:"machines"`
	Prod     int64  `json:"prod"`
	CI       int64  `json:"ci"`
}

// InstallWeek counts the install events of one kind in an ISO week (each
// once, whatever its targets), or the uninstall events (kind "uninstall"),
// with the distinct machines behind them.
type InstallWeek struct {
	Week     string `json:"week"`
	Kind     string `json:"kind"`
	Events   int64  `json:"events"`
	Machines int64  `json:"machines"`
}

// InstallTarget counts install events by target and scope, all kinds.
type InstallTarget struct {
	Target   string `json:"target"`
	Scope    string `json:"scope"`
	Installs int64  `json:"installs"`
	Machines int64  `json:"machines"`
}

// VersionSpeed is how fast a version was adopted: the first UTC day a
// machine ran it, the first day at least half of that day's active
// machines ran it, and the days between (null while it has not).
type VersionSpeed struct {
	Version    string `json:"version"`
	FirstSeen  string `json:"first_seen"`
	HalfOn     string `json:"half_on,omitempty"`
	DaysToHalf *int64 `json:"days_to_half"`
	Machines   int64  `json:"machines"`
}

// RuntimeCount is the distinct machines per runtime: "go 1.26", "node 22"
// or "(unknown)".
type RuntimeCount struct {
	Runtime  string `json:"runtime"`
	Machines int64  `json:"machines"`
}

// BackendCount is the install and index events per SQLite backend and
// the distinct machines behind them.
type BackendCount struct {
	Backend  string `json:"backend"`
	Events   int64  `json:"events"`
	Machines int64  `json:"machines"`
}

// BucketCount is the index events per bucket (file count or duration) and
// the distinct machines behind them.
type BucketCount struct {
	Bucket   string `json:"bucket"`
	Indexes  int64  `json:"indexes"`
	Machines int64  `json:"machines"`
}

// NoClient names usage from a client that sent no clientInfo name (and
// every CLI command), in place of an empty name.
const NoClient = "(no client name)"

// WeeklyActive is the number of distinct machines seen in an ISO week (by
// event time), split by the envelope's ci flag (a machine seen both ways
// counts in both), and how many of them were first seen that week.
type WeeklyActive struct {
	Week     string `json:"week"`
	Start    string `json:"start"`
	Machines int64  `json:"machines"`
	Prod     int64  `json:"prod"`
	CI       int64  `json:"ci"`
	New      int64  `json:"new"`
	// Returning is Machines less New: machines first seen in an earlier week.
	Returning int64 `json:"returning"`
	// CIShare is CI over Prod + CI (0 when both are).
	CIShare float64 `json:"ci_share"`
}

// InstallCount counts install events by target, scope and kind. An install
// with several targets counts once per target; one with none under "(none)".
type InstallCount struct {
	Target   string `json:"target"`
	Scope    string `json:"scope"`
	Kind     string `json:"kind"`
	Installs int64  `json:"installs"`
}

// UsageCount sums usage_rollup deltas per tool or command and client.
type UsageCount struct {
	Kind       string  `json:"kind"`
	Name       string  `json:"name"`
	Client     string  `json:"client"`
	Count      int64   `json:"count"`
	ErrorCount int64   `json:"error_count"`
	ErrorRate  float64 `json:"error_rate"`
	Machines   int64   `json:"machines"`
}

// VersionCount is the number of distinct machines per codegraph version.
type VersionCount struct {
	Version  string `json:"version"`
	Machines int64  `json:"machines"`
}

// VersionWeek is the number of distinct machines that ran a version in an
// ISO week.
type VersionWeek struct {
	Week     string  `json:"week"`
	Version  string  `json:"version"`
	Machines int64   `json:"machines"`
	Share    float64 `json:"share"`
}

// PlatformCount is the number of distinct machines per OS and architecture
// ("(unknown)" when a client did not say).
type PlatformCount struct {
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	Machines int64  `json:"machines"`
}

// LangCount is the number of index events that included a language, and
// the distinct machines behind them.
type LangCount struct {
	Language string `json:"language"`
	Indexes  int64  `json:"indexes"`
	Machines int64  `json:"machines"`
}

// StoredEvent is one raw row, for audits and end-to-end tests.
type StoredEvent struct {
	MachineID string          `json:"machine_id"`
	Event     string          `json:"event"`
	TS        string          `json:"ts"`
	Props     json.RawMessage `json:"props"`
}

// BuildReport reads the dashboards from the rollups, and the raw rows when
// withEvents is set.
func BuildReport(ctx context.Context, db *sql.DB, withEvents bool) (*Report, error) {
	r := &Report{
		DailyActive: []DailyActive{}, WeeklyActive: []WeeklyActive{}, InstallsByWeek: []InstallWeek{},
		Installs: []InstallCount{}, InstallTargets: []InstallTarget{}, Usage: []UsageCount{},
		Versions: []VersionCount{}, VersionAdoption: []VersionWeek{}, VersionSpeed: []VersionSpeed{},
		Platforms: []PlatformCount{}, Runtimes: []RuntimeCount{}, Backends: []BackendCount{},
		Languages: []LangCount{}, FileCounts: []BucketCount{}, Durations: []BucketCount{},
	}
	weeks := map[int64]*WeeklyActive{}
	days := map[int64]*DailyActive{}
	dayVersions := map[string]map[int64]int64{} // version → day → machines
	// machines behind the figures of totals, by machine_counts dim and value
	cells := map[[2]string]int64{}
	installWeeks := map[[2]int64]*InstallWeek{} // week, kind index
	err := query(ctx, db, `SELECT dim, period, value, machines FROM machine_counts`,
		func(rows *sql.Rows) error {
			var dim, value string
			var period, n int64
			if err := rows.Scan(&dim, &period, &value, &n); err != nil {
				return err
			}
			switch dim {
			case dimWeek, dimNew:
				wk := weeks[period]
				if wk == nil {
					wk = &WeeklyActive{Week: isoWeekLabel(period), Start: dayTime(period).Format(time.DateOnly)}
					weeks[period] = wk
				}
				switch {
				case dim == dimNew:
					wk.New = n
				case value == valueProd:
					wk.Prod = n
				case value == valueCI:
					wk.CI = n
				default:
					wk.Machines = n
				}
			case dimDay:
				d := days[period]
				if d == nil {
					d = &DailyActive{Day: dayTime(period).Format(time.DateOnly)}
					days[period] = d
				}
				switch value {
				case valueProd:
					d.Prod = n
				case valueCI:
					d.CI = n
				default:
					d.Machines = n
				}
			case dimDayVersion:
				if dayVersions[value] == nil {
					dayVersions[value] = map[int64]int64{}
				}
				dayVersions[value][period] = n
			case dimWeekVersion:
				r.VersionAdoption = append(r.VersionAdoption, VersionWeek{Week: isoWeekLabel(period), Version: value, Machines: n})
			case dimVersion:
				r.Versions = append(r.Versions, VersionCount{Version: value, Machines: n})
			case dimPlatform:
				os, arch, _ := strings.Cut(value, "/")
				r.Platforms = append(r.Platforms, PlatformCount{OS: orUnknown(os), Arch: orUnknown(arch), Machines: n})
			case dimRuntime:
				r.Runtimes = append(r.Runtimes, RuntimeCount{Runtime: value, Machines: n})
			case dimInstallWeek:
				iw := installWeekRow(installWeeks, period, value)
				iw.Machines = n
			default:
				cells[[2]string{dim, value}] = n
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("machine counts: %w", err)
	}
	for _, p := range slices.Sorted(maps.Keys(weeks)) {
		wk := weeks[p]
		wk.Returning = max(0, wk.Machines-wk.New)
		if wk.Prod+wk.CI > 0 {
			wk.CIShare = float64(wk.CI) / float64(wk.Prod+wk.CI)
		}
		r.WeeklyActive = append(r.WeeklyActive, *wk)
	}
	for _, p := range slices.Sorted(maps.Keys(days)) {
		r.DailyActive = append(r.DailyActive, *days[p])
	}
	weekMachines := map[string]int64{}
	for _, wk := range r.WeeklyActive {
		weekMachines[wk.Week] = wk.Machines
	}
	for i, v := range r.VersionAdoption {
		if m := weekMachines[v.Week]; m > 0 {
			r.VersionAdoption[i].Share = float64(v.Machines) / float64(m)
		}
	}
	r.VersionSpeed = versionSpeed(dayVersions, days, r.Versions)
	// Installs and uninstalls by week: from the daily counts, a year's
	// worth of a few rows a day.
	err = query(ctx, db, `SELECT dim, day, a, n FROM day_counts WHERE dim = ? OR (dim = ? AND a = ?)`,
		func(rows *sql.Rows) error {
			var dim, a string
			var day, n int64
			if err := rows.Scan(&dim, &day, &a, &n); err != nil {
				return err
			}
			kind := a
			if dim == dimEvent {
				kind = uninstallKind
			}
			installWeekRow(installWeeks, weekOf(day), kind).Events += n
			return nil
		}, dimInstallKind, dimEvent, "uninstall")
	if err != nil {
		return nil, fmt.Errorf("installs by week: %w", err)
	}
	for _, iw := range installWeeks {
		r.InstallsByWeek = append(r.InstallsByWeek, *iw)
	}
	targets := map[[2]string]int64{}
	err = query(ctx, db, `SELECT dim, a, b, c, n, errors FROM totals WHERE dim IN (?, ?, ?, ?, ?, ?)`,
		func(rows *sql.Rows) error {
			var dim, a, b, c string
			var n, errs int64
			if err := rows.Scan(&dim, &a, &b, &c, &n, &errs); err != nil {
				return err
			}
			switch dim {
			case dimInstall:
				r.Installs = append(r.Installs, InstallCount{Target: a, Scope: b, Kind: c, Installs: n})
				targets[[2]string{a, b}] += n
			case dimUsage:
				u := UsageCount{Kind: a, Name: b, Client: c, Count: n, ErrorCount: errs,
					Machines: cells[[2]string{dimMUsage, a + cellSep + b + cellSep + c}]}
				if n > 0 {
					u.ErrorRate = float64(errs) / float64(n)
				}
				r.Usage = append(r.Usage, u)
			case dimLanguage:
				r.Languages = append(r.Languages, LangCount{Language: a, Indexes: n, Machines: cells[[2]string{dimMLanguage, a}]})
			case dimFiles:
				r.FileCounts = append(r.FileCounts, BucketCount{Bucket: a, Indexes: n, Machines: cells[[2]string{dimMFiles, a}]})
			case dimDuration:
				r.Durations = append(r.Durations, BucketCount{Bucket: a, Indexes: n, Machines: cells[[2]string{dimMDuration, a}]})
			case dimBackend:
				r.Backends = append(r.Backends, BackendCount{Backend: a, Events: n, Machines: cells[[2]string{dimMBackend, a}]})
			}
			return nil
		}, dimInstall, dimUsage, dimLanguage, dimFiles, dimDuration, dimBackend)
	if err != nil {
		return nil, fmt.Errorf("totals: %w", err)
	}
	for k, n := range targets {
		r.InstallTargets = append(r.InstallTargets, InstallTarget{Target: k[0], Scope: k[1], Installs: n,
			Machines: cells[[2]string{dimMInstall, k[0] + cellSep + k[1]}]})
	}
	sortReport(r)
	if withEvents {
		if r.Events, err = readEvents(ctx, db); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
	}
	return r, nil
}

// installKinds orders the kinds of InstallsByWeek: the schema's install
// kinds, then uninstalls.
var installKinds = append(schemaEnum(schema.EventInstall, "kind"), uninstallKind)

func installWeekRow(m map[[2]int64]*InstallWeek, week int64, kind string) *InstallWeek {
	i := slices.Index(installKinds, kind)
	if i < 0 {
		i = len(installKinds)
	}
	k := [2]int64{week, int64(i)}
	if m[k] == nil {
		m[k] = &InstallWeek{Week: isoWeekLabel(week), Kind: kind}
	}
	return m[k]
}

// versionSpeed finds, for each version seen on a day, its first day and
// the first day from then on when it ran on at least half of the day's
// active machines. Days without a count of all active machines (stored
// before layout 3) are passed over.
func versionSpeed(dayVersions map[string]map[int64]int64, days map[int64]*DailyActive, versions []VersionCount) []VersionSpeed {
	total := map[string]int64{}
	for _, v := range versions {
		total[v.Version] = v.Machines
	}
	out := []VersionSpeed{}
	for v, byDay := range dayVersions {
		order := slices.Sorted(maps.Keys(byDay))
		sp := VersionSpeed{Version: v, FirstSeen: dayTime(order[0]).Format(time.DateOnly), Machines: total[v]}
		for _, d := range order {
			all := days[d]
			if all == nil || all.Machines == 0 {
				continue
			}
			if 2*byDay[d] >= all.Machines {
				n := d - order[0]
				sp.HalfOn, sp.DaysToHalf = dayTime(d).Format(time.DateOnly), &n
				break
			}
		}
		out = append(out, sp)
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return unknownValue
	}
	return s
}

// sortReport orders every list the way the text report prints it: biggest
// first, ties by name; weeks in time order.
func sortReport(r *Report) {
	slices.SortFunc(r.Installs, func(x, y InstallCount) int {
		return cmp.Or(cmp.Compare(y.Installs, x.Installs), cmp.Compare(x.Target, y.Target), cmp.Compare(x.Scope, y.Scope), cmp.Compare(x.Kind, y.Kind))
	})
	slices.SortFunc(r.Usage, func(x, y UsageCount) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Name, y.Name), cmp.Compare(x.Client, y.Client))
	})
	slices.SortFunc(r.Versions, func(x, y VersionCount) int {
		return cmp.Or(cmp.Compare(y.Machines, x.Machines), cmp.Compare(x.Version, y.Version))
	})
	slices.SortFunc(r.Languages, func(x, y LangCount) int {
		return cmp.Or(cmp.Compare(y.Indexes, x.Indexes), cmp.Compare(x.Language, y.Language))
	})
	slices.SortFunc(r.VersionAdoption, func(x, y VersionWeek) int {
		return cmp.Or(cmp.Compare(x.Week, y.Week), cmp.Compare(y.Machines, x.Machines), cmp.Compare(x.Version, y.Version))
	})
	slices.SortFunc(r.Platforms, func(x, y PlatformCount) int {
		return cmp.Or(cmp.Compare(y.Machines, x.Machines), cmp.Compare(x.OS, y.OS), cmp.Compare(x.Arch, y.Arch))
	})
	slices.SortFunc(r.InstallsByWeek, func(x, y InstallWeek) int {
		return cmp.Or(cmp.Compare(x.Week, y.Week), cmp.Compare(kindOrder(x.Kind), kindOrder(y.Kind)), cmp.Compare(x.Kind, y.Kind))
	})
	slices.SortFunc(r.InstallTargets, func(x, y InstallTarget) int {
		return cmp.Or(cmp.Compare(y.Installs, x.Installs), cmp.Compare(x.Target, y.Target), cmp.Compare(x.Scope, y.Scope))
	})
	slices.SortFunc(r.VersionSpeed, func(x, y VersionSpeed) int {
		return cmp.Or(cmp.Compare(x.FirstSeen, y.FirstSeen), cmp.Compare(x.Version, y.Version))
	})
	slices.SortFunc(r.Runtimes, func(x, y RuntimeCount) int {
		return cmp.Or(cmp.Compare(y.Machines, x.Machines), cmp.Compare(x.Runtime, y.Runtime))
	})
	slices.SortFunc(r.Backends, func(x, y BackendCount) int {
		return cmp.Or(cmp.Compare(y.Machines, x.Machines), cmp.Compare(x.Backend, y.Backend))
	})
	bucketOrder := func(order []string) func(x, y BucketCount) int {
		return func(x, y BucketCount) int {
			return cmp.Or(cmp.Compare(indexOr(order, x.Bucket), indexOr(order, y.Bucket)), cmp.Compare(x.Bucket, y.Bucket))
		}
	}
	slices.SortFunc(r.FileCounts, bucketOrder(fileBuckets))
	slices.SortFunc(r.Durations, bucketOrder(durationBuckets))
}

// The buckets in their natural order, smallest first: the schema's.
var (
	fileBuckets     = schemaEnum(schema.EventIndex, "file_count_bucket")
	durationBuckets = schemaEnum(schema.EventIndex, "duration_bucket")
)

func schemaEnum(event, prop string) []string {
	for _, e := range schema.Events() {
		for _, f := range e.Props {
			if e.Name == event && f.Name == prop {
				return f.Enum
			}
		}
	}
	panic("schema has no " + event + "." + prop)
}

func indexOr(list []string, s string) int {
	if i := slices.Index(list, s); i >= 0 {
		return i
	}
	return len(list)
}

func kindOrder(k string) int { return indexOr(installKinds, k) }

// clientName is how reports name a usage row's client.
func clientName(c string) string {
	if c == "" {
		return NoClient
	}
	return c
}

// readEvents reads every raw row still kept, in arrival order.
func readEvents(ctx context.Context, db *sql.DB) ([]StoredEvent, error) {
	words := map[int64]string{}
	err := query(ctx, db, `SELECT id, word FROM words`, func(rows *sql.Rows) error {
		var id int64
		var w string
		err := rows.Scan(&id, &w)
		words[id] = w
		return err
	})
	if err != nil {
		return nil, err
	}
	out := []StoredEvent{}
	err = query(ctx, db, `SELECT r.ts, m.uuid, r.event, r.props FROM raw_events r JOIN machines m ON m.id = r.machine ORDER BY r.id`,
		func(rows *sql.Rows) error {
			var ts, event int64
			var machine, blob []byte
			if err := rows.Scan(&ts, &machine, &event, &blob); err != nil {
				return err
			}
			props, err := decodeProps(blob, words)
			if err != nil {
				return err
			}
			js, err := json.Marshal(props)
			if err != nil {
				return err
			}
			out = append(out, StoredEvent{
				MachineID: uuidString(machine), Event: words[event],
				TS: time.Unix(ts, 0).UTC().Format(time.RFC3339), Props: js,
			})
			return nil
		})
	return out, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func query(ctx context.Context, db *sql.DB, q string, scan func(*sql.Rows) error, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// WriteJSON writes the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// WriteText writes the report as aligned tables, one per dashboard.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	section := func(title string, header string, rows [][]string) {
		fmt.Fprintf(tw, "%s\n", title)
		fmt.Fprintf(tw, "%s\n", header)
		if len(rows) == 0 {
			fmt.Fprintf(tw, "(no data)\n")
		}
		for _, row := range rows {
			fmt.Fprintf(tw, "%s\n", strings.Join(row, "\t"))
		}
		fmt.Fprintf(tw, "\n")
	}
	var rows [][]string
	for _, x := range r.DailyActive {
		rows = append(rows, []string{x.Day, itoa(x.Machines), itoa(x.Prod), itoa(x.CI)})
	}
	section("Daily active machines", "DAY\tMACHINES\tPROD\tCI", rows)
	rows = nil
	for _, x := range r.WeeklyActive {
		rows = append(rows, []string{x.Week, itoa(x.Machines), itoa(x.Prod), itoa(x.CI), itoa(x.New), itoa(x.Returning), pct(x.CIShare)})
	}
	section("Weekly active machines, new and returning, CI share", "WEEK\tMACHINES\tPROD\tCI\tNEW\tRETURNING\tCI SHARE", rows)
	rows = nil
	for _, x := range r.InstallsByWeek {
		rows = append(rows, []string{x.Week, x.Kind, itoa(x.Events), itoa(x.Machines)})
	}
	section("Installs by week and kind, uninstalls beside them", "WEEK\tKIND\tEVENTS\tMACHINES", rows)
	rows = nil
	for _, x := range r.Installs {
		rows = append(rows, []string{x.Target, x.Scope, x.Kind, itoa(x.Installs)})
	}
	section("Installs by target", "TARGET\tSCOPE\tKIND\tINSTALLS", rows)
	rows = nil
	for _, x := range r.InstallTargets {
		rows = append(rows, []string{x.Target, x.Scope, itoa(x.Installs), itoa(x.Machines)})
	}
	section("Installs by target × scope", "TARGET\tSCOPE\tINSTALLS\tMACHINES", rows)
	rows = nil
	for _, x := range r.Usage {
		rows = append(rows, []string{x.Kind, x.Name, clientName(x.Client), itoa(x.Count), itoa(x.ErrorCount), pct(x.ErrorRate), itoa(x.Machines)})
	}
	section("Usage by tool × client", "KIND\tNAME\tCLIENT\tCOUNT\tERRORS\tERROR RATE\tMACHINES", rows)
	rows = nil
	for _, x := range r.Versions {
		rows = append(rows, []string{x.Version, itoa(x.Machines)})
	}
	section("Version adoption", "VERSION\tMACHINES", rows)
	rows = nil
	for _, x := range r.VersionAdoption {
		rows = append(rows, []string{x.Week, x.Version, itoa(x.Machines), pct(x.Share)})
	}
	section("Version adoption by week", "WEEK\tVERSION\tMACHINES\tSHARE", rows)
	rows = nil
	for _, x := range r.VersionSpeed {
		days := "-"
		if x.DaysToHalf != nil {
			days = itoa(*x.DaysToHalf)
		}
		rows = append(rows, []string{x.Version, x.FirstSeen, orDash(x.HalfOn), days})
	}
	section("Version adoption speed (first day, first day on half the active machines)", "VERSION\tFIRST SEEN\tHALF ON\tDAYS", rows)
	rows = nil
	for _, x := range r.Platforms {
		rows = append(rows, []string{x.OS, x.Arch, itoa(x.Machines)})
	}
	section("OS and architecture", "OS\tARCH\tMACHINES", rows)
	rows = nil
	for _, x := range r.Runtimes {
		rows = append(rows, []string{x.Runtime, itoa(x.Machines)})
	}
	section("Runtime", "RUNTIME\tMACHINES", rows)
	rows = nil
	for _, x := range r.Backends {
		rows = append(rows, []string{x.Backend, itoa(x.Events), itoa(x.Machines)})
	}
	section("SQLite backend", "BACKEND\tEVENTS\tMACHINES", rows)
	rows = nil
	for _, x := range r.Languages {
		rows = append(rows, []string{x.Language, itoa(x.Indexes), itoa(x.Machines)})
	}
	section("Languages indexed", "LANGUAGE\tINDEXES\tMACHINES", rows)
	rows = nil
	for _, x := range r.FileCounts {
		rows = append(rows, []string{x.Bucket, itoa(x.Indexes), itoa(x.Machines)})
	}
	section("Index size (files)", "FILES\tINDEXES\tMACHINES", rows)
	rows = nil
	for _, x := range r.Durations {
		rows = append(rows, []string{x.Bucket, itoa(x.Indexes), itoa(x.Machines)})
	}
	section("Index duration", "DURATION\tINDEXES\tMACHINES", rows)
	if r.Events != nil {
		rows = nil
		for _, e := range r.Events {
			rows = append(rows, []string{e.MachineID, e.Event, e.TS, string(e.Props)})
		}
		section("Stored events", "MACHINE ID\tEVENT\tTS\tPROPS", rows)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
