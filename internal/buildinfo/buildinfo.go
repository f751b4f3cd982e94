// Package buildinfo holds the version stamped into the binaries at link time
// (make build sets them with -ldflags -X) and derives the Go version fields
// the telemetry envelope reports.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// Set by the linker: -X github.com/getcodegraph/codegraph-install/internal/buildinfo.Version=…
var (
	Version = ""
	Commit  = ""
)

// CodegraphVersion is the version to report: the stamped one, else the
// module version when built with `go install module@version`, else
// DevVersion with the commit Go recorded, "0.0.0-dev+1a2b3c4" (a build from
// source is not a release, and its version says so in SemVer's words,
// rather than a bare commit hash that reads like none).
// readBuildInfo parses the binary's build information once: the version is
// asked for by the telemetry envelope, the MCP server's implementation info
// and the installer's manifest, and each parse allocates and walks the
// whole module list.
var readBuildInfo = sync.OnceValues(debug.ReadBuildInfo)

func CodegraphVersion() string {
	if Version != "" {
		return Version
	}
	if bi, ok := readBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return strings.TrimPrefix(bi.Main.Version, "v")
	}
	if c := CommitHash(); c != "unknown" && len(c) >= 7 {
		return DevVersion + "+" + c[:7]
	}
	return DevVersion
}

// DevVersion is the version of a build from source that was not stamped
// (go run, go build).
const DevVersion = "0.0.0-dev"

// CommitHash is the stamped commit, else the VCS revision Go recorded, else "unknown".
func CommitHash() string {
	if Commit != "" {
		return Commit
	}
	if bi, ok := readBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}

// GoMajorMinor reduces a runtime.Version() string such as "go1.26.8" or
// "go1.27rc1" to "1.26" / "1.27": the envelope carries no patch level.
func GoMajorMinor(v string) string {
	v = strings.TrimPrefix(v, "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return ""
	}
	minor := parts[1]
	for i, c := range minor {
		if c < '0' || c > '9' {
			minor = minor[:i]
			break
		}
	}
	if minor == "" {
		return ""
	}
	return parts[0] + "." + minor
}

// GoVersion is GoMajorMinor of the running binary's toolchain.
func GoVersion() string { return GoMajorMinor(runtime.Version()) }
