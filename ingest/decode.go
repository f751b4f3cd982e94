package ingest

import (
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
	root, err := ParseObject(body)
	if err != nil {
		return Batch{}, st, &DecodeError{http.StatusBadRequest, "malformed JSON", err}, false
	}
	var rawEvents []any
	if v, ok := root[schema.KeyEvents]; ok {
		l, isList := v.([]any)
		if !isList {
			return Batch{}, st, &DecodeError{http.StatusBadRequest, "events must be an array", nil}, false
		}
		rawEvents = l
		delete(root, schema.KeyEvents)
	}
	if len(rawEvents) > schema.MaxEventsPerRequest {
		return Batch{}, st, &DecodeError{http.StatusRequestEntityTooLarge,
			fmt.Sprintf("more than %d events", schema.MaxEventsPerRequest), nil}, false
	}
	env, rep, err := schema.CleanEnvelope(root)
	if err != nil {
		return Batch{}, st, &DecodeError{http.StatusBadRequest, "invalid machine_id", err}, false
	}
	st.Stripped += rep.Stripped
	id, _ := env["machine_id"].(string)
	b := Batch{MachineID: id, Envelope: env, Events: make([]Accepted, 0, len(rawEvents))}
	for _, raw := range rawEvents {
		ev, ok := raw.(map[string]any)
		if !ok {
			st.Dropped++
			continue
		}
		name, ok := ev[schema.KeyEvent].(string)
		if !ok {
			st.Dropped++
			continue
		}
		var props map[string]any
		switch p := ev[schema.KeyProps].(type) {
		case map[string]any:
			props = p
		case nil:
			// Absent (or null): an event without props, such as
			// uninstall from uninit, is valid.
			if _, present := ev[schema.KeyProps]; present {
				st.Stripped++
			}
		default:
			st.Dropped++
			continue
		}
		for k := range ev {
			if k != schema.KeyEvent && k != schema.KeyTS && k != schema.KeyProps {
				st.Stripped++
			}
		}
		clean, rep, ok := schema.CleanEvent(name, props)
		st.Stripped += rep.Stripped
		if !ok {
			st.Dropped++
			continue
		}
		ts, _ := schema.CleanTime(ev[schema.KeyTS], received)
		b.Events = append(b.Events, Accepted{
			ReceivedAt: received,
			MachineID:  id,
			Envelope:   env,
			Event:      name,
			TS:         ts,
			Props:      clean,
		})
	}
	return b, st, nil, true
}
