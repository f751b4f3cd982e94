//go:build unix && !pro

package telemetry

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// The crash tests run this test binary again as a child process that does
// one queue operation (a persist or a flush) in a real home directory,
// and kill it with SIGKILL: at each step of the operation (the queue's
// crash hook stops the child there and tells the parent), or at a random
// instant. After each
// kill they check what is on disk, let later processes recover, and hold
// the result to the contract: every line is in the queue once or done, only
// the oldest lines are dropped by the cap, a line marked sending may be
// lost but a line is never received twice.

const (
	helperEnv    = "CODEGRAPH_TELEMETRY_TEST_HELPER" // the child's mode
	helperHome   = "CODEGRAPH_TELEMETRY_TEST_HOME"
	helperNow    = "CODEGRAPH_TELEMETRY_TEST_NOW"    // the child's clock, RFC 3339
	helperStop   = "CODEGRAPH_TELEMETRY_TEST_STOP"   // "step#n": stop at the nth time step is reached
	helperArgs   = "CODEGRAPH_TELEMETRY_TEST_ARGS"   // names to record
	helperTrace  = "CODEGRAPH_TELEMETRY_TEST_TRACE"  // print every step reached
	helperResume = "CODEGRAPH_TELEMETRY_TEST_RESUME" // at the stop step, wait for a line on stdin instead of a kill
)

// TestHelperProcess is not a test: it is the child of the crash tests,
// and skips when run any other way. It sets the crash hook of every
// client it makes; nothing else ever sets one.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("the crash tests' child process")
	}
	stop, n := os.Getenv(helperStop), 0
	if s, count, ok := strings.Cut(stop, "#"); ok {
		stop = s
		n, _ = strconv.Atoi(count)
	}
	seen := map[string]int{}
	crash := func(step string) {
		seen[step]++
		if os.Getenv(helperTrace) != "" {
			fmt.Printf("STEP %s#%d\n", step, seen[step])
		}
		if step == stop && seen[step] == n {
			fmt.Printf("STOPPED %s#%d\n", step, n)
			if os.Getenv(helperResume) != "" {
				bufio.NewReader(os.Stdin).ReadString('\n')
				return
			}
			select {} // until the parent's SIGKILL
		}
	}
	now, err := time.Parse(time.RFC3339Nano, os.Getenv(helperNow))
	if err != nil {
		now = time.Now()
	}
	env := map[string]string{EnvEndpoint: os.Getenv(EnvEndpoint)}
	client := func(at time.Time) *Client {
		c := New(Options{Home: os.Getenv(helperHome), Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return at }})
		c.queue.crash = crash
		return c
	}
	switch mode {
	case "persist":
		c := client(now)
		for _, name := range strings.Split(os.Getenv(helperArgs), ",") {
			c.Counter(schema.UsageCLICommand, name).Record(true)
		}
		c.Persist()
	case "flush":
		client(now).Flush(context.Background())
	case "loop":
		// Persist one line a day, flush every third day, until killed.
		for i := 0; ; i++ {
			c := client(now.Add(time.Duration(i) * 24 * time.Hour))
			name := fmt.Sprintf("r%05d", i)
			c.Counter(schema.UsageCLICommand, name).Record(true)
			c.Persist()
			fmt.Printf("PERSISTED %s\n", name)
			if i%3 == 2 {
				c.Flush(context.Background())
			}
			c.Close()
		}
	}
	fmt.Println("DONE")
}

// child is one run of the helper process.
type child struct {
	mode, home, endpoint, stop, args string
	now                              time.Time
	killAfter                        time.Duration // > 0: SIGKILL after this long
	trace                            bool
}

// run starts the child and returns what it printed; stopped reports that
// it was killed (at its stop step, or by killAfter).
func (ch child) run(t *testing.T) (lines []string, stopped bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		helperEnv+"="+ch.mode, helperHome+"="+ch.home, helperNow+"="+ch.now.Format(time.RFC3339Nano),
		helperStop+"="+ch.stop, helperArgs+"="+ch.args, EnvEndpoint+"="+ch.endpoint,
		"HOME="+ch.home)
	if ch.trace {
		cmd.Env = append(cmd.Env, helperTrace+"=1")
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := func() { syscall.Kill(cmd.Process.Pid, syscall.SIGKILL) }
	var timer *time.Timer
	var mu sync.Mutex
	killed := false
	if ch.killAfter > 0 {
		timer = time.AfterFunc(ch.killAfter, func() { mu.Lock(); killed = true; mu.Unlock(); kill() })
	}
	guard := time.AfterFunc(30*time.Second, kill)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		lines = append(lines, line)
		if strings.HasPrefix(line, "STOPPED ") {
			kill()
			mu.Lock()
			killed = true
			mu.Unlock()
		}
	}
	err = cmd.Wait()
	hung := !guard.Stop()
	if timer != nil {
		timer.Stop()
	}
	mu.Lock()
	defer mu.Unlock()
	if hung {
		t.Fatalf("child %s hung: killed after 30s\n%s", ch.mode, strings.Join(lines, "\n"))
	}
	if !killed && err != nil {
		t.Fatalf("child %s: %v\n%s", ch.mode, err, strings.Join(lines, "\n"))
	}
	return lines, killed
}

