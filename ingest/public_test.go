package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

// recomputable names a folded cell of t that the published rows give
// away, or "" when none does: a group whose total is published with
// exactly one part folded, or whose other row holds exactly one cell.
func recomputable(t *ptable) string {
	parts := map[string][]pcell{}
	totals := map[string]pcell{}
	for _, c := range t.cells {
		if len(c.totalOf) > 0 {
			for _, g := range c.totalOf {
				totals[g] = c
			}
			continue
		}
		parts[c.group] = append(parts[c.group], c)
	}
	rows, _ := t.rows()
	for g, ps := range parts {
		var folded []pcell
		for _, c := range ps {
			if c.folded {
				folded = append(folded, c)
			}
		}
		if len(folded) != 1 {
			continue
		}
		if tot, ok := totals[g]; ok && !tot.folded {
			return fmt.Sprintf("%v (group %q with its total %v published)", folded[0].keys, g, tot.keys)
		}
		for _, r := range rows {
			if r.Keys[len(r.Keys)-1] == OtherKey && strings.Join(r.Keys[:len(r.Keys)-1], cellSep) == strings.TrimLeft(g, cellSep) {
				return fmt.Sprintf("%v (alone in the other row of group %q)", folded[0].keys, g)
			}
		}
	}
	return ""
}

