package ingest

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is what `codegraph-ingest report` prints and the dashboard draws
// (README.md, "Self-hosting the ingest"), read from the store's rollups:
// weekly active machines (prod and CI), installs by target, usage by tool
// and client, version adoption, languages indexed and the OS/arch mix.
// Rollups are deltas, so usage sums them. Reading rollups, never raw rows,
// keeps it fast on a year of data; only Events reads raw rows, those still
// within the retention window.
type Report struct {
	WeeklyActive []WeeklyActive `json:"weekly_active_machines"`
	Installs     []InstallCount `json:"installs"`
	Usage        []UsageCount   `json:"usage"`
	Versions     []VersionCount `json:"versions"`
	Languages    []LangCount    `json:"languages"`
	// VersionAdoption is the distinct machines per version in each week.
	VersionAdoption []VersionWeek `json:"version_adoption"`
	// Platforms is the distinct machines per OS and architecture, all time.
	Platforms []PlatformCount `json:"platforms"`
	// Events is filled only when asked for (report --events).
	Events []StoredEvent `json:"events,omitempty"`
}

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
}

// VersionCount is the number of distinct machines per codegraph version.
type VersionCount struct {
	Version  string `json:"version"`
	Machines int64  `json:"machines"`
}

// VersionWeek is the number of distinct machines that ran a version in an
// ISO week.
type VersionWeek struct {
	Week     string `json:"week"`
	Version  string `json:"version"`
	Machines int64  `json:"machines"`
}

// PlatformCount is the number of distinct machines per OS and architecture
// ("(unknown)" when a client did not say).
type PlatformCount struct {
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	Machines int64  `json:"machines"`
}

// LangCount is the number of index events that included a language.
type LangCount struct {
	Language string `json:"language"`
	Indexes  int64  `json:"indexes"`
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
		WeeklyActive: []WeeklyActive{}, Installs: []InstallCount{}, Usage: []UsageCount{},
		Versions: []VersionCount{}, Languages: []LangCount{}, VersionAdoption: []VersionWeek{},
		Platforms: []PlatformCount{},
	}
	weeks := map[int64]*WeeklyActive{}
	var order []int64
	err := query(ctx, db, `SELECT dim, period, value, machines FROM machine_counts WHERE dim IN (?, ?, ?, ?, ?)`,
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
					order = append(order, period)
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
			case dimWeekVersion:
				r.VersionAdoption = append(r.VersionAdoption, VersionWeek{Week: isoWeekLabel(period), Version: value, Machines: n})
			case dimVersion:
				r.Versions = append(r.Versions, VersionCount{Version: value, Machines: n})
			case dimPlatform:
				os, arch, _ := strings.Cut(value, "/")
				r.Platforms = append(r.Platforms, PlatformCount{OS: orUnknown(os), Arch: orUnknown(arch), Machines: n})
			}
			return nil
		}, dimWeek, dimNew, dimWeekVersion, dimVersion, dimPlatform)
	if err != nil {
		return nil, fmt.Errorf("machine counts: %w", err)
	}
	slices.Sort(order)
	for _, p := range order {
		r.WeeklyActive = append(r.WeeklyActive, *weeks[p])
	}
	err = query(ctx, db, `SELECT dim, a, b, c, n, errors FROM totals WHERE dim IN (?, ?, ?)`,
		func(rows *sql.Rows) error {
			var dim, a, b, c string
			var n, errs int64
			if err := rows.Scan(&dim, &a, &b, &c, &n, &errs); err != nil {
				return err
			}
			switch dim {
			case dimInstall:
				r.Installs = append(r.Installs, InstallCount{Target: a, Scope: b, Kind: c, Installs: n})
			case dimUsage:
				u := UsageCount{Kind: a, Name: b, Client: c, Count: n, ErrorCount: errs}
				if n > 0 {
					u.ErrorRate = float64(errs) / float64(n)
				}
				r.Usage = append(r.Usage, u)
			case dimLanguage:
				r.Languages = append(r.Languages, LangCount{Language: a, Indexes: n})
			}
			return nil
		}, dimInstall, dimUsage, dimLanguage)
	if err != nil {
		return nil, fmt.Errorf("totals: %w", err)
	}
	sortReport(r)
	if withEvents {
		if r.Events, err = readEvents(ctx, db); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
	}
	return r, nil
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
	for _, x := range r.WeeklyActive {
		rows = append(rows, []string{x.Week, itoa(x.Machines), itoa(x.Prod), itoa(x.CI), itoa(x.New)})
	}
	section("Weekly active machines", "WEEK\tMACHINES\tPROD\tCI\tNEW", rows)
	rows = nil
	for _, x := range r.Installs {
		rows = append(rows, []string{x.Target, x.Scope, x.Kind, itoa(x.Installs)})
	}
	section("Installs by target", "TARGET\tSCOPE\tKIND\tINSTALLS", rows)
	rows = nil
	for _, x := range r.Usage {
		client := x.Client
		if client == "" {
			client = "-"
		}
		rows = append(rows, []string{x.Kind, x.Name, client, itoa(x.Count), itoa(x.ErrorCount), strconv.FormatFloat(100*x.ErrorRate, 'f', 1, 64) + "%"})
	}
	section("Usage by tool × client", "KIND\tNAME\tCLIENT\tCOUNT\tERRORS\tERROR RATE", rows)
	rows = nil
	for _, x := range r.Versions {
		rows = append(rows, []string{x.Version, itoa(x.Machines)})
	}
	section("Version adoption", "VERSION\tMACHINES", rows)
	rows = nil
	for _, x := range r.VersionAdoption {
		rows = append(rows, []string{x.Week, x.Version, itoa(x.Machines)})
	}
	section("Version adoption by week", "WEEK\tVERSION\tMACHINES", rows)
	rows = nil
	for _, x := range r.Languages {
		rows = append(rows, []string{x.Language, itoa(x.Indexes)})
	}
	section("Languages indexed", "LANGUAGE\tINDEXES", rows)
	rows = nil
	for _, x := range r.Platforms {
		rows = append(rows, []string{x.OS, x.Arch, itoa(x.Machines)})
	}
	section("OS and architecture", "OS\tARCH\tMACHINES", rows)
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
