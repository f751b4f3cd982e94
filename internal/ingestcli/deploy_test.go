package ingestcli

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/getcodegraph/codegraph-install/internal/harness"
)

// The tests of deploy/: the Dockerfile read as Docker would and its
// build and commands run here (Docker itself is not needed), and the
// systemd unit checked by systemd-analyze and its ExecStart started.

// built is codegraph-ingest built once for the tests that run the real
// binary, as releases are (harness.BuildFlags, harness.BuildEnv).
var built struct {
	once      sync.Once
	dir, path string
	err       error
}

func ingestBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "codegraph-ingest-bin-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "codegraph-ingest")
		cmd := exec.Command("go", append(append([]string{"build", "-o", built.path}, harness.BuildFlags...), "./cmd/codegraph-ingest")...)
		cmd.Dir = harness.RepoRoot()
		cmd.Env = append(os.Environ(), harness.BuildEnv...)
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

func removeBuilt() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}

// runUntilHealthy starts argv with exactly env, waits for serve's
// "listening" line and for /healthz on 127.0.0.1, and returns the process
// and its address. The process is killed at the end of the test if it
// still runs.
func runUntilHealthy(t *testing.T, argv, env []string) (*exec.Cmd, string, *harness.SyncBuffer, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	addr, logs, exited := startListening(t, cmd)
	if host, _, _ := net.SplitHostPort(addr); host != "127.0.0.1" {
		t.Fatalf("listening on %s, want 127.0.0.1", addr)
	}
	if err := harness.WaitHealthy(addr, 15*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	return cmd, addr, logs, exited
}

// stopWith sends sig and wants exit 0 within d.
func stopWith(t *testing.T, cmd *exec.Cmd, exited <-chan struct{}, logs *harness.SyncBuffer, sig syscall.Signal, d time.Duration) {
	t.Helper()
	cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(d):
		t.Fatalf("still running %s after %v", d, sig)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d after %v\n%s", code, sig, logs.String())
	}
}

// dockerInstr is one instruction of a Dockerfile, continuation lines
// joined, in the stage it belongs to (0 for the first FROM).
type dockerInstr struct {
	stage int
	cmd   string // upper case: FROM, RUN, …
	args  string
}

