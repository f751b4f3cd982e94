package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Breakdowns of day_counts and totals (the dim column).
const (
	dimEvent     = "event"      // a: event name
	dimInstall   = "install"    // a: target or "(none)", b: scope, c: kind
	dimUninstall = "uninstall"  // a: target or "(none)"
	dimUsage     = "usage"      // a: kind, b: name, c: client_name or ""; n sums count, errors sums error_count
	dimLanguage  = "language"   // a: language id
	dimFiles     = "file_count" // a: file_count_bucket
	dimDuration  = "duration"   // a: duration_bucket
	// Layout 3:
	dimInstallKind = "install_kind"   // a: kind; once per install event, whatever its targets
	dimBackend     = "sqlite_backend" // a: sqlite_backend of install and index events
)

// Breakdowns of machine_counts (dim), with their period.
const (
	dimDay         = "day"          // period: day; value: "", "prod" or "ci" ("" from layout 3 on)
	dimWeek        = "week"         // period: week; value: "", "prod" or "ci"
	dimWeekVersion = "week_version" // period: week; value: codegraph_version
	dimVersion     = "version"      // period: 0 (all time); value: codegraph_version
	dimPlatform    = "platform"     // period: 0; value: os "/" arch
	dimNew         = "new"          // period: week of machines.first_day (no first_seen rows)
	// Layout 3: the machines behind each figure, so that a public report
	// can fold what too few machines stand behind (public.go).
	dimDayVersion  = "day_version"    // period: day; value: codegraph_version
	dimRuntime     = "runtime"        // period: 0; value: "go 1.26", "node 22" or "(unknown)"
	dimMUsage      = "usage"          // period: 0; value: kind "|" name "|" client_name
	dimMInstall    = "install"        // period: 0; value: target "|" scope
	dimMLanguage   = "language"       // period: 0; value: language id
	dimMFiles      = "file_count"     // period: 0; value: file_count_bucket
	dimMDuration   = "duration"       // period: 0; value: duration_bucket
	dimMBackend    = "sqlite_backend" // period: 0; value: sqlite_backend
	dimInstallWeek = "install_week"   // period: week; value: install kind, or "uninstall"
)

// first_seen numbers its breakdowns (its rows are many and their keys are
// compared at every insert); seenDims names them as machine_counts does.
const (
	seenDay = iota + 1
	seenWeek
	seenWeekVersion
	seenVersion
	seenPlatform
	// Layout 3
	seenDayVersion
	seenRuntime
	seenUsage
	seenInstall
	seenLanguage
	seenFiles
	seenDuration
	seenBackend
	seenInstallWeek
)

var seenDims = [...]string{seenDay: dimDay, seenWeek: dimWeek, seenWeekVersion: dimWeekVersion, seenVersion: dimVersion, seenPlatform: dimPlatform,
	seenDayVersion: dimDayVersion, seenRuntime: dimRuntime, seenUsage: dimMUsage, seenInstall: dimMInstall, seenLanguage: dimMLanguage,
	seenFiles: dimMFiles, seenDuration: dimMDuration, seenBackend: dimMBackend, seenInstallWeek: dimInstallWeek}

// cellSep joins the parts of a multi-part first_seen value: it is not a
// token or label character, so no part holds it.
const cellSep = "|"

// uninstallKind is the value of install_week rows that count uninstalls.
const uninstallKind = "uninstall"

const (
	noneTarget    = "(none)"
	unknownValue  = "(unknown)"
	valueProd     = "prod"
	valueCI       = "ci"
	secondsPerDay = 86400
)

// The writer's caches are cleared whole when they reach these sizes: a
// miss costs a lookup in the database, never a wrong answer.
const (
	cacheMaxMachines  = 1 << 18
	cacheMaxSeen      = 1 << 18
	cacheMaxEnvelopes = 1 << 12
)

// dayOf is the UTC day number of t; weekOf the day number of the Monday of
// the ISO week holding day (day 0, 1970-01-01, was a Thursday).
func dayOf(t time.Time) int64 { return floorDiv(t.Unix(), secondsPerDay) }