// rollupLine is one unique queue line: a cli_command rollup named name.
func rollupLine(name string, day time.Time) string {
	return marshalString(entry{Event: schema.EventUsageRollup, TS: day.UTC().Truncate(24 * time.Hour).Format(time.RFC3339), Props: map[string]any{"kind": schema.UsageCLICommand, "name": name, "count": int64(1)}})
}

func marshalString(e entry) string { return string(marshalEntry(e)) }

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%05d", prefix, i)
	}
	return out
}

func linesOf(names []string, day time.Time) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(rollupLine(n, day) + "\n")
	}
	return b.String()
}

// fillQueueLeavingRoomFor writes a queue so full that next (a line) fits,
// with 10 bytes to spare, and a second line of its size does not: old
// lines, three days old, then padding.
func fillQueueLeavingRoomFor(t *testing.T, home, next string) {
	t.Helper()
	old := day1.Add(-72 * time.Hour)
	line := len(rollupLine("f00000", old)) + 1
	room := len(next) + 1 + 10
	fill := linesOf(names("f", (QueueCap-room-100)/line), old)
	writeQueue(t, home, fill+strings.Repeat("x", QueueCap-room-len(fill)-1)+"\n")
}

// disk is what the state directory holds, by line name.
type disk struct {
	pending   map[string]int // in the queue or a claim's pending sections
	sending   map[string]int // in a claim's sending sections
	malformed []string       // complete lines that are neither events nor markers
}

func readDisk(t *testing.T, home string) disk {
	t.Helper()
	d := disk{pending: map[string]int{}, sending: map[string]int{}}
	dir := statedir.ForHome(home)
	files, _ := filepath.Glob(dir.SendingPattern())
	files = append(files, dir.Queue())
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		token, _ := dir.SendingToken(f)
		all, _ := parseLines(data, "")
		pending, _ := parseLines(data, token)
		for _, e := range pending {
			d.pending[e.Props["name"].(string)]++
		}
		for _, e := range all {
			d.sending[e.Props["name"].(string)]++
		}
		for _, e := range pending {
			d.sending[e.Props["name"].(string)]--
		}
		complete := string(data)
		if i := strings.LastIndexByte(complete, '\n'); i >= 0 {
			complete = complete[:i]
		} else {
			continue // no complete line
		}
		for _, l := range strings.Split(complete, "\n") {
			if _, _, ok := parseMarker([]byte(l)); ok {
				continue
			}
			if es, _ := parseLines([]byte(l), ""); len(es) != 1 {
				d.malformed = append(d.malformed, filepath.Base(f)+": "+l)
			}
		}
	}
	for k, v := range d.sending {
		if v == 0 {
			delete(d.sending, k)
		}
	}
	return d
}

// receivedNames counts the lines a collector received, by name.
func receivedNames(cs ...*collector) map[string]int {
	out := map[string]int{}
	for _, c := range cs {
		for _, e := range c.events() {
			if p, ok := e["props"].(map[string]any); ok {
				if n, ok := p["name"].(string); ok {
					out[n]++
				}
			}
		}
	}
	return out
}

// recover runs flushes of later processes, an hour past any claim's time,
// until nothing more is sent.
func recoverQueue(t *testing.T, home, endpoint string) {
	t.Helper()
	later := time.Now().Add(2 * StaleClaim)
	env := map[string]string{EnvEndpoint: endpoint}
	for i := 0; i < 12; i++ {
		c := New(Options{Home: home, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return later }})
		var asked bool
		c.opts.HTTPClient = &http.Client{Transport: countingTransport{&asked}}
		c.Flush(context.Background())
		if !asked {
			return // nothing was due any more
		}
	}
}

// countingTransport notes that a request was made.
type countingTransport struct{ asked *bool }

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	*t.asked = true
	return http.DefaultTransport.RoundTrip(r)
}

