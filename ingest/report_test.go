package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// fixtureDay is 2026-11-09, the Monday of ISO week 2026-W46.
var fixtureDay = dayOf(time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC))

// fixtureActivity is who is active on which day of the fixture store, and
// with which version: week W46 machines 1–4 on 1.0; week W47 machines 1
// and 2 again with 5 and 6 new, 1.1 arriving on machine 1 on Monday and
// on half the day's machines on Wednesday; week W48 machine 1 again and 7
// new.
var fixtureActivity = []struct {
	day      int64 // from fixtureDay
	machine  int
	version  string
	node, ci bool
}{
	{0, 1, "1.0", false, false}, {0, 2, "1.0", false, false}, {0, 3, "1.0", true, false}, {1, 4, "1.0", false, true},
	{7, 1, "1.1", false, false}, {7, 2, "1.0", false, false}, {7, 5, "1.0", false, false}, {7, 6, "1.0", false, true},
	{8, 1, "1.1", false, false}, {8, 2, "1.0", false, false}, {8, 5, "1.0", false, false},
	{9, 1, "1.1", false, false}, {9, 2, "1.1", false, false}, {9, 5, "1.0", false, false}, {9, 6, "1.0", false, true},
	{14, 1, "1.1", false, false}, {15, 7, "1.1", true, false},
}

