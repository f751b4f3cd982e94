//go:build pro

package consent

// Compiled is false in the codegraph-pro build: telemetry is compiled out.
const Compiled = false
