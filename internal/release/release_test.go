package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

var testOptions = Options{
	Root:      testkit.RepoRoot(),
	Version:   "0.0.0-test",
	Commit:    "abc1234",
	Time:      time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
	Platforms: []Platform{Host()},
}

// dist builds the host platform once for the package's tests.
func dist(t *testing.T, out string) []Artifact {
	t.Helper()
	o := testOptions
	o.Out = out
	arts, err := Dist(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

// TestReleaseStories builds the host platform's release twice and checks,
// in order: the same commit packs to the same bytes; the archive holds what
// users need; the npm packages install with no registry and run through
// npx; and install.sh installs from a plain HTTP server, refusing a
// tampered archive.
func TestReleaseStories(t *testing.T) {
	out1, out2 := t.TempDir(), t.TempDir()
	arts := dist(t, out1)
	dist(t, out2)

	t.Run("reproducible", func(t *testing.T) {
		for _, name := range []string{ArchiveName(testOptions.Version, Host()), ChecksumsFile} {
			a, err1 := os.ReadFile(filepath.Join(out1, name))
			b, err2 := os.ReadFile(filepath.Join(out2, name))
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s differs between two builds of the same commit", name)
			}
		}
	})

	t.Run("archive", func(t *testing.T) {
		if Host().OS == "windows" {
			t.Skip("the tar listing below is for unix archives")
		}
		names := tarNames(t, arts[0].Archive)
		want := "CHANGELOG.md README.md TELEMETRY.md codegraph->codegraph-install codegraph-ingest codegraph-install"
		if got := strings.Join(names, " "); got != want {
			t.Errorf("archive holds %q, want %q", got, want)
		}
		out, err := exec.Command(filepath.Join(arts[0].BinDir, "codegraph-install"), "version", "--json").Output()
		if err != nil || !bytes.Contains(out, []byte(`"version": "0.0.0-test"`)) || !bytes.Contains(out, []byte(`"commit": "abc1234"`)) {
			t.Errorf("stamped version: %s, %v", out, err)
		}
	})

	t.Run("npm offline", func(t *testing.T) {
		npm := requireTool(t, "npm")
		o := testOptions
		o.Out = out1
		dirs, err := NPMPackages(o, arts)
		if err != nil {
			t.Fatal(err)
		}
		tgzs, err := Pack(context.Background(), dirs, out1)
		if err != nil {
			t.Fatal(err)
		}
		proj, home := t.TempDir(), testkit.Home(t)
		if err := os.WriteFile(filepath.Join(proj, "package.json"), []byte(`{"name":"t","version":"1.0.0","private":true}`), 0o644); err != nil {
			t.Fatal(err)
		}
		// The registry is a closed loopback port: nothing may be fetched.
		offline := []string{"--offline", "--registry", "http://127.0.0.1:9/", "--cache", filepath.Join(home, "npm-cache")}
		run := func(name string, args ...string) string {
			t.Helper()
			cmd := exec.Command(name, args...)
			cmd.Dir = proj
			cmd.Env = append(os.Environ(), "HOME="+home, "CODEGRAPH_TELEMETRY_ENDPOINT=http://127.0.0.1:9/v1/events", "DO_NOT_TRACK=", "CODEGRAPH_TELEMETRY=")
			b, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s %v: %v\n%s", name, args, err, b)
			}
			return string(b)
		}
		run(npm, append(append([]string{"install", "--no-audit", "--no-fund"}, offline...), tgzs...)...)
		npx := filepath.Join(filepath.Dir(npm), "npx")
		if got := run(npx, append(offline, "codegraph-install", "--version")...); !strings.HasPrefix(got, "codegraph-install 0.0.0-test\n") {
			t.Errorf("npx codegraph-install --version printed %q", got)
		}
		if got := run(npx, append(offline, "codegraph", "telemetry", "status")...); !strings.Contains(got, "Telemetry:") {
			t.Errorf("npx codegraph telemetry status printed %q", got)
		}
		// An install through npx points the agent at the copy in
		// ~/.codegraph/bin, which outlives npm's directories, and that copy
		// runs.
		run(npx, append(offline, "codegraph-install", "--yes", "--targets", "cursor", "--scope", "global", "--telemetry", "off")...)
		stable := filepath.Join(home, ".codegraph", "bin", "codegraph")
		cfg, err := os.ReadFile(filepath.Join(home, ".cursor", "mcp.json"))
		if err != nil || !strings.Contains(string(cfg), `"command": "`+stable+`"`) || strings.Contains(string(cfg), "node_modules") {
			t.Errorf("cursor's config after npx install: %s, %v", cfg, err)
		}
		if out, err := exec.Command(stable, "--version").Output(); err != nil || !strings.HasPrefix(string(out), "codegraph 0.0.0-test") {
			t.Errorf("the stable copy: %q, %v", out, err)
		}
	})

	t.Run("install.sh", func(t *testing.T) {
		if Host().OS == "windows" {
			t.Skip("install.sh is for unix shells")
		}
		sh := requireTool(t, "sh")
		install := func(t *testing.T, dir string) (string, string, error) {
			srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
			defer srv.Close()
			prefix := filepath.Join(testkit.Home(t), "bin")
			cmd := exec.Command(sh, filepath.Join(testkit.RepoRoot(), "install.sh"))
			cmd.Env = append(os.Environ(), "CODEGRAPH_BASE_URL="+srv.URL, "CODEGRAPH_PREFIX="+prefix, "HOME="+testkit.Home(t))
			out, err := cmd.CombinedOutput()
			return prefix, string(out), err
		}
		prefix, out, err := install(t, out1)
		if err != nil {
			t.Fatalf("install.sh: %v\n%s", err, out)
		}
		if !strings.Contains(out, "is not on your PATH") {
			t.Errorf("install.sh did not say the prefix is off PATH:\n%s", out)
		}
		got, err := exec.Command(filepath.Join(prefix, "codegraph"), "--version").Output()
		if err != nil || !strings.HasPrefix(string(got), "codegraph 0.0.0-test") {
			t.Errorf("installed codegraph --version: %q, %v", got, err)
		}

		// A tampered archive (one byte changed) is refused and nothing is
		// installed.
		tampered := t.TempDir()
		for _, name := range []string{ChecksumsFile, ArchiveName(testOptions.Version, Host())} {
			data, err := os.ReadFile(filepath.Join(out1, name))
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(name, ".tar.gz") {
				data[len(data)/2] ^= 0xff
			}
			if err := os.WriteFile(filepath.Join(tampered, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		prefix, out, err = install(t, tampered)
		if err == nil || !strings.Contains(out, "checksum mismatch") {
			t.Errorf("tampered archive: err %v, output:\n%s", err, out)
		}
		if _, err := os.Stat(filepath.Join(prefix, "codegraph-install")); !os.IsNotExist(err) {
			t.Errorf("a binary was installed from a tampered archive: %v", err)
		}
	})
}

// requireTool finds a program on PATH; CI must have it (.ci/run installs
// it), elsewhere its absence skips the story.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed: .ci/run must install it", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

func tarNames(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeSymlink {
			names = append(names, h.Name+"->"+h.Linkname)
		} else {
			names = append(names, h.Name)
		}
	}
}

func TestSemver(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"1.2.3":         "1.2.3",
		"1.2.3-rc.1":    "1.2.3-rc.1",
		"b78f0d4":       "0.0.0-dev.b78f0d4",
		"b78f0d4-dirty": "0.0.0-dev.b78f0d4-dirty",
		"1.2.3-4-gabc":  "1.2.3-4-gabc",
		"v1.2":          "0.0.0-dev.v1.2",
	} {
		if got := semver(in); got != want {
			t.Errorf("semver(%q) = %q, want %q", in, got, want)
		}
	}
}