// fixtureStore writes fixtureActivity: each machine-day one usage rollup,
// and on its first day an install (kind by machine) and an index; machine
// 6 uninstalls on its second day. It returns the store's path.
func fixtureStore(t *testing.T) string {
	t.Helper()
	clk := newTestClock(dayTime(fixtureDay))
	s := openStore(t, SQLiteConfig{Now: clk.now})
	first := map[int]bool{}
	for _, a := range fixtureActivity {
		at := dayTime(fixtureDay + a.day).Add(12 * time.Hour)
		clk.set(at)
		ts := at.Format(time.RFC3339)
		runtime := `"go_version":"1.26"`
		if a.node {
			runtime = `"node_major":20`
		}
		env := fmt.Sprintf(`"machine_id":%q,"codegraph_version":%q,"os":"linux","arch":"amd64",%s,"ci":%t`, machineN(a.machine), a.version, runtime, a.ci)
		client := `,"client_name":"claude-code"`
		if a.machine == 3 {
			client = "" // no client name
		}
		events := []string{fmt.Sprintf(`{"event":"usage_rollup","ts":%q,"props":{"kind":"mcp_tool","name":"codegraph_explore","count":10,"error_count":1%s}}`, ts, client)}
		if !first[a.machine] {
			first[a.machine] = true
			kind := map[int]string{5: "upgrade", 6: "reinstall"}[a.machine]
			if kind == "" {
				kind = "fresh"
			}
			events = append(events,
				fmt.Sprintf(`{"event":"install","ts":%q,"props":{"targets":["claude","cursor"],"scope":"global","kind":%q}}`, ts, kind),
				fmt.Sprintf(`{"event":"index","ts":%q,"props":{"languages":["go"],"file_count_bucket":"<100","duration_bucket":"<10s","sqlite_backend":"native"}}`, ts))
		} else if a.machine == 6 {
			events = append(events, fmt.Sprintf(`{"event":"uninstall","ts":%q,"props":{"targets":["cursor"]}}`, ts))
		}
		if err := s.Store(context.Background(), accepted(t, body(env, events...), at)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s.cfg.Path
}

func fixtureReport(t *testing.T, path string) *Report {
	t.Helper()
	r, err := BuildReport(context.Background(), openRead(t, path), false)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestReportKnownAnswers: the report of the fixture store gives the
// answers worked out by hand from fixtureActivity.
func TestReportKnownAnswers(t *testing.T) {
	t.Parallel()
	r := fixtureReport(t, fixtureStore(t))
	days := func(n int64) *int64 { return &n }
	cases := []struct {
		name      string
		got, want any
	}{
		{"weeks: machines, new, returning", func() (out [][4]any) {
			for _, w := range r.WeeklyActive {
				out = append(out, [4]any{w.Week, w.Machines, w.New, w.Returning})
			}
			return
		}(), [][4]any{{"2026-W46", int64(4), int64(4), int64(0)}, {"2026-W47", int64(4), int64(2), int64(2)}, {"2026-W48", int64(2), int64(1), int64(1)}}},
		{"CI share of W46", r.WeeklyActive[0].CIShare, 0.25},
		{"daily machines", func() (out map[string]int64) {
			out = map[string]int64{}
			for _, d := range r.DailyActive {
				out[d.Day] = d.Machines
			}
			return
		}(), map[string]int64{"2026-11-09": 3, "2026-11-10": 1, "2026-11-16": 4, "2026-11-17": 3, "2026-11-18": 4, "2026-11-23": 1, "2026-11-24": 1}},
		// 1.0 ran on every machine of its first day; 1.1 first on 11-16
		// (1 of 4), 11-17 (1 of 3), then 11-18 on 2 of 4: half, 2 days on.
		{"version speed", r.VersionSpeed, []VersionSpeed{
			{Version: "1.0", FirstSeen: "2026-11-09", HalfOn: "2026-11-09", DaysToHalf: days(0), Machines: 6},
			{Version: "1.1", FirstSeen: "2026-11-16", HalfOn: "2026-11-18", DaysToHalf: days(2), Machines: 3},
		}},
		{"version share in W47", func() (out map[string]float64) {
			out = map[string]float64{}
			for _, v := range r.VersionAdoption {
				if v.Week == "2026-W47" {
					out[v.Version] = v.Share
				}
			}
			return
		}(), map[string]float64{"1.0": 0.75, "1.1": 0.5}}, // 1.0 on machines 2, 5, 6; 1.1 on 1 and (from Wednesday) 2
		{"installs by week", r.InstallsByWeek, []InstallWeek{
			{"2026-W46", "fresh", 4, 4},
			{"2026-W47", "upgrade", 1, 1}, {"2026-W47", "reinstall", 1, 1}, {"2026-W47", "uninstall", 1, 1},
			{"2026-W48", "fresh", 1, 1},
		}},
		{"install targets", r.InstallTargets, []InstallTarget{{"claude", "global", 7, 7}, {"cursor", "global", 7, 7}}},
		{"runtimes", r.Runtimes, []RuntimeCount{{"go 1.26", 5}, {"node 20", 2}}},
		{"backends", r.Backends, []BackendCount{{"native", 7, 7}}},
		{"usage machines by client", func() (out map[string][2]int64) {
			out = map[string][2]int64{}
			for _, u := range r.Usage {
				out[clientName(u.Client)] = [2]int64{u.Count, u.Machines}
			}
			return
		}(), map[string][2]int64{"claude-code": {160, 6}, NoClient: {10, 1}}},
		{"languages", r.Languages, []LangCount{{"go", 7, 7}}},
		{"file counts", r.FileCounts, []BucketCount{{"<100", 7, 7}}},
	}
	for _, tc := range cases {
		if !reflect.DeepEqual(tc.got, tc.want) {
			g, _ := json.Marshal(tc.got)
			w, _ := json.Marshal(tc.want)
			t.Errorf("%s:\n got %s\nwant %s", tc.name, g, w)
		}
	}
}

// TestBackfillLayout3: a store of layout 2 (the fixture with every rollup
// layout 3 added taken out) gets them back, from its raw rows, when serve
// opens it: its report is the report of the store written with them; a
// second open (the backfill's progress says it is done) counts nothing
// again.
func TestBackfillLayout3(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := fixtureStore(t)
	want := fixtureReport(t, path)
	toLayout2 := func(resetProgress bool) {
		t.Helper()
		db, err := openWritable(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		qs := []string{
			`DELETE FROM first_seen WHERE dim > ? OR (dim = ? AND value = '')`,
			`DELETE FROM machine_counts WHERE dim NOT IN ('day', 'week', 'week_version', 'version', 'platform', 'new') OR (dim = 'day' AND value = '')`,
			`DELETE FROM day_counts WHERE dim IN ('install_kind', 'sqlite_backend')`,
			`DELETE FROM totals WHERE dim IN ('install_kind', 'sqlite_backend')`,
			`UPDATE meta SET value = '2' WHERE key = 'layout'`,
		}
		if resetProgress {
			qs = append(qs, `DELETE FROM meta WHERE key = '`+backfillKey+`'`)
		} else {
			qs = qs[4:] // only the layout: the rollups stay, the progress says done
		}
		for _, q := range qs {
			args := []any{}
			if q == qs[0] && resetProgress {
				args = []any{seenPlatform, seenDay}
			}
			if _, err := db.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	reopen := func() {
		t.Helper()
		s, err := OpenSQLite(ctx, SQLiteConfig{Path: path, Now: func() time.Time { return dayTime(fixtureDay + 16) }})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	toLayout2(true)
	stripped := fixtureReport(t, path)
	if len(stripped.Runtimes) != 0 || len(stripped.VersionSpeed) != 0 {
		t.Fatalf("the layout-2 store still has layout 3's rollups: %+v %+v", stripped.Runtimes, stripped.VersionSpeed)
	}
	reopen()
	if got := fixtureReport(t, path); !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("backfilled store reports\n%s\nthe store written with every rollup\n%s", g, w)
	}
	toLayout2(false)
	reopen()
	if got := fixtureReport(t, path); !reflect.DeepEqual(got, want) {
		t.Error("a second backfill, after one that finished, changed the report")
	}
}