// parseDockerfile reads the Dockerfile format as
// https://docs.docker.com/reference/dockerfile/ describes it, as far as
// deploy/Dockerfile uses it: comments and parser directives (# lines),
// "\" continuations, one instruction a line.
func parseDockerfile(t *testing.T, file string) []dockerInstr {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []dockerInstr
	stage := -1
	var pending string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if pending == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			pending += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line, pending = pending+line, ""
		cmd, args, _ := strings.Cut(line, " ")
		cmd = strings.ToUpper(cmd)
		if cmd == "FROM" {
			stage++
		}
		out = append(out, dockerInstr{stage, cmd, strings.TrimSpace(args)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// shellWords splits a simple shell command into words: spaces separate,
// double and single quotes group. Anything a shell would do more with
// ($, ;, &&, |, backslashes, globs) fails the test, so that what it runs is
// what the shell would.
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	if strings.ContainsAny(s, "$;&|\\`*?<>") {
		t.Fatalf("%q: more shell than this test runs", s)
	}
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("%q: unclosed quote", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// dockerEnv reads ENV key=value pairs (quotes removed).
func dockerEnv(t *testing.T, args string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, w := range shellWords(t, args) {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			t.Fatalf("ENV %q: only the key=value form is read", args)
		}
		env[k] = v
	}
	return env
}

func jsonArray(t *testing.T, what, s string) []string {
	t.Helper()
	var a []string
	if err := json.Unmarshal([]byte(s), &a); err != nil || len(a) == 0 {
		t.Fatalf("%s %s: want the exec (JSON array) form: %v", what, s, err)
	}
	return a
}

// TestDockerfile reads deploy/Dockerfile and checks what the image promises
// against the code: a multi-stage build with go.mod's Go, a static
// CGO_ENABLED=0 build of ./cmd/codegraph-ingest (run here with the
// Dockerfile's own command, and the binary checked for no dynamic loader
// or libraries), a runtime stage that is not the toolchain, a user that is
// not root and owns the volume the store is on, the port serve listens on
// exposed, and a HEALTHCHECK that runs the binary itself. Then it starts
// the binary as the image would (ENTRYPOINT, CMD and ENV, the volume a
// temporary directory, 127.0.0.1 for the wildcard address), runs the
// HEALTHCHECK command against it, and stops it with STOPSIGNAL.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	instrs := parseDockerfile(t, filepath.Join(harness.RepoRoot(), "deploy", "Dockerfile"))
	last := instrs[len(instrs)-1].stage
	if last < 1 {
		t.Fatalf("%d stage(s), want a build stage and a runtime stage", last+1)
	}
	var (
		buildImage, runImage, buildRun, user, healthcheck string
		entrypoint, cmdLine, volumes                      []string
		copies                                            []string
		env                                               = map[string]string{}
		expose                                            []string
		stopSignal                                        = "SIGTERM"
	)
	for _, in := range instrs {
		switch {
		case in.cmd == "FROM" && in.stage == 0:
			buildImage = in.args
		case in.cmd == "FROM" && in.stage == last:
			runImage = in.args
		case in.cmd == "RUN" && in.stage < last && strings.Contains(in.args, "go build"):
			buildRun = in.args
		case in.stage != last:
		case in.cmd == "USER":
			user = in.args
		case in.cmd == "COPY":
			copies = append(copies, in.args)
		case in.cmd == "ENV":
			for k, v := range dockerEnv(t, in.args) {
				env[k] = v
			}
		case in.cmd == "VOLUME":
			volumes = jsonArray(t, "VOLUME", in.args)
		case in.cmd == "EXPOSE":
			expose = strings.Fields(in.args)
		case in.cmd == "HEALTHCHECK":
			healthcheck = in.args
		case in.cmd == "STOPSIGNAL":
			stopSignal = in.args
		case in.cmd == "ENTRYPOINT":
			entrypoint = jsonArray(t, "ENTRYPOINT", in.args)
		case in.cmd == "CMD":
			cmdLine = jsonArray(t, "CMD", in.args)
		}
	}

	goMod, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(goMod)
	if goLine == nil || !strings.HasPrefix(buildImage, "golang:"+string(goLine[1])) || !strings.HasSuffix(buildImage, " AS build") {
		t.Errorf("build stage FROM %q, want golang:%s… AS build (go.mod's Go)", buildImage, goLine[1])
	}
	if strings.HasPrefix(runImage, "golang") || runImage == "" {
		t.Errorf("runtime stage FROM %q: the toolchain image", runImage)
	}
	uid, _, _ := strings.Cut(user, ":")
	if n, err := strconv.Atoi(uid); user == "" || uid == "root" || (err == nil && n == 0) {
		t.Errorf("USER %q: the server must not run as root", user)
	}

	// The build command: CGO_ENABLED=0 go build … -o OUT ./cmd/codegraph-ingest
	words := shellWords(t, buildRun)
	var buildEnv []string
	for len(words) > 0 && strings.Contains(words[0], "=") {
		buildEnv, words = append(buildEnv, words[0]), words[1:]
	}
	if !slicesContain(buildEnv, "CGO_ENABLED=0") || len(words) < 2 || words[0] != "go" || words[1] != "build" || words[len(words)-1] != "./cmd/codegraph-ingest" {
		t.Fatalf("build RUN %q: want CGO_ENABLED=0 go build … ./cmd/codegraph-ingest", buildRun)
	}
	out := ""
	for i, w := range words {
		if w == "-o" && i+1 < len(words) {
			out = words[i+1]
		}
	}
	if len(entrypoint) != 1 || !slicesContain(copies, "--from=build "+out+" "+entrypoint[0]) {
		t.Errorf("ENTRYPOINT %q is not the binary the build writes (%s) copied into the image: COPY %q", entrypoint, out, copies)
	}

	// The store on the volume, owned by the user; the port exposed.
	db := env[EnvName("db")]
	if len(volumes) != 1 || path.Dir(db) != volumes[0] {
		t.Errorf("VOLUME %q, want the directory of %s=%s", volumes, EnvName("db"), db)
	}
	owned := false
	for _, c := range copies {
		f := strings.Fields(c)
		owned = owned || (slicesContain(f, "--chown="+user) && f[len(f)-1] == volumes[0])
	}
	if !owned {
		t.Errorf("nothing copies %s owned by %s: the user could not write the volume (COPY %q)", volumes[0], user, copies)
	}
	_, port, err := net.SplitHostPort(env[EnvName("addr")])
	if err != nil || len(expose) != 1 || expose[0] != port {
		t.Errorf("EXPOSE %q, want the port of %s=%s", expose, EnvName("addr"), env[EnvName("addr")])
	}
	hcCmd, hcArgs, _ := strings.Cut(healthcheck, " CMD ")
	probe := jsonArray(t, "HEALTHCHECK CMD", strings.TrimSpace(hcArgs))
	if !strings.Contains(hcCmd, "--interval=") || len(probe) != 2 || probe[0] != entrypoint[0] || probe[1] != "healthcheck" {
		t.Errorf("HEALTHCHECK %q, want options and CMD [%q, \"healthcheck\"]", healthcheck, entrypoint[0])
	}
	if len(cmdLine) != 1 || cmdLine[0] != "serve" {
		t.Errorf("CMD %q, want [\"serve\"]", cmdLine)
	}

	// The Dockerfile's build, run here.
	bin := filepath.Join(t.TempDir(), "codegraph-ingest")
	args := append([]string(nil), words[1:]...)
	for i := range args {
		if args[i] == "-o" {
			args[i+1] = bin
		}
	}
	build := exec.Command("go", args...)
	build.Dir = harness.RepoRoot()
	build.Env = append(os.Environ(), buildEnv...)
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the Dockerfile's go build: %v\n%s", err, msg)
	}
	if runtime.GOOS == "linux" {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		libs, _ := f.ImportedLibraries()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("the binary asks for a dynamic loader (PT_INTERP): not static")
			}
		}
		if len(libs) > 0 {
			t.Errorf("the binary needs shared libraries %q: not static", libs)
		}
		f.Close()
	}

	// The image's process, here: ENTRYPOINT + CMD with its ENV.
	volume := t.TempDir()
	runEnv := []string{"PATH=/usr/bin:/bin"}
	for k, v := range env {
		switch k {
		case EnvName("addr"):
			v = harness.ListenAddr // the container's wildcard, on loopback here
		case EnvName("db"):
			v = filepath.Join(volume, path.Base(v))
		}
		runEnv = append(runEnv, k+"="+v)
	}
	proc, addr, logs, exited := runUntilHealthy(t, append([]string{bin}, cmdLine...), runEnv)
	if _, err := os.Stat(filepath.Join(volume, path.Base(db))); err != nil {
		t.Errorf("the store is not on the volume: %v", err)
	}
	_, gotPort, _ := net.SplitHostPort(addr)
	hc := exec.Command(bin, probe[1:]...)
	hc.Env = append(runEnv, EnvName("addr")+"=:"+gotPort) // the image's ":port" form
	if msg, err := hc.CombinedOutput(); err != nil {
		t.Errorf("HEALTHCHECK command: %v\n%s", err, msg)
	}
	sig := map[string]syscall.Signal{"SIGTERM": syscall.SIGTERM, "SIGINT": syscall.SIGINT}[stopSignal]
	if sig == 0 {
		t.Fatalf("STOPSIGNAL %s: serve drains on SIGTERM or SIGINT only", stopSignal)
	}
	stopWith(t, proc, exited, logs, sig, 30*time.Second)
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// unitFile is the path of deploy/codegraph-ingest.service.
func unitFile() string {
	return filepath.Join(harness.RepoRoot(), "deploy", "codegraph-ingest.service")
}

