// Package startup measures codegraph's binaries as whole processes, the way
// users and agents pay for them: from exec to exit (or, for `serve --mcp`,
// to the answer of `initialize`), start-up included. Its tests hold package
// initialisation to a budget read from GODEBUG=inittrace=1, and its
// benchmarks (`make bench`) time `codegraph version`, `telemetry status`, a
// four-target `codegraph-install --yes` and the MCP handshake next to a Go
// hello-world built in the same run.
//
// It has no code of its own: everything is in its _test.go files.
package startup