// scenario is a state to start from and an operation to kill.
type scenario struct {
	name     string
	mode     string
	prepare  func(t *testing.T, home string, now time.Time)
	initial  []string // lines in the state directory before the operation
	sending0 []string // lines in a dead sender's sending section from the start
	args     []string // lines the child persists
	capDrops bool     // the oldest initial lines may be dropped by the cap
	endpoint func(t *testing.T) (string, []*collector)
}

func setChoiceOn(t *testing.T, home string) {
	t.Helper()
	store := consent.NewStore(statedir.ForHome(home), func(string) string { return "" }, time.Now)
	if _, err := store.SetChoice(true, consent.SourceCLI); err != nil {
		t.Fatal(err)
	}
}

func okEndpoint(t *testing.T) (string, []*collector) {
	c := newCollector(t, http.StatusNoContent)
	return c.srv.URL, []*collector{c}
}

func refusedEndpoint(t *testing.T) (string, []*collector) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/v1/events", nil
}

// hangingEndpoint stores each body and answers only after SendTimeout.
func hangingEndpoint(t *testing.T) (string, []*collector) {
	c := newCollector(t, http.StatusNoContent)
	c.hang()
	return c.srv.URL, []*collector{c}
}

func crashScenarios() []scenario {
	var out []scenario
	small := names("a", 50)
	out = append(out, scenario{
		name: "append", mode: "persist", initial: small, args: names("m", 5),
		prepare: func(t *testing.T, home string, now time.Time) {
			writeQueue(t, home, linesOf(small, now.Add(-72*time.Hour)))
		},
		endpoint: okEndpoint,
	})
	// Just under the cap: the persist compacts.
	full := names("f", QueueCap/len(rollupLine("f00000", time.Now()))-2)
	out = append(out, scenario{
		name: "compact", mode: "persist", initial: full, args: names("m", 5), capDrops: true,
		prepare: func(t *testing.T, home string, now time.Time) {
			writeQueue(t, home, linesOf(full, now.Add(-72*time.Hour)))
		},
		endpoint: okEndpoint,
	})
	// The same with what earlier versions and killed writers leave: the
	// spare copy of the queue, a temporary file of a compaction.
	out = append(out, scenario{
		name: "compact-leftovers", mode: "persist", initial: full, args: names("m", 5), capDrops: true,
		prepare: func(t *testing.T, home string, now time.Time) {
			dir := statedir.ForHome(home)
			writeQueue(t, home, linesOf(full, now.Add(-72*time.Hour)))
			os.WriteFile(dir.QueueTemp("spare"), []byte(linesOf(full[:100], now.Add(-96*time.Hour))), 0o600)
			os.WriteFile(filepath.Join(dir.Root(), ".telemetry-queue.jsonl.codegraph-tmp-1"), []byte(linesOf(full[:100], now)), 0o600)
		},
		endpoint: okEndpoint,
	})
	// More than 8 requests' worth of due lines, today's lines that stay,
	// and two claims of dead senders: one raw, one divided with a section
	// that was sending when its sender died.
	due, today, raw := names("d", 850), names("t", 10), names("c", 20)
	keep, pend, sent := names("k", 5), names("p", 5), names("s", 5)
	prepare := func(t *testing.T, home string, now time.Time) {
		old := now.Add(-72 * time.Hour)
		writeQueue(t, home, linesOf(due, old)+linesOf(today, now))
		dir := statedir.ForHome(home)
		os.WriteFile(dir.Sending("dead-raw"), []byte(linesOf(raw, old)), 0o600)
		tok := "dead-divided"
		b := []byte(linesOf(keep, old))
		b, _ = appendMarker(b, tok, statePending)
		b = append(b, linesOf(pend, old)...)
		b, _ = appendMarker(b, tok, stateSending)
		b = append(b, linesOf(sent, old)...)
		os.WriteFile(dir.Sending(tok), b, 0o600)
		stale := time.Now().Add(-3 * StaleClaim)
		os.Chtimes(dir.Sending("dead-raw"), stale, stale)
		os.Chtimes(dir.Sending(tok), stale, stale)
	}
	initial := append(append(append(append(append([]string{}, due...), today...), raw...), keep...), pend...)
	for _, ep := range []struct {
		name string
		fn   func(t *testing.T) (string, []*collector)
	}{{"flush", okEndpoint}, {"flush-offline", refusedEndpoint}, {"flush-timeout", hangingEndpoint}} {
		out = append(out, scenario{name: ep.name, mode: "flush", prepare: prepare, initial: initial, sending0: sent, endpoint: ep.fn})
	}
	return out
}

