// Package ingest is the receiving end of codegraph telemetry: the HTTP
// handler for POST /v1/events, parsing and validation through
// telemetry/schema (the wire format and the one allowlist), per-machine rate
// limiting, the sinks that store or forward what passed (embedded SQLite
// with group commit, rollups, retention and a size budget; PostHog's batch
// API), the reports and the dashboard page drawn from the rollups, and the
// server wiring.
//
// What it never does: read, log, store or forward the client's IP address or
// the value of any forwarding header (X-Forwarded-For, Forwarded, X-Real-IP,
// CF-Connecting-IP, True-Client-IP; the dashboard only checks whether one is
// present, to refuse proxied requests); log request bodies; let a value that
// the schema does not allow reach a sink. Everything it depends on from
// outside (clock, logger, HTTP client, sink) is passed in, so tests run it
// on loopback with fakes and no package-level state.
package ingest
