package ingest

import (
	"context"
	"time"
)

// Accepted is one event that passed the schema, in its stored form. Envelope
// and Props hold only what schema.CleanEnvelope and schema.CleanEvent
// returned: string, bool, int64 and []string values under allowlisted keys.
type Accepted struct {
	// ReceivedAt is when the ingest received the request, in UTC.
	ReceivedAt time.Time
	// MachineID is the envelope's machine_id, lower-case.
	MachineID string
	// Envelope is the cleaned envelope, machine_id included. Requests share
	// one map between their events; sinks must not modify it.
	Envelope map[string]any
	// Event is the event name, one of the schema's events.
	Event string
	// TS is the event time (schema.CleanTime: the sent time, or ReceivedAt).
	TS time.Time
	// Props are the cleaned props.
	Props map[string]any
}

// Sink receives the accepted events of one request. Store is called on the
// request path, so a sink that talks to a network queues instead of sending.
// The slice and its maps must not be retained after Store returns unless the
// sink copies what it keeps; the handler does not reuse them, so retaining
// read-only is fine.
type Sink interface {
	Store(ctx context.Context, events []Accepted) error
	// Close flushes what is pending, giving up when ctx ends.
	Close(ctx context.Context) error
}
