package installcli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDeepConfigsRefusedFast runs the real binary on configs nested far
// deeper than any agent writes: a ~/.claude.json nested 700,000 levels
// (which overflowed the parser's stack, exit 2) and a Codex config.toml
// with 10,000 nested inline tables (over 40 s to parse). Both are refused,
// left untouched, with exit 1 (in well under a second: the time is logged,
// not asserted, as a loaded machine may take longer); so is a config over
// 64 MiB, from its size alone.
func TestDeepConfigsRefusedFast(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	deepJSON := append([]byte(`{"numStartups": 1, "x": `), bytes.Repeat([]byte("["), 700_000)...)
	deepJSON = append(append(deepJSON, bytes.Repeat([]byte("]"), 700_000)...), '}')
	deepTOML := []byte("model = \"o4\"\nx = " + strings.Repeat("{a = ", 10_000) + "1" + strings.Repeat("}", 10_000) + "\n")
	files := map[string][]byte{
		filepath.Join(home, ".claude.json"):                    deepJSON,
		filepath.Join(home, ".codex", "config.toml"):           deepTOML,
		filepath.Join(home, ".gemini", "settings.json"):        nil, // sparse, 64 MiB + 1
		filepath.Join(home, ".config", "goose", "config.yaml"): []byte(strings.Repeat("  ", 0) + deepYAML(2000)),
	}
	for path, b := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if b == nil {
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(64<<20 + 1); err != nil {
				t.Fatal(err)
			}
			f.Close()
			continue
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"--yes", "--targets", "claude,codex,gemini,goose", "--scope", "global", "--telemetry", "off"},
		{"doctor"},
	} {
		cmd := exec.Command(filepath.Join(binDir, "codegraph-install"), args...)
		cmd.Env = []string{"HOME=" + home, "PATH=" + binDir, "CODEGRAPH_TELEMETRY=0", "CODEGRAPH_TELEMETRY_ENDPOINT=http://127.0.0.1:9/v1/events"}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		start := time.Now()
		err := cmd.Run()
		elapsed := time.Since(start)
		code := cmd.ProcessState.ExitCode()
		t.Logf("%v: exit %d in %v\n%s%s", args, code, elapsed, out.String(), errb.String())
		if err == nil || code != 1 {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
		if args[0] == "doctor" {
			continue
		}
		for _, want := range []string{
			"✗ Claude Code", "✗ Codex CLI", "nested more than 1000 levels deep",
			"✗ Gemini CLI", "is larger than 64 MiB", "✗ goose",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("install output lacks %q", want)
			}
		}
	}
	for path, b := range files {
		got, err := os.ReadFile(path)
		if b != nil && (err != nil || !bytes.Equal(got, b)) {
			t.Errorf("%s changed", path)
		}
	}
}

// deepYAML is a mapping nested n levels by indentation.
func deepYAML(n int) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	return sb.String()
}
