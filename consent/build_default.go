//go:build !pro

package consent

// Compiled reports whether telemetry is part of this build. The codegraph-pro
// build (tag "pro") ships to machines whose promise is that nothing leaves the
// box, so there it is false and no decision can turn telemetry on.
const Compiled = true
