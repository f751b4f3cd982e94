package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Report is what `codegraph-ingest report` prints (README.md, "Self-hosting
// the ingest"), computed from the SQLite store: weekly active machines,
// installs by target, usage by tool and client, version adoption and
// languages indexed. Rollups are deltas, so usage sums them.
type Report struct {
	WeeklyActive []WeeklyActive `json:"weekly_active_machines"`
	Installs     []InstallCount `json:"installs"`
	Usage        []UsageCount   `json:"usage"`
	Versions     []VersionCount `json:"versions"`
	Languages    []LangCount    `json:"languages"`
	// Events is filled only when asked for (report --events).
	Events []StoredEvent `json:"events,omitempty"`
}

// WeeklyActive is the number of distinct machines seen in an ISO week.
type WeeklyActive struct {
	Week     string `json:"week"`
	Machines int64  `json:"machines"`
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

// BuildReport runs the dashboard queries.
func BuildReport(ctx context.Context, db *sql.DB, withEvents bool) (*Report, error) {
	r := &Report{
		WeeklyActive: []WeeklyActive{}, Installs: []InstallCount{}, Usage: []UsageCount{},
		Versions: []VersionCount{}, Languages: []LangCount{},
	}
	err := query(ctx, db, `SELECT week, COUNT(DISTINCT machine_id) FROM events GROUP BY week ORDER BY week`,
		func(rows *sql.Rows) error {
			var w WeeklyActive
			err := rows.Scan(&w.Week, &w.Machines)
			r.WeeklyActive = append(r.WeeklyActive, w)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("weekly active machines: %w", err)
	}
	err = query(ctx, db, `SELECT COALESCE(t.value, '(none)'),
			COALESCE(json_extract(e.props, '$.scope'), ''), COALESCE(json_extract(e.props, '$.kind'), ''), COUNT(*)
		FROM events e LEFT JOIN json_each(e.props, '$.targets') t
		WHERE e.event = 'install'
		GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3`,
		func(rows *sql.Rows) error {
			var c InstallCount
			err := rows.Scan(&c.Target, &c.Scope, &c.Kind, &c.Installs)
			r.Installs = append(r.Installs, c)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("installs: %w", err)
	}
	err = query(ctx, db, `SELECT COALESCE(json_extract(props, '$.kind'), ''), COALESCE(json_extract(props, '$.name'), ''),
			COALESCE(json_extract(props, '$.client_name'), ''),
			SUM(COALESCE(json_extract(props, '$.count'), 0)), SUM(COALESCE(json_extract(props, '$.error_count'), 0))
		FROM events WHERE event = 'usage_rollup'
		GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3`,
		func(rows *sql.Rows) error {
			var c UsageCount
			err := rows.Scan(&c.Kind, &c.Name, &c.Client, &c.Count, &c.ErrorCount)
			if c.Count > 0 {
				c.ErrorRate = float64(c.ErrorCount) / float64(c.Count)
			}
			r.Usage = append(r.Usage, c)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("usage: %w", err)
	}
	err = query(ctx, db, `SELECT COALESCE(codegraph_version, '(unknown)'), COUNT(DISTINCT machine_id)
		FROM events GROUP BY 1 ORDER BY 2 DESC, 1`,
		func(rows *sql.Rows) error {
			var c VersionCount
			err := rows.Scan(&c.Version, &c.Machines)
			r.Versions = append(r.Versions, c)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	err = query(ctx, db, `SELECT l.value, COUNT(*) FROM events e, json_each(e.props, '$.languages') l
		WHERE e.event = 'index' GROUP BY 1 ORDER BY 2 DESC, 1`,
		func(rows *sql.Rows) error {
			var c LangCount
			err := rows.Scan(&c.Language, &c.Indexes)
			r.Languages = append(r.Languages, c)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("languages: %w", err)
	}
	if withEvents {
		r.Events = []StoredEvent{}
		err = query(ctx, db, `SELECT machine_id, event, ts, props FROM events ORDER BY id`,
			func(rows *sql.Rows) error {
				var e StoredEvent
				var props string
				err := rows.Scan(&e.MachineID, &e.Event, &e.TS, &props)
				e.Props = json.RawMessage(props)
				r.Events = append(r.Events, e)
				return err
			})
		if err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
	}
	return r, nil
}

func query(ctx context.Context, db *sql.DB, q string, scan func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q)
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
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	var rows [][]string
	for _, x := range r.WeeklyActive {
		rows = append(rows, []string{x.Week, itoa(x.Machines)})
	}
	section("Weekly active machines", "WEEK\tMACHINES", rows)
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
	for _, x := range r.Languages {
		rows = append(rows, []string{x.Language, itoa(x.Indexes)})
	}
	section("Languages indexed", "LANGUAGE\tINDEXES", rows)
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