// TestCrashAtEveryStep kills a persisting or flushing process at every
// step of its operation, for a queue that is appended to, compacted,
// claimed, divided, sent (to a server that answers, to none, to one that
// never answers) and put back, with dead senders' claims to merge.
func TestCrashAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes at every step: not in -short")
	}
	t.Parallel()
	for _, sc := range crashScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			// A run without a stop lists the steps the operation takes.
			now := time.Now()
			home := newHome(t, sc, now)
			ep, _ := sc.endpoint(t)
			lines, _ := child{mode: sc.mode, home: home, endpoint: ep, now: now, args: strings.Join(sc.args, ","), stop: "none#0", trace: true}.run(t)
			var traced []string
			last := map[string]int{}
			for _, l := range lines {
				if s, ok := strings.CutPrefix(l, "STEP "); ok {
					traced = append(traced, s)
					name, n, _ := strings.Cut(s, "#")
					last[name], _ = strconv.Atoi(n)
				}
			}
			// A step repeated (one per request) is killed at its first two
			// and its last occurrence: the others take the same path.
			var steps []string
			for _, s := range traced {
				name, n, _ := strings.Cut(s, "#")
				if k, _ := strconv.Atoi(n); k <= 2 || k == last[name] {
					steps = append(steps, s)
				}
			}
			if len(steps) == 0 {
				t.Fatalf("no steps traced: %q", lines)
			}
			t.Logf("%d steps traced, %d killed at: %s", len(traced), len(steps), strings.Join(steps, " "))
			// Children mostly wait (for a kill, a timeout): a few at a time,
			// beyond what -parallel allows for CPU-bound tests.
			sem := make(chan struct{}, 4)
			var wg sync.WaitGroup
			for _, step := range steps {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer func() { <-sem; wg.Done() }()
					t.Run(step, func(t *testing.T) {
						now := time.Now()
						home := newHome(t, sc, now)
						ep, cols := sc.endpoint(t)
						_, stopped := child{mode: sc.mode, home: home, endpoint: ep, now: now, args: strings.Join(sc.args, ","), stop: step}.run(t)
						if !stopped {
							t.Fatalf("the child did not reach %s", step)
						}
						for _, c := range cols {
							c.drain()
						}
						checkAfterKill(t, sc, home, cols)
					})
				}()
			}
			wg.Wait()
		})
	}
}

func newHome(t *testing.T, sc scenario, now time.Time) string {
	home := t.TempDir()
	setChoiceOn(t, home)
	sc.prepare(t, home, now)
	return home
}

// checkAfterKill holds the state after a kill, and after recovery, to the
// contract.
func checkAfterKill(t *testing.T, sc scenario, home string, cols []*collector) {
	t.Helper()
	at := readDisk(t, home)
	if len(at.malformed) > 0 {
		t.Errorf("the queue does not parse after the kill: %q", at.malformed)
	}
	before := receivedNames(cols...)
	for n, k := range at.pending {
		if k > 1 {
			t.Errorf("line %s is on disk %d times", n, k)
		}
		if before[n] > 0 {
			t.Errorf("line %s was received and is still pending", n)
		}
	}
	for n, k := range before {
		if k > 1 {
			t.Errorf("line %s received %d times", n, k)
		}
	}
	// Only the oldest lines go to the cap: what is left of the initial
	// queue is a contiguous run of its newest lines.
	minKept := len(sc.initial)
	if sc.capDrops {
		for i, n := range sc.initial {
			if at.pending[n] > 0 && i < minKept {
				minKept = i
			}
		}
		for _, n := range sc.initial[minKept:] {
			if at.pending[n] == 0 {
				t.Errorf("line %s lost by a compaction that kept older ones", n)
			}
		}
	}
	rec := newCollector(t, http.StatusNoContent)
	recoverQueue(t, home, rec.srv.URL)
	got := receivedNames(append(cols, rec)...)
	after := readDisk(t, home)
	for n, k := range got {
		if k > 1 {
			t.Errorf("line %s received %d times", n, k)
		}
		if after.pending[n] > 0 {
			t.Errorf("line %s received and still queued", n)
		}
	}
	for _, n := range sc.sending0 {
		if got[n] > 0 {
			t.Errorf("line %s of a dead sender's sending section was sent again", n)
		}
	}
	isInitial := map[string]int{}
	for i, n := range sc.initial {
		isInitial[n] = i + 1
	}
	var lost []string
	for _, n := range append(append([]string{}, sc.initial...), sc.args...) {
		if got[n] == 1 || after.pending[n] == 1 {
			continue
		}
		switch {
		case at.sending[n] > 0:
			// marked sending when the process died: may be lost
		case sc.capDrops && isInitial[n] > 0 && isInitial[n]-1 < minKept:
			// the oldest, dropped by the cap
		case isInitial[n] == 0 && at.pending[n] == 0 && before[n] == 0:
			// the killed persist had not written it yet
		default:
			lost = append(lost, n)
		}
	}
	if len(lost) > 0 {
		sort.Strings(lost)
		t.Errorf("%d lines lost: %v", len(lost), lost[:min(len(lost), 10)])
	}
}