func weekOf(day int64) int64 { return day - floorMod(day+3, 7) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

func dayTime(day int64) time.Time { return time.Unix(day*secondsPerDay, 0).UTC() }

// isoWeekLabel names the ISO week starting on the Monday day, e.g. 2026-W48.
func isoWeekLabel(monday int64) string {
	y, w := dayTime(monday).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// envKey is an envelope without its machine_id; "" and -1 stand for an
// absent field (schema strings are never empty).
type envKey struct {
	version, os, arch, goVersion string
	node, ci, schemaVersion      int64
}

func envelopeKey(env map[string]any) envKey {
	k := envKey{node: -1, ci: -1, schemaVersion: -1}
	k.version, _ = env["codegraph_version"].(string)
	k.os, _ = env["os"].(string)
	k.arch, _ = env["arch"].(string)
	k.goVersion, _ = env["go_version"].(string)
	if v, ok := env["node_major"].(int64); ok {
		k.node = v
	}
	if v, ok := env["ci"].(bool); ok {
		k.ci = 0
		if v {
			k.ci = 1
		}
	}
	if v, ok := env["schema_version"].(int64); ok {
		k.schemaVersion = v
	}
	return k
}

func (k envKey) args() []any {
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	num := func(n int64) any {
		if n < 0 {
			return nil
		}
		return n
	}
	return []any{str(k.version), str(k.os), str(k.arch), str(k.goVersion), num(k.node), num(k.ci), num(k.schemaVersion)}
}

func (k envKey) versionValue() string {
	if k.version == "" {
		return unknownValue
	}
	return k.version
}

func (k envKey) platformValue() string { return k.os + "/" + k.arch }

// runtimeValue names the client's runtime: the Go client's go_version or a
// Node client's node_major.
func (k envKey) runtimeValue() string {
	switch {
	case k.goVersion != "":
		return "go " + k.goVersion
	case k.node >= 0:
		return "node " + strconv.FormatInt(k.node, 10)
	}
	return unknownValue
}

func (k envKey) ciValue() string {
	if k.ci == 1 {
		return valueCI
	}
	return valueProd
}

type countKey struct {
	dim     string
	day     int64
	a, b, c string
}

type countVal struct{ n, errors int64 }

type seenKey struct {
	machine int64
	dim     int64 // seenDims
	period  int64
	value   string
}

type machineCountKey struct {
	dim    string
	period int64
	value  string
}

// storeWriter is the state of the writer goroutine: its statements, the
// caches that spare it lookups, and the per-group aggregates (kept to reuse
// their memory). Only run (and OpenSQLite, before run starts) touch it;
// words is shared with the request goroutines that prepare events.
type storeWriter struct {
	conn *sql.Conn
	cfg  SQLiteConfig

	insRaw         map[int]driver.StmtExecContext // by rows per statement
	insRawAt       driver.StmtExecContext         // one row with its id
	insMachines    *batchStmt
	selMachine     *sql.Stmt
	selEnvelope    *sql.Stmt
	insEnvelope    *sql.Stmt
	insWord        *sql.Stmt
	upDayCounts    *batchStmt
	upTotals       *batchStmt
	insSeen        *batchStmt // returns the rows it inserted
	insSeenNew     *batchStmt // for machines inserted in the same transaction
	upMachineCount *batchStmt
	upRawDay       *sql.Stmt
	selDataVersion *sql.Stmt

	// dataVersion is PRAGMA data_version as the last transaction saw it:
	// it changes only when another connection commits (forget, run as its
	// own process), and then the caches may name rows that are gone.
	dataVersion int64

	words     *wordTable
	machines  map[string]int64
	envelopes map[envKey]int64
	seen      map[seenKey]struct{}
	nextID    int64 // one past the last raw_events id
	// pinNext: the newest raw rows were deleted (the table emptied), so
	// SQLite would hand out ids again from below nextID; the next row is
	// inserted with nextID itself, and ids go on rising from there.
	pinNext bool

	// per group
	counts    map[countKey]countVal
	active    map[activity]struct{}
	groupEnvs map[int64]envKey
	newCounts map[machineCountKey]int64
	newIDs    map[int64]bool // machines inserted by this group
	rawDays   map[int64]idRange
	cellKeys  []seenKey // first_seen keys of the group's cells (eventCells)
	rawArgs   []any     // rawColumns values a row, not yet inserted
	rawRecv   []int64   // the UTC day each of those rows was received
	named     []driver.NamedValue
	args      []any // scratch for batch statements
	args2     []any

	maint maintenance

	// backfill: the group is raw rows already stored, read back to fill
	// the rollups layout 3 added (backfillV3): no raw row is written and
	// only those rollups are, so nothing is counted twice.
	backfill     bool
	backfillDone int64 // the last raw_events id the group holds
}

// newInLayout3 reports whether k is of a breakdown layout 3 added: the
// only first_seen rows a backfill writes.
func newInLayout3(k seenKey) bool {
	switch k.dim {
	case seenDay:
		return k.value == ""
	case seenWeek, seenWeekVersion, seenVersion, seenPlatform:
		return false
	}
	return true
}

// rawBatchSizes are the row counts of the prepared multi-row inserts of
// raw_events; a group is written with the largest that fit, which costs far
// fewer statement executions than a row at a time.
var rawBatchSizes = []int{128, 16, 1}

// rawColumns are the values bound per raw row. The id is not one of them:
// SQLite gives each row the largest id + 1, which is the order the writer
// wants, and an id it picks needs neither a bound value nor the search for
// a row already holding it that an explicit id costs. flushRaw reads the
// ids back from the last one inserted.
const rawColumns = 5

func newStoreWriter(ctx context.Context, conn *sql.Conn, cfg SQLiteConfig) (*storeWriter, error) {
	w := &storeWriter{
		conn: conn, cfg: cfg, insRaw: map[int]driver.StmtExecContext{},
		machines: map[string]int64{}, envelopes: map[envKey]int64{}, seen: map[seenKey]struct{}{},
		counts: map[countKey]countVal{}, active: map[activity]struct{}{}, groupEnvs: map[int64]envKey{},
		newCounts: map[machineCountKey]int64{}, newIDs: map[int64]bool{}, rawDays: map[int64]idRange{},
		named: make([]driver.NamedValue, 0, rawBatchSizes[0]*rawColumns),
	}
	err := conn.Raw(func(dc any) error {
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errors.New("the SQLite driver cannot prepare with a context")
		}
		for _, n := range rawBatchSizes {
			q := "INSERT INTO raw_events (ts, machine, envelope, event, props) VALUES (?, ?, ?, ?, ?)" +
				strings.Repeat(", (?, ?, ?, ?, ?)", n-1)
			st, err := pc.PrepareContext(ctx, q)
			if err != nil {
				return fmt.Errorf("prepare the insert of %d raw events: %w", n, err)
			}
			ex, ok := st.(driver.StmtExecContext)
			if !ok {
				st.Close()
				return errors.New("the SQLite driver cannot execute with a context")
			}
			w.insRaw[n] = ex
		}
		st, err := pc.PrepareContext(ctx, "INSERT INTO raw_events (id, ts, machine, envelope, event, props) VALUES (?, ?, ?, ?, ?, ?)")
		if err != nil {
			return fmt.Errorf("prepare the insert of a raw event: %w", err)
		}
		ex, ok := st.(driver.StmtExecContext)
		if !ok {
			st.Close()
			return errors.New("the SQLite driver cannot execute with a context")
		}
		w.insRawAt = ex
		return nil
	})
	if err != nil {
		w.close()
		return nil, err
	}
	prep := func(dst **sql.Stmt, q string) error {
		st, err := conn.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		*dst = st
		return nil
	}
	batch := func(dst **batchStmt, head string, cols int, tail string) error {
		b, err := prepareBatch(ctx, conn, head, cols, tail)
		*dst = b
		return err
	}
	err = errors.Join(
		batch(&w.insMachines, `INSERT INTO machines (uuid, first_day)`, 2, `ON CONFLICT (uuid) DO NOTHING RETURNING id, uuid, first_day`),
		prep(&w.selMachine, `SELECT id FROM machines WHERE uuid = ?`),
		prep(&w.selEnvelope, `SELECT id FROM envelopes WHERE codegraph_version IS ? AND os IS ? AND arch IS ?
			AND go_version IS ? AND node_major IS ? AND ci IS ? AND schema_version IS ?`),
		prep(&w.insEnvelope, `INSERT INTO envelopes (codegraph_version, os, arch, go_version, node_major, ci, schema_version)
			VALUES (?, ?, ?, ?, ?, ?, ?)`),
		prep(&w.insWord, `INSERT INTO words (id, word) VALUES (?, ?) ON CONFLICT DO NOTHING`),
		batch(&w.upDayCounts, `INSERT INTO day_counts (dim, day, a, b, c, n, errors)`, 7,
			`ON CONFLICT (dim, day, a, b, c) DO UPDATE SET n = n + excluded.n, errors = errors + excluded.errors`),
		batch(&w.upTotals, `INSERT INTO totals (dim, a, b, c, n, errors)`, 6,
			`ON CONFLICT (dim, a, b, c) DO UPDATE SET n = n + excluded.n, errors = errors + excluded.errors`),
		batch(&w.insSeen, `INSERT INTO first_seen (machine, dim, period, value)`, 4, `ON CONFLICT DO NOTHING RETURNING dim, period, value`),
		batch(&w.insSeenNew, `INSERT INTO first_seen (machine, dim, period, value)`, 4, `ON CONFLICT DO NOTHING`),
		batch(&w.upMachineCount, `INSERT INTO machine_counts (dim, period, value, machines)`, 4,
			`ON CONFLICT (dim, period, value) DO UPDATE SET machines = machines + excluded.machines`),
		prep(&w.upRawDay, `INSERT INTO raw_days (day, first_id, last_id) VALUES (?, ?, ?)
			ON CONFLICT (day) DO UPDATE SET first_id = min(first_id, excluded.first_id), last_id = max(last_id, excluded.last_id)`),
		prep(&w.selDataVersion, `PRAGMA data_version`),
	)
	if err != nil {
		w.close()
		return nil, err
	}
	if w.words, err = loadWords(ctx, conn); err != nil {
		w.close()
		return nil, err
	}
	if err := w.reload(ctx); err != nil {
		w.close()
		return nil, err
	}
	if err := w.selDataVersion.QueryRowContext(ctx).Scan(&w.dataVersion); err != nil {
		w.close()
		return nil, fmt.Errorf("read data_version: %w", err)
	}
	return w, nil
}

// reload (re)reads what the writer must agree with the database on after a
// failed transaction: the next raw row id (see pinNext); the machine,
// envelope and first_seen caches start empty. (Words outlive a failed
// transaction: their ids are already in prepared rows, and commit puts them
// back to be written.)
func (w *storeWriter) reload(ctx context.Context) error {
	clear(w.machines)
	clear(w.envelopes)
	clear(w.seen)
	var newest int64
	if err := w.conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM raw_events`).Scan(&newest); err != nil {
		return fmt.Errorf("read last row id: %w", err)
	}
	// Ids never go back: after a failed transaction nextID may be past the
	// newest row (the rolled-back rows leave a gap), never before it.
	w.nextID = max(w.nextID, newest+1)
	w.pinNext = newest+1 != w.nextID
	return nil
}

func (w *storeWriter) close() error {
	var errs []error
	for _, st := range append(slices.Collect(maps.Values(w.insRaw)), w.insRawAt) {
		if c, ok := st.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	for _, st := range []*sql.Stmt{w.selMachine, w.selEnvelope, w.insEnvelope, w.insWord, w.upRawDay, w.selDataVersion} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	for _, b := range []*batchStmt{w.insMachines, w.upDayCounts, w.upTotals, w.insSeen, w.insSeenNew, w.upMachineCount} {
		errs = append(errs, b.close())
	}
	return errors.Join(errs...)
}

// commit writes a group of requests in one transaction: the words they
// introduced, their raw rows, the rollups. On failure nothing of it is
// stored, the words go back to be written with a later group, and the
// caches are rebuilt from the database.
func (w *storeWriter) commit(ctx context.Context, group []*prepared) (err error) {
	if _, err := w.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("sqlite begin: %w", err)
	}
	words := w.words.takePending()
	defer func() {
		if err == nil {
			return
		}
		if _, rerr := w.conn.ExecContext(ctx, "ROLLBACK"); rerr != nil {
			err = errors.Join(err, fmt.Errorf("sqlite rollback: %w", rerr))
		}
		w.words.putBack(words)
		if rerr := w.reload(ctx); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()
	// Under the write lock nobody else can commit until ours: if another
	// connection did since our last transaction (forget deleted a
	// machine's rows), the caches are read again from what is there now.
	var version int64
	if err := w.selDataVersion.QueryRowContext(ctx).Scan(&version); err != nil {
		return fmt.Errorf("sqlite data_version: %w", err)
	}
	if version != w.dataVersion {
		if err := w.reload(ctx); err != nil {
			return err
		}
		w.dataVersion = version
	}
	for _, wd := range words {
		if _, err := w.insWord.ExecContext(ctx, wd.id, wd.word); err != nil {
			return fmt.Errorf("sqlite words: %w", err)
		}
	}
	if err := w.apply(ctx, group); err != nil {
		return err
	}
	if w.backfill {
		// Progress goes in the same transaction as the rollups it
		// filled, so a backfill cut short resumes without counting twice.
		if _, err := w.conn.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, backfillKey, strconv.FormatInt(w.backfillDone, 10)); err != nil {
			return fmt.Errorf("sqlite backfill progress: %w", err)
		}
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("sqlite commit: %w", err)
	}
	if len(w.seen) > cacheMaxSeen {
		clear(w.seen)
	}
	return nil
}

// activity is one machine active on one day under one envelope: what the
// distinct-machine breakdowns are derived from.
type activity struct {
	machine int64
	day     int64
	env     int64 // envelopes row
}

type idRange struct{ first, last int64 }

// prepared is one request's events made ready for the writer by the
// request's own goroutine, so the single writer does little besides SQLite:
// props already encoded, row values already in the form the driver binds,
// counts already summed within the request.
type prepared struct {
	segs   []segment
	rows   []preparedRow
	counts map[countKey]countVal
	done   chan error
	events int
}

// segment is a run of rows sharing a machine and an envelope (a request's
// rows are one segment; a migrated batch may hold many).
type segment struct {
	machine  string
	uuid     []byte
	env      envKey
	firstDay int64 // UTC day of the segment's first event
	end      int   // rows[previous end:end] belong to it
	days     []int64
	cells    []cell // the figures its events count in, each once
}

// cell is a figure an event counts in, for the machines behind it: a
// first_seen breakdown (seenUsage, …), its period and value.
type cell struct {
	dim, period int64
	value       string
}

type preparedRow struct {
	received int64 // UTC day received
	// ts (int64 Unix seconds), event (int64 word) and props ([]byte, see
	// rawcodec.go), boxed as driver values here rather than on the writer:
	// boxing an int64 or a slice allocates.
	ts, event, props any
}

// prepare encodes a request's events for the writer. It runs on the
// request's goroutine; words are the only state it shares with the writer.
func prepare(events []Accepted, words *wordTable) (*prepared, error) {
	p := &prepared{rows: make([]preparedRow, 0, len(events)), counts: map[countKey]countVal{},
		done: make(chan error, 1), events: len(events)}
	buf := make([]byte, 0, 48*len(events))
	var seg *segment
	var segEnv map[string]any
	var ts int64
	var tsArg any // shared by consecutive rows of the same ts
	for i := range events {
		e := &events[i]
		day := dayOf(e.TS)
		if seg == nil || e.MachineID != seg.machine || !sameMap(e.Envelope, segEnv) {
			raw, err := uuidBytes(e.MachineID)
			if err != nil {
				return nil, err
			}
			p.segs = append(p.segs, segment{machine: e.MachineID, uuid: raw, env: envelopeKey(e.Envelope), firstDay: day})
			seg = &p.segs[len(p.segs)-1]
			segEnv = e.Envelope
		}
		if !slices.Contains(seg.days, day) {
			seg.days = append(seg.days, day)
		}
		start := len(buf)
		var err error
		buf, err = encodeProps(buf, e.Event, e.Props, words)
		if err != nil {
			return nil, err
		}
		if tsArg == nil || e.TS.Unix() != ts {
			ts = e.TS.Unix()
			tsArg = ts
		}
		p.rows = append(p.rows, preparedRow{received: dayOf(e.ReceivedAt),
			ts: tsArg, event: words.word(e.Event), props: buf[start:len(buf):len(buf)]})
		seg.end = len(p.rows)
		countEvent(p.counts, day, e)
		seg.cells = eventCells(seg.cells, day, e)
	}
	return p, nil
}

// sameMap reports whether a and b are the same map (requests share one
// envelope map between their events), not merely equal ones.
func sameMap(a, b map[string]any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// apply writes the raw rows of a group, then its rollups.
func (w *storeWriter) apply(ctx context.Context, group []*prepared) error {
	clear(w.counts)
	clear(w.active)
	clear(w.groupEnvs)
	clear(w.newCounts)
	clear(w.newIDs)
	clear(w.rawDays)
	w.rawArgs = w.rawArgs[:0]
	w.rawRecv = w.rawRecv[:0]
	if err := w.resolveMachines(ctx, group); err != nil {
		return err
	}
	for _, p := range group {
		from := 0
		for si := range p.segs {
			sg := &p.segs[si]
			machine := w.machines[sg.machine]
			envID, err := w.envelopeID(ctx, sg.env)
			if err != nil {
				return err
			}
			for _, day := range sg.days {
				w.active[activity{machine, day, envID}] = struct{}{}
			}
			for _, c := range sg.cells {
				w.cellKeys = append(w.cellKeys, seenKey{machine, c.dim, c.period, c.value})
			}
			if w.backfill {
				from = sg.end
				continue // the raw rows are already there
			}
			// Boxed once for the segment's rows rather than once a row: an
			// int64 in an interface is an allocation.
			var machineArg, envArg any = machine, envID
			for _, r := range p.rows[from:sg.end] {
				w.rawArgs = append(w.rawArgs, r.ts, machineArg, envArg, r.event, r.props)
				w.rawRecv = append(w.rawRecv, r.received)
				if len(w.rawArgs) == rawBatchSizes[0]*rawColumns {
					if err := w.flushRaw(ctx); err != nil {
						return err
					}
				}
			}
			from = sg.end
		}
		for k, v := range p.counts {
			addCount(w.counts, k, v.n, v.errors)
		}
	}
	if err := w.flushRaw(ctx); err != nil {
		return err
	}
	return w.writeRollups(ctx)
}

// flushRaw inserts the rows gathered in rawArgs with the largest prepared
// statements that fit, calling the driver directly (database/sql would
// check and convert each of the hundreds of arguments again), and records
// the ids SQLite gave them in rawDays: the n rows of one statement got the
// n ids that end at the last one inserted.
func (w *storeWriter) flushRaw(ctx context.Context) error {
	args, recv := w.rawArgs, w.rawRecv
	err := w.conn.Raw(func(any) error {
		for len(args) > 0 {
			n := fit(rawBatchSizes, len(args)/rawColumns)
			st, named := w.insRaw[n], w.named[:0]
			if w.pinNext {
				n, st = 1, w.insRawAt
				named = append(named, driver.NamedValue{Ordinal: 1, Value: w.nextID})
			}
			for _, v := range args[:n*rawColumns] {
				named = append(named, driver.NamedValue{Ordinal: len(named) + 1, Value: v})
			}
			res, err := st.ExecContext(ctx, named)
			if err != nil {
				return fmt.Errorf("sqlite insert raw events: %w", err)
			}
			last, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("sqlite insert raw events: %w", err)
			}
			for i, day := range recv[:n] {
				id := last - int64(n-1-i)
				rd, ok := w.rawDays[day]
				if !ok {
					rd.first = id
				}
				rd.last = id
				w.rawDays[day] = rd
			}
			w.nextID, w.pinNext = last+1, false
			args, recv = args[n*rawColumns:], recv[n:]
		}
		return nil
	})
	clear(w.rawArgs)
	w.rawArgs = w.rawArgs[:0]
	w.rawRecv = w.rawRecv[:0]
	return err
}

// countEvent adds one event to per-day counts.
func countEvent(counts map[countKey]countVal, day int64, e *Accepted) {
	addCount(counts, countKey{dimEvent, day, e.Event, "", ""}, 1, 0)
	str := func(k string) string { return propString(e, k) }
	switch e.Event {
	case schema.EventInstall:
		scope, kind := str("scope"), str("kind")
		for _, t := range eventTargets(e) {
			addCount(counts, countKey{dimInstall, day, t, scope, kind}, 1, 0)
		}
		addCount(counts, countKey{dimInstallKind, day, kind, "", ""}, 1, 0)
	case schema.EventUninstall:
		for _, t := range eventTargets(e) {
			addCount(counts, countKey{dimUninstall, day, t, "", ""}, 1, 0)
		}
	case schema.EventUsageRollup:
		n, _ := e.Props["count"].(int64)
		errs, _ := e.Props["error_count"].(int64)
		addCount(counts, countKey{dimUsage, day, str("kind"), str("name"), str("client_name")}, n, errs)
	case schema.EventIndex:
		langs, _ := e.Props["languages"].([]string)
		for _, l := range langs {
			addCount(counts, countKey{dimLanguage, day, l, "", ""}, 1, 0)
		}
		if b := str("file_count_bucket"); b != "" {
			addCount(counts, countKey{dimFiles, day, b, "", ""}, 1, 0)
		}
		if b := str("duration_bucket"); b != "" {
			addCount(counts, countKey{dimDuration, day, b, "", ""}, 1, 0)
		}
	}
	if e.Event == schema.EventInstall || e.Event == schema.EventIndex {
		if b := str("sqlite_backend"); b != "" {
			addCount(counts, countKey{dimBackend, day, b, "", ""}, 1, 0)
		}
	}
}

var noTargets = []string{noneTarget}

// propString is e's string prop k, "" when it has none.
func propString(e *Accepted, k string) string {
	s, _ := e.Props[k].(string)
	return s
}

// eventTargets is e's targets, or noTargets for an event that names none.
func eventTargets(e *Accepted) []string {
	if l, _ := e.Props["targets"].([]string); len(l) > 0 {
		return l
	}
	return noTargets
}

// eventCells adds to cells (once each) the figures e counts in whose
// machines are counted too: what a public report needs to fold a figure
// too few machines stand behind.
func eventCells(cells []cell, day int64, e *Accepted) []cell {
	add := func(dim, period int64, value string) {
		c := cell{dim, period, value}
		if !slices.Contains(cells, c) {
			cells = append(cells, c)
		}
	}
	str := func(k string) string { return propString(e, k) }
	switch e.Event {
	case schema.EventInstall:
		scope := str("scope")
		for _, t := range eventTargets(e) {
			add(seenInstall, 0, t+cellSep+scope)
		}
		add(seenInstallWeek, weekOf(day), str("kind"))
	case schema.EventUninstall:
		add(seenInstallWeek, weekOf(day), uninstallKind)
	case schema.EventUsageRollup:
		add(seenUsage, 0, str("kind")+cellSep+str("name")+cellSep+str("client_name"))
	case schema.EventIndex:
		langs, _ := e.Props["languages"].([]string)
		for _, l := range langs {
			add(seenLanguage, 0, l)
		}
		if b := str("file_count_bucket"); b != "" {
			add(seenFiles, 0, b)
		}
		if b := str("duration_bucket"); b != "" {
			add(seenDuration, 0, b)
		}
	}
	if e.Event == schema.EventInstall || e.Event == schema.EventIndex {
		if b := str("sqlite_backend"); b != "" {
			add(seenBackend, 0, b)
		}
	}
	return cells
}

func addCount(counts map[countKey]countVal, k countKey, n, errs int64) {
	v := counts[k]
	v.n += n
	v.errors += errs
	counts[k] = v
}

// writeRollups upserts the group's counts, records which machines are new
// in which breakdown, and bumps the distinct-machine counts for those.
func (w *storeWriter) writeRollups(ctx context.Context) error {
	if w.backfill {
		maps.DeleteFunc(w.counts, func(k countKey, _ countVal) bool { return k.dim != dimInstallKind && k.dim != dimBackend })
	}
	args := w.args[:0]
	for k, v := range w.counts {
		args = append(args, k.dim, k.day, k.a, k.b, k.c, v.n, v.errors)
	}
	if err := w.upDayCounts.exec(ctx, args); err != nil {
		return fmt.Errorf("sqlite day_counts: %w", err)
	}
	// totals: the same counts without the day.
	totals := make(map[countKey]countVal, len(w.counts))
	for k, v := range w.counts {
		k.day = 0
		addCount(totals, k, v.n, v.errors)
	}
	args = args[:0]
	for k, v := range totals {
		args = append(args, k.dim, k.a, k.b, k.c, v.n, v.errors)
	}
	if err := w.upTotals.exec(ctx, args); err != nil {
		return fmt.Errorf("sqlite totals: %w", err)
	}
	// first_seen: every key of a machine this group inserted is new, so
	// those rows are written and counted without asking; for the others
	// only the rows actually inserted come back, each a machine new to its
	// breakdown.
	args = args[:0]
	known := w.args2[:0]
	consider := func(k seenKey) {
		if w.backfill && !newInLayout3(k) {
			return
		}
		if _, ok := w.seen[k]; ok {
			return
		}
		w.seen[k] = struct{}{} // dedupes within the group; reload clears it on failure
		if w.newIDs[k.machine] {
			args = append(args, k.machine, k.dim, k.period, k.value)
			w.newCounts[machineCountKey{seenDims[k.dim], k.period, k.value}]++
		} else {
			known = append(known, k.machine, k.dim, k.period, k.value)
		}
	}
	for a := range w.active {
		week := weekOf(a.day)
		env := w.groupEnvs[a.env]
		for _, k := range [...]seenKey{
			{a.machine, seenDay, a.day, env.ciValue()},
			{a.machine, seenDay, a.day, ""},
			{a.machine, seenDayVersion, a.day, env.versionValue()},
			{a.machine, seenWeek, week, ""},
			{a.machine, seenWeek, week, env.ciValue()},
			{a.machine, seenWeekVersion, week, env.versionValue()},
			{a.machine, seenVersion, 0, env.versionValue()},
			{a.machine, seenPlatform, 0, env.platformValue()},
			{a.machine, seenRuntime, 0, env.runtimeValue()},
		} {
			consider(k)
		}
	}
	for _, k := range w.cellKeys {
		consider(k)
	}
	if err := w.insSeenNew.exec(ctx, args); err != nil {
		return fmt.Errorf("sqlite first_seen: %w", err)
	}
	err := w.insSeen.query(ctx, known, func(rows *sql.Rows) error {
		var dim int64
		var k machineCountKey
		if err := rows.Scan(&dim, &k.period, &k.value); err != nil {
			return err
		}
		k.dim = seenDims[dim]
		w.newCounts[k]++
		return nil
	})
	clear(known)
	w.args2 = known[:0]
	if err != nil {
		return fmt.Errorf("sqlite first_seen: %w", err)
	}
	args = args[:0]
	for k, n := range w.newCounts {
		args = append(args, k.dim, k.period, k.value, n)
	}
	if err := w.upMachineCount.exec(ctx, args); err != nil {
		return fmt.Errorf("sqlite machine_counts: %w", err)
	}
	clear(args)
	w.args = args[:0]
	clear(w.cellKeys)
	w.cellKeys = w.cellKeys[:0]
	for day, r := range w.rawDays {
		if _, err := w.upRawDay.ExecContext(ctx, day, r.first, r.last); err != nil {
			return fmt.Errorf("sqlite raw_days: %w", err)
		}
	}
	return nil
}

// resolveMachines finds the machines row of every segment of the group,
// inserting the machines never seen (first seen on their segment's first
// day) in one statement that returns the new rows.
func (w *storeWriter) resolveMachines(ctx context.Context, group []*prepared) error {
	if len(w.machines) >= cacheMaxMachines {
		clear(w.machines)
	}
	args := w.args[:0]
	asked := map[string]bool{}
	for _, p := range group {
		for i := range p.segs {
			sg := &p.segs[i]
			if _, ok := w.machines[sg.machine]; ok || asked[sg.machine] {
				continue
			}
			asked[sg.machine] = true
			args = append(args, sg.uuid, sg.firstDay)
		}
	}
	err := w.insMachines.query(ctx, args, func(rows *sql.Rows) error {
		var id, firstDay int64
		var raw []byte
		if err := rows.Scan(&id, &raw, &firstDay); err != nil {
			return err
		}
		w.machines[uuidString(raw)] = id
		w.newIDs[id] = true
		w.newCounts[machineCountKey{dimNew, weekOf(firstDay), ""}]++
		return nil
	})
	clear(args)
	w.args = args[:0]
	if err != nil {
		return fmt.Errorf("sqlite insert machines: %w", err)
	}
	for _, p := range group {
		for i := range p.segs {
			sg := &p.segs[i]
			if _, ok := w.machines[sg.machine]; ok {
				continue
			}
			// Known before, but not to the cache.
			var id int64
			if err := w.selMachine.QueryRowContext(ctx, sg.uuid).Scan(&id); err != nil {
				return fmt.Errorf("sqlite find machine: %w", err)
			}
			w.machines[sg.machine] = id
		}
	}
	return nil
}

func (w *storeWriter) envelopeID(ctx context.Context, k envKey) (int64, error) {
	if id, ok := w.envelopes[k]; ok {
		w.groupEnvs[id] = k
		return id, nil
	}
	args := k.args()
	var id int64
	err := w.selEnvelope.QueryRowContext(ctx, args...).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := w.insEnvelope.ExecContext(ctx, args...)
		if err != nil {
			return 0, fmt.Errorf("sqlite insert envelope: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return 0, fmt.Errorf("sqlite insert envelope: %w", err)
		}
	case err != nil:
		return 0, fmt.Errorf("sqlite find envelope: %w", err)
	}
	if len(w.envelopes) >= cacheMaxEnvelopes {
		clear(w.envelopes)
	}
	w.envelopes[k] = id
	w.groupEnvs[id] = k
	return id, nil
}

// uuidBytes is the 16 bytes of a machine ID in the 8-4-4-4-12 form that
// schema.ParseMachineID has already checked.
func uuidBytes(id string) ([]byte, error) {
	if len(id) != 36 {
		return nil, fmt.Errorf("machine id %q: not 36 characters", id)
	}
	out := make([]byte, 16)
	hexPart := id[0:8] + id[9:13] + id[14:18] + id[19:23] + id[24:36]
	if _, err := hex.Decode(out, []byte(hexPart)); err != nil {
		return nil, fmt.Errorf("machine id %q: %w", id, err)
	}
	return out, nil
}

// uuidString reverses uuidBytes.
func uuidString(b []byte) string {
	h := hex.EncodeToString(b)
	if len(h) != 32 {
		return h
	}
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