// unitEntry is one Key=value line of a unit file.
type unitEntry struct{ section, key, value string }

// parseUnit reads the unit file format of systemd.syntax(7) as far as the
// unit uses it: [Section] headers, Key=value lines, # and ; comments. A
// continuation line (ending in "\") fails the test rather than being read
// wrong.
func parseUnit(t *testing.T, file string) []unitEntry {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []unitEntry
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case strings.HasSuffix(line, `\`):
			t.Fatalf("%s: continuation lines are not read by this test: %q", file, line)
		case line[0] == '[':
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: %q is not Key=value", file, line)
			}
			out = append(out, unitEntry{section, strings.TrimSpace(k), strings.TrimSpace(v)})
		}
	}
	return out
}

func unitValues(entries []unitEntry, section, key string) []string {
	var vs []string
	for _, e := range entries {
		if e.section == section && e.key == key {
			vs = append(vs, e.value)
		}
	}
	return vs
}

// expandSpecifiers replaces the systemd.unit(5) specifiers the unit uses:
// %S (the state directory root) and %%. Any other specifier fails the
// test, so a new one cannot go untried.
func expandSpecifiers(t *testing.T, s, stateRoot string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			t.Fatalf("%q ends in %%", s)
		}
		i++
		switch s[i] {
		case 'S':
			b.WriteString(stateRoot)
		case '%':
			b.WriteByte('%')
		default:
			t.Fatalf("%q: specifier %%%c not expanded by this test", s, s[i])
		}
	}
	return b.String()
}

// TestSystemdUnitSandbox: the unit sets the sandbox README's "Deploy"
// section promises (systemd.exec(5) and
// systemd.resource-control(5) define each option), and serves loopback
// unless a drop-in says otherwise.
func TestSystemdUnitSandbox(t *testing.T) {
	t.Parallel()
	entries := parseUnit(t, unitFile())
	for _, tc := range []struct{ key, want string }{
		{"DynamicUser", "yes"},
		{"StateDirectory", "codegraph-ingest"},
		{"ProtectSystem", "strict"},
		{"ProtectHome", "yes"},
		{"NoNewPrivileges", "yes"},
		{"PrivateTmp", "yes"},
		{"PrivateDevices", "yes"},
		{"RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"},
		{"SystemCallFilter", "@system-service"},
		{"CapabilityBoundingSet", ""},
		{"AmbientCapabilities", ""},
		{"MemoryMax", "1G"},
		{"Environment", EnvName("addr") + "=127.0.0.1:8787"},
	} {
		if got := unitValues(entries, "Service", tc.key); !slicesContain(got, tc.want) {
			t.Errorf("[Service] %s=%q not set (have %q)", tc.key, tc.want, got)
		}
	}
	if got := unitValues(entries, "Service", "ExecStart"); len(got) != 1 || !strings.HasPrefix(got[0], "/usr/local/bin/codegraph-ingest serve") {
		t.Errorf("ExecStart %q, want /usr/local/bin/codegraph-ingest serve…", got)
	}
}

// TestSystemdUnitVerifies: `systemd-analyze verify` accepts the unit with
// ExecStart pointed at a binary built from this repository (verify checks
// that it exists and is executable), without a single warning (verify
// exits 0 on an unknown key or a bad value, and only says so), and
// `systemd-analyze security --offline=yes` rates it "OK" or better (below
// 3.0 of 10). Skipped where systemd-analyze is not installed; .ci/run
// installs it, so CI never skips.
func TestSystemdUnitVerifies(t *testing.T) {
	t.Parallel()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("systemd-analyze is not installed, and .ci/run installs it")
		}
		t.Skip("systemd-analyze is not installed")
	}
	bin := ingestBinary(t)
	data, err := os.ReadFile(unitFile())
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "codegraph-ingest.service")
	rewritten := strings.ReplaceAll(string(data), "ExecStart=/usr/local/bin/codegraph-ingest ", "ExecStart="+bin+" ")
	if rewritten == string(data) {
		t.Fatal("ExecStart=/usr/local/bin/codegraph-ingest not found in the unit")
	}
	if err := os.WriteFile(unit, []byte(rewritten), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", unit).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	sec, err := exec.Command(analyze, "security", "--offline=yes", unit).CombinedOutput()
	if err != nil {
		t.Logf("systemd-analyze security --offline=yes is not supported here (systemd < 250?): %v", err)
		return
	}
	m := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`).FindSubmatch(sec)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", sec)
	}
	if level, _ := strconv.ParseFloat(string(m[1]), 64); level >= 3 {
		t.Errorf("exposure %.1f, want below 3.0:\n%s", level, sec)
	}
	t.Logf("systemd-analyze security: exposure %s", m[1])
}

