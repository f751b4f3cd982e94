package release

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Run is `codegraph-release`: flags, then Dist and, with -npm, the npm
// packages packed with `npm pack`. Version, commit and time default to the
// repository's (git describe, the commit, its commit time).
func Run(ctx context.Context, root string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("codegraph-release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "dist", "output directory")
	version := fs.String("version", "", "version to stamp (default: git describe, without a leading v)")
	commit := fs.String("commit", "", "commit to stamp (default: git rev-parse --short HEAD)")
	which := fs.String("platforms", "all", `"all" (six platforms) or "host"`)
	npm := fs.Bool("npm", false, "also write and pack the npm packages")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o := Options{Root: root, Out: *out, Version: *version, Commit: *commit, Log: stderr, Platforms: Platforms}
	switch *which {
	case "all":
	case "host":
		o.Platforms = []Platform{Host()}
	default:
		return fmt.Errorf("-platforms must be all or host, not %q", *which)
	}
	if o.Version == "" {
		o.Version = strings.TrimPrefix(git(ctx, root, "0.0.0-dev", "describe", "--tags", "--always", "--dirty"), "v")
	}
	o.Version = semver(o.Version)
	if o.Commit == "" {
		o.Commit = git(ctx, root, "unknown", "rev-parse", "--short", "HEAD")
	}
	o.Time = time.Unix(0, 0).UTC()
	if s, err := strconv.ParseInt(git(ctx, root, "", "log", "-1", "--format=%ct"), 10, 64); err == nil {
		o.Time = time.Unix(s, 0).UTC()
	}
	arts, err := Dist(ctx, o)
	if err != nil {
		return err
	}
	for _, a := range arts {
		fmt.Fprintln(stdout, a.Archive)
	}
	if !*npm {
		return nil
	}
	dirs, err := NPMPackages(o, arts)
	if err != nil {
		return err
	}
	tgzs, err := Pack(ctx, dirs, o.Out)
	for _, t := range tgzs {
		fmt.Fprintln(stdout, t)
	}
	return err
}

// Pack runs `npm pack` in each package directory, writing the tarballs
// into out/npm, and returns their paths.
func Pack(ctx context.Context, dirs []string, out string) ([]string, error) {
	var tgzs []string
	for _, d := range dirs {
		cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", "--pack-destination", "..")
		cmd.Dir = d
		b, err := cmd.Output()
		if err != nil {
			return tgzs, fmt.Errorf("npm pack in %s: %w", d, err)
		}
		lines := strings.Fields(string(b))
		if len(lines) == 0 {
			return tgzs, fmt.Errorf("npm pack in %s printed no file name", d)
		}
		tgzs = append(tgzs, d+"/../"+lines[len(lines)-1])
	}
	return tgzs, nil
}

func git(ctx context.Context, root, fallback string, args ...string) string {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = root
	b, err := cmd.Output()
	if err != nil {
		return fallback
	}
	return strings.TrimSpace(string(b))
}

// semverPattern is what npm accepts as a version: MAJOR.MINOR.PATCH with an
// optional pre-release and build part.
var semverPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// semver keeps a version npm accepts and turns anything else (git describe
// of an untagged commit, "abc1234-dirty") into a pre-release of 0.0.0.
func semver(v string) string {
	if semverPattern.MatchString(v) {
		return v
	}
	clean := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, v)
	return "0.0.0-dev." + strings.Trim(clean, ".-")
}