// TestPublicFold: cells fewer than K machines stand behind are folded, and
// the rules leave no folded cell to be worked out from the published
// rows: worked cases, then a thousand random tables.
func TestPublicFold(t *testing.T) {
	t.Parallel()
	cell := func(name string, v, machines int64, group string) pcell {
		return pcell{keys: []string{group, name}, values: []int64{v}, machines: machines, group: group}
	}
	total := func(v int64, groups ...string) pcell {
		return pcell{keys: []string{groups[0], "all"}, values: []int64{v}, machines: v, totalOf: groups}
	}
	cases := []struct {
		name      string
		additive  bool
		cells     []pcell
		published []string // the last key of each published row, in order
	}{
		{"nothing to fold", true, []pcell{cell("a", 50, 12, ""), cell("b", 40, 10, "")}, []string{"a", "b"}},
		{"two folded into other", true, []pcell{cell("a", 50, 12, ""), cell("b", 4, 9, ""), cell("c", 3, 2, "")}, []string{"a", OtherKey}},
		{"one folded: the smallest other one goes with it", true,
			[]pcell{cell("a", 50, 40, ""), cell("b", 30, 20, ""), cell("c", 3, 2, "")}, []string{"a", OtherKey}},
		{"one folded and nothing else to fold: no other row", true, []pcell{cell("c", 3, 2, "")}, []string{}},
		{"a total with one part folded: a second part is folded", false,
			[]pcell{total(30, "w"), cell("prod", 28, 28, "w"), cell("ci", 2, 2, "w")}, []string{"all"}},
		{"a total with its only part folded: the total goes", false,
			[]pcell{total(12, "w"), cell("ci", 3, 3, "w")}, []string{}},
		{"a total under K folds its parts", false,
			[]pcell{total(8, "w"), cell("prod", 6, 6, "w"), cell("ci", 2, 2, "w")}, []string{}},
		{"groups fold apart", true,
			[]pcell{cell("fresh", 40, 30, "W1"), cell("upgrade", 2, 2, "W1"), cell("reinstall", 1, 1, "W1"),
				cell("fresh", 40, 30, "W2"), cell("upgrade", 20, 20, "W2")}, []string{"fresh", "fresh", "upgrade", OtherKey}},
		{"a total shared by two groups", false,
			[]pcell{total(30, "ci", "new"), cell("prod", 25, 25, "ci"), cell("ci", 5, 5, "ci"), cell("new", 15, 15, "new"), cell("returning", 15, 15, "new")},
			[]string{"all", "new", "returning"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb := &ptable{keys: []string{"group", "name"}, measures: []string{"n"}, additive: tc.additive, cells: slices.Clone(tc.cells)}
			tb.fold(10)
			rows, _ := tb.rows()
			got := []string{}
			for _, r := range rows {
				got = append(got, r.Keys[len(r.Keys)-1])
			}
			if !slices.Equal(got, tc.published) {
				t.Errorf("published %v, want %v", got, tc.published)
			}
			if leak := recomputable(tb); leak != "" {
				t.Errorf("folded cell %s can be recomputed", leak)
			}
			for _, r := range rows {
				if r.Keys[len(r.Keys)-1] == OtherKey {
					continue
				}
				for _, c := range tb.cells {
					if slices.Equal(c.keys, r.Keys) && c.machines < 10 {
						t.Errorf("%v is published with %d machines behind it", r.Keys, c.machines)
					}
				}
			}
		})
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 1000 {
		tb := &ptable{keys: []string{"group", "name"}, measures: []string{"n"}, additive: rng.IntN(2) == 0}
		for g := range 1 + rng.IntN(4) {
			group := fmt.Sprintf("g%d", g)
			var sum int64
			for p := range 1 + rng.IntN(5) {
				m := int64(rng.IntN(25))
				sum += m
				tb.add(pcell{keys: []string{group, fmt.Sprintf("p%d", p)}, values: []int64{m}, machines: m, group: group})
			}
			if rng.IntN(2) == 0 {
				tb.add(pcell{keys: []string{group, "all"}, values: []int64{sum}, machines: sum, totalOf: []string{group}})
			}
		}
		tb.fold(10)
		if leak := recomputable(tb); leak != "" {
			t.Fatalf("random table %d: folded cell %s can be recomputed", i, leak)
		}
	}
}

// TestPublicClientNames: through a real store and every rendering of the
// public figures (report --public's text and JSON, the page, GET /public),
// a client name seen on K−1 machines never appears, one seen on K does;
// no machine ID appears; and none of the public tables gives a folded
// cell away. (A third client, on one machine, is folded with the K−1 one:
// alone, the K−1 client's calls would be the whole other row, and the
// rules would fold the K client as well.)
func TestPublicClientNames(t *testing.T) {
	t.Parallel()
	const k = 4
	s := openStore(t, SQLiteConfig{})
	ts := fixedNow.Add(-2 * time.Hour).Format(time.RFC3339)
	for i := range 2 * k {
		client := "common-agent"
		switch {
		case i == 2*k-1:
			client = "solo-agent"
		case i >= k:
			client = "rare-agent"
		}
		ev := fmt.Sprintf(`{"event":"usage_rollup","ts":%q,"props":{"kind":"mcp_tool","name":"codegraph_explore","count":5,"client_name":%q}}`, ts, client)
		if err := s.Store(context.Background(), accepted(t, body(envelopeOf(machineN(i+1)), ev), fixedNow)); err != nil {
			t.Fatal(err)
		}
	}
	db := openRead(t, s.cfg.Path)
	r, err := BuildReport(context.Background(), db, false)
	if err != nil {
		t.Fatal(err)
	}
	p := Public(r, k, fixedNow)
	h, err := NewHandler(Config{Sink: s, Now: clock, Dashboard: &Dashboard{DB: db, Token: "private", Now: clock, PublicMinMachines: k}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	get := func(path string) string {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s without a token: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	var text, js, page bytes.Buffer
	if err := p.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := WritePublicDashboard(&page, p); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "json": js.String(), "page": page.String(),
		"GET /public": get(PublicPath), "GET /public?format=json": get(PublicPath + "?format=json")} {
		if strings.Contains(out, "rare-agent") || strings.Contains(out, "solo-agent") {
			t.Errorf("%s names a client seen on fewer than %d machines", name, k)
		}
		if !strings.Contains(out, "common-agent") {
			t.Errorf("%s does not name the client seen on %d machines", name, k)
		}
		if strings.Contains(out, machineN(1)) || strings.Contains(out, "00000000-0000-4000") {
			t.Errorf("%s holds a machine ID", name)
		}
		if !strings.Contains(out, fmt.Sprintf("fewer than %d distinct machines", k)) || !strings.Contains(out, "2026-11-24") {
			t.Errorf("%s does not say K and the date", name)
		}
	}
	for _, tb := range publicTables(r, fixedNow) {
		tb.fold(k)
		if leak := recomputable(tb); leak != "" {
			t.Errorf("%s: folded cell %s can be recomputed", tb.id, leak)
		}
	}
	// The private dashboard still wants its token.
	resp, err := srv.Client().Get(srv.URL + DashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("GET /dashboard without the token: %d, want 401", resp.StatusCode)
	}
	var back PublicReport
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.MinMachines != k {
		t.Errorf("JSON: %v, min_machines %d", err, back.MinMachines)
	}
}

// TestPublicGolden: the public figures of the dashboard's seed, K 10, as
// JSON and as the page; nothing fewer than 10 machines stand behind is in
// either, and no table gives a folded cell away.
func TestPublicGolden(t *testing.T) {
	t.Parallel()
	clk := newTestClock(fixedNow)
	s, _ := dashboardSeed(t, clk)
	r, err := BuildReport(context.Background(), openRead(t, s.cfg.Path), false)
	if err != nil {
		t.Fatal(err)
	}
	p := Public(r, DefaultMinMachines, fixedNow)
	var js, page bytes.Buffer
	if err := p.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := WritePublicDashboard(&page, p); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "ingest/public.json", js.Bytes())
	testkit.Golden(t, "ingest/public.html", page.Bytes())
	// The seed's long client name is on one machine, every tool of
	// opencode on several but some on fewer than 10.
	if strings.Contains(js.String(), longClient) || strings.Contains(page.String(), esc(longClient)) {
		t.Error("the client seen on one machine is published")
	}
	folded := 0
	for _, tb := range publicTables(r, fixedNow) {
		tb.fold(DefaultMinMachines)
		for _, c := range tb.cells {
			if c.folded {
				folded++
			}
		}
		if leak := recomputable(tb); leak != "" {
			t.Errorf("%s: folded cell %s can be recomputed", tb.id, leak)
		}
	}
	if folded == 0 {
		t.Fatal("the seed folds nothing at K 10: the checks prove nothing")
	}
}