// TestSystemdUnitStarts runs the unit's ExecStart as written, with the
// binary built from this repository in place of /usr/local/bin and the
// unit's Environment= lines (%S, the state directory root, a temporary
// directory in which the StateDirectory= is made as systemd would, mode
// 0700), the address only moved to a port of its own: serve answers
// /healthz on 127.0.0.1 and keeps its store in the state directory. The
// unit's ExecReload (SIGHUP) leaves it running, and SIGTERM, systemd's
// default KillSignal, ends it with 0 within TimeoutStopSec.
func TestSystemdUnitStarts(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("systemd is Linux's")
	}
	entries := parseUnit(t, unitFile())
	root := t.TempDir()
	state := unitValues(entries, "Service", "StateDirectory")
	if len(state) != 1 {
		t.Fatalf("StateDirectory= %q, want one", state)
	}
	if err := os.Mkdir(filepath.Join(root, state[0]), 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=/usr/bin:/bin", "STATE_DIRECTORY=" + filepath.Join(root, state[0])}
	for _, e := range unitValues(entries, "Service", "Environment") {
		kv := expandSpecifiers(t, e, root)
		if strings.HasPrefix(kv, EnvName("addr")+"=") {
			kv = EnvName("addr") + "=" + harness.ListenAddr // 8787 may be taken here
		}
		env = append(env, kv)
	}
	start := unitValues(entries, "Service", "ExecStart")
	argv := shellWords(t, expandSpecifiers(t, start[0], root))
	if argv[0] != "/usr/local/bin/codegraph-ingest" {
		t.Fatalf("ExecStart runs %s", argv[0])
	}
	argv[0] = ingestBinary(t)
	proc, _, logs, exited := runUntilHealthy(t, argv, env)
	if _, err := os.Stat(filepath.Join(root, state[0], "codegraph-telemetry.db")); err != nil {
		t.Errorf("the store is not in the state directory: %v", err)
	}

	reload := unitValues(entries, "Service", "ExecReload")
	if len(reload) != 1 {
		t.Fatalf("ExecReload= %q, want one", reload)
	}
	// systemd replaces $MAINPID (systemd.exec(5), "Environment variables
	// in spawned processes"); shellWords refuses the $ itself.
	rargv := shellWords(t, strings.ReplaceAll(reload[0], "$MAINPID", strconv.Itoa(proc.Process.Pid)))
	if msg, err := exec.Command(rargv[0], rargv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("ExecReload %q: %v\n%s", rargv, err, msg)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "nothing to reload"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no reload logged:\n%s", logs.String())
		}
	}
	stop, err := time.ParseDuration(unitValues(entries, "Service", "TimeoutStopSec")[0])
	if err != nil {
		t.Fatal(err)
	}
	stopWith(t, proc, exited, logs, syscall.SIGTERM, stop)
}

// TestReadmeListsEveryServeVariable: README's "Deploy" section has a row
// for every flag of serve with its variable and default, so a new flag
// cannot go undocumented.
func TestReadmeListsEveryServeVariable(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "\n## Deploy\n")
	if start < 0 {
		t.Fatal(`README.md has no "## Deploy" section`)
	}
	section := readme[start+1:]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:end+1]
	}
	var serve *cobra.Command
	for _, c := range NewRoot(Env{}).Commands() {
		if c.Name() == "serve" {
			serve = c
		}
	}
	serve.LocalFlags().VisitAll(func(f *pflag.Flag) {
		var row string
		for _, line := range strings.Split(section, "\n") {
			if strings.HasPrefix(line, "| ") && strings.Contains(line, "`--"+f.Name+"`") {
				row = line
			}
		}
		if row == "" || !strings.Contains(row, "`"+EnvName(f.Name)+"`") {
			t.Errorf("README's Deploy table has no row for --%s with %s", f.Name, EnvName(f.Name))
			return
		}
		if f.DefValue != "" && !strings.Contains(row, "`"+f.DefValue+"`") {
			t.Errorf("README's row for --%s does not give its default %q: %s", f.Name, f.DefValue, row)
		}
	})
}
