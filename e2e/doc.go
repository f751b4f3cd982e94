// Package e2e proves the whole telemetry pipeline with the real binaries:
// install, init and an MCP session on one machine, the ingest receiving
// exactly the expected rows, and, with telemetry off in each of its three
// ways, not a single connection. It has tests only.
package e2e
