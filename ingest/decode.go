package ingest

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Batch is a request body after validation.
type Batch struct {
	MachineID string
	Envelope  map[string]any
	Events    []Accepted
}

// Stats counts what validation took out of a body.
type Stats struct {
	// Stripped counts envelope fields, event keys and props removed.
	Stripped int
	// Dropped counts events removed whole.
	Dropped int
}

// DecodeError is a body refused whole, with the HTTP status it earns.
type DecodeError struct {
	Status int
	Reason string
	Err    error
}

func (e *DecodeError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Reason, e.Err)
	}
	return e.Reason
}

func (e *DecodeError) Unwrap() error { return e.Err }

func (e *DecodeError) asRefusal() refusal { return refusal{e.Status, e.Reason} }

// Decode parses and validates one request body received at the given time.
// It refuses the body whole (400 or 413) when it is malformed, holds more
// than schema.MaxEventsPerRequest events or has an unusable machine_id;
// otherwise it returns every event that passed the schema, with unknown and
// invalid parts stripped, and counts what it took out.
func Decode(body []byte, received time.Time) (Batch, Stats, *DecodeError, bool) {
	var st Stats
	parsed, err := schema.ParseBody(body)
	if errors.Is(err, schema.ErrEventsNotArray) {
		return Batch{}, st, &DecodeError{http.StatusBadRequest, "events must be an array", nil}, false
	}
	if err != nil {
		return Batch{}, st, &DecodeError{http.StatusBadRequest, "malformed JSON", err}, false
	}
	rawEvents := parsed.Events
	if len(rawEvents) > schema.MaxEventsPerRequest {
		return Batch{}, st, &DecodeError{http.StatusRequestEntityTooLarge,
			fmt.Sprintf("more than %d events", schema.MaxEventsPerRequest), nil}, false
	}
	env, rep, err := schema.CleanEnvelope(parsed.Envelope)
	if err != nil {
		return Batch{}, st, &DecodeError{http.StatusBadRequest, "invalid machine_id", err}, false
	}
	st.Stripped += rep.Stripped
	id, _ := env["machine_id"].(string)
	b := Batch{MachineID: id, Envelope: env, Events: make([]Accepted, 0, len(rawEvents))}
	for _, ev := range rawEvents {
		if !ev.Object {
			st.Dropped++
			continue
		}
		name, ok := ev.Name.(string)
		if !ok {
			st.Dropped++
			continue
		}
		var props map[string]any
		switch p := ev.Props.(type) {
		case map[string]any:
			props = p
		case nil:
			// Absent (or null): an event without props, such as
			// uninstall from uninit, is valid.
			if ev.HasProps {
				st.Stripped++
			}
			props = map[string]any{}
		default:
			st.Dropped++
			continue
		}
		st.Stripped += len(ev.Unknown)
		// The parser's map is ours alone: clean it where it is.
		rep, ok := schema.CleanEventInPlace(name, props)
		st.Stripped += rep.Stripped
		if !ok {
			st.Dropped++
			continue
		}
		ts, _ := schema.CleanTime(ev.TS, received)
		b.Events = append(b.Events, Accepted{
			ReceivedAt: received,
			MachineID:  id,
			Envelope:   env,
			Event:      name,
			TS:         ts,
			Props:      props,
		})
	}
	return b, st, nil, true
}