// TestCrashAtRandomInstants kills a process that persists and flushes in
// a loop after a random delay, mid-syscall as likely as between steps.
func TestCrashAtRandomInstants(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes: not in -short")
	}
	t.Parallel()
	base := time.Date(2020, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 12; i++ {
		home := t.TempDir()
		setChoiceOn(t, home)
		// A server per run: a request of a killed child is counted in its
		// run, however late it is read (drain), never in the next one's.
		srv := newCollector(t, http.StatusNoContent)
		lines, _ := child{mode: "loop", home: home, endpoint: srv.srv.URL, now: base, killAfter: time.Duration(40+rand.IntN(260)) * time.Millisecond}.run(t)
		srv.drain()
		var persisted []string
		for _, l := range lines {
			if n, ok := strings.CutPrefix(l, "PERSISTED "); ok {
				persisted = append(persisted, n)
			}
		}
		at := readDisk(t, home)
		if len(at.malformed) > 0 {
			t.Errorf("run %d: the queue does not parse after the kill: %q", i, at.malformed)
		}
		sentBefore := receivedNames(srv)
		for n, k := range at.pending {
			if k > 1 || sentBefore[n] > 0 {
				t.Errorf("run %d: line %s pending %d times, received %d times", i, n, k, sentBefore[n])
			}
		}
		rec := newCollector(t, http.StatusNoContent)
		recoverQueue(t, home, rec.srv.URL)
		got := receivedNames(srv, rec)
		after := readDisk(t, home)
		for _, n := range persisted {
			if got[n]+after.pending[n] != 1 && at.sending[n] == 0 {
				t.Errorf("run %d: line %s received %d times, queued %d times", i, n, got[n], after.pending[n])
			}
		}
		for n, k := range got {
			if k > 1 {
				t.Errorf("run %d: line %s received %d times", i, n, k)
			}
		}
	}
}

// TestAppendAfterTheQueueWasReplaced: a process is about to take the
// queue's lock, and before it does another compacts the queue (renaming a
// new file over it), with or without an earlier version's spare copy
// lying beside it. Its line must land in the queue, not in the file that
// was the queue a moment ago.
func TestAppendAfterTheQueueWasReplaced(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process: not in -short")
	}
	t.Parallel()
	for _, spare := range []bool{true, false} {
		t.Run(fmt.Sprintf("spare=%v", spare), func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			setChoiceOn(t, home)
			old := time.Now().Add(-72 * time.Hour)
			full := names("f", (QueueCap-300)/len(rollupLine("f00000", old)))
			writeQueue(t, home, linesOf(full, old))
			dir := statedir.ForHome(home)
			if spare {
				os.WriteFile(dir.QueueTemp("spare"), []byte(linesOf(full, old)), 0o600)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), helperEnv+"=persist", helperHome+"="+home, helperNow+"="+old.Format(time.RFC3339Nano),
				helperStop+"=lock:opened#1", helperArgs+"=late", helperResume+"=1")
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			sc := bufio.NewScanner(stdout)
			for sc.Scan() && !strings.HasPrefix(sc.Text(), "STOPPED") {
			}
			// The child is about to lock the queue: compact it first.
			c := New(Options{Home: home, Now: func() time.Time { return old }})
			c.Counter(schema.UsageCLICommand, "compactor").Record(true)
			c.Persist()
			fmt.Fprintln(stdin, "go")
			for sc.Scan() {
			}
			if err := cmd.Wait(); err != nil {
				t.Fatal(err)
			}
			d := readDisk(t, home)
			if d.pending["late"] != 1 || d.pending["compactor"] != 1 {
				t.Errorf("after the compaction under its feet: late %d, compactor %d; want 1 and 1", d.pending["late"], d.pending["compactor"])
			}
			if d.pending[full[0]] != 0 {
				t.Errorf("no compaction happened")
			}
		})
	}
}
