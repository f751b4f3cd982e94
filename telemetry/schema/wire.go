package schema

import "errors"

// DefaultEndpoint is the first-party endpoint: a client POSTs request bodies
// there unless CODEGRAPH_TELEMETRY_ENDPOINT names another. Only the client's
// transport refers to it, and that file is left out of the codegraph-pro
// build: an unreferenced constant is not in a binary, so the pro build holds
// no endpoint host.
const DefaultEndpoint = "https://telemetry.getcodegraph.com/v1/events"

// Wire keys of a request body. A body is one JSON object holding the envelope
// fields and an "events" array; each event is {"event","ts","props"}.
const (
	KeyEvents = "events"
	KeyEvent  = "event"
	KeyTS     = "ts"
	KeyProps  = "props"
)

// Request caps shared by the client (which splits its sends to fit) and the
// ingest (which answers 413 past them).
const (
	MaxEventsPerRequest = 100
	MaxBodyBytes        = 64 << 10
)

// ErrEventsNotArray is returned by ParseBody when the body is valid JSON but
// its "events" member is not an array.
var ErrEventsNotArray = errors.New("json: events is not an array")

// Body is a request body as parsed, before validation: CleanEnvelope,
// CleanEvent and CleanTime apply the rules.
type Body struct {
	// Envelope holds every member of the body object except "events".
	Envelope map[string]any
	// Events holds the elements of the "events" array in order; nil when
	// the body has no "events" key.
	Events []RawEvent
}

// RawEvent is one element of a body's events array (or one queue line), as
// sent: the values of the three keys an event may have, whether the element
// was an object at all, and which other keys it carried. Values are string,
// bool, json.Number, nil, []any and map[string]any.
type RawEvent struct {
	// Name, TS and Props are the values of "event", "ts" and "props"; nil
	// when the key is absent (or null).
	Name, TS, Props any
	// Unknown lists the keys other than those three, in order.
	Unknown []string
	// Object is false when the element was not a JSON object; the other
	// fields are then zero.
	Object bool
	// HasProps is set when the "props" key was present, even with a null
	// value.
	HasProps bool
}

// ParseBody parses a request body in one pass. The envelope's fields go into
// a map (they are few, once per request); each event object is read straight
// into a RawEvent, so no map is built for it: that map, one per event, was
// the largest cost of a request.
//
// It is stricter than encoding/json on purpose, so that no two parsers
// between a client and a sink can disagree about what a body says: invalid
// UTF-8, lone surrogate escapes, a key repeated in any object (compared after
// unescaping), nesting deeper than MaxDepth, a byte order mark and trailing
// data are each a *SyntaxError. A body that
// is JSON but not an object is ErrNotObject; one whose "events" is not an
// array is ErrEventsNotArray. A differential fuzz test holds it to a generic
// parse of the same bytes.
func ParseBody(data []byte) (Body, error) {
	p := newParser(data)
	p.skipSpace()
	if p.i >= len(p.data) {
		return Body{}, p.fail("empty body")
	}
	if p.data[p.i] != '{' {
		if _, err := p.value(0); err != nil {
			return Body{}, err
		}
		return Body{}, ErrNotObject
	}
	var (
		b                         = Body{Envelope: make(map[string]any, 8)}
		hasEvents, eventsNotArray bool
	)
	err := p.members(0, func(k string, keyAt int) error {
		if k == KeyEvents {
			if hasEvents {
				return &SyntaxError{Offset: keyAt, Msg: "duplicate object key"}
			}
			hasEvents = true
			if p.data[p.i] != '[' {
				// Not an array: still parse it (it must be valid JSON),
				// then the body is refused.
				eventsNotArray = true
				_, err := p.value(1)
				return err
			}
			var err error
			b.Events, err = p.eventArray(1)
			return err
		}
		v, err := p.value(1)
		if err != nil {
			return err
		}
		n := len(b.Envelope)
		b.Envelope[k] = v
		if len(b.Envelope) == n {
			return &SyntaxError{Offset: keyAt, Msg: "duplicate object key"}
		}
		return nil
	})
	if err != nil {
		return Body{}, err
	}
	p.skipSpace()
	if p.i != len(p.data) {
		return Body{}, p.fail("trailing data after the object")
	}
	if eventsNotArray {
		return Body{}, ErrEventsNotArray
	}
	return b, nil
}

// noWords is an empty table of known words, for parsing what is not a
// body: nothing is found in it, and nothing is built on first use.
var noWords knownTable

// ParseObject parses one JSON object exactly as strictly as ParseBody
// (a repeated key is an error, the same nesting limit, and so on), decoded
// whole into map[string]any, but without the schema's table of words: a
// small file of our own (telemetry.json) would pay for building it, about
// 0.3 ms of a command's start, and never use it. Data that is JSON but not
// an object is ErrNotObject. The tests hold ParseBody and ParseEvent to
// it, and it to encoding/json.
func ParseObject(data []byte) (map[string]any, error) {
	return parseObjectAt(data, 0, &noWords)
}

// parseObjectAt is ParseObject for an object that sits depth containers
// deep, as an event does in a body, looking words up in known.
func parseObjectAt(data []byte, depth int, known *knownTable) (map[string]any, error) {
	p := parser{data: data, known: known}
	p.skipSpace()
	if p.i >= len(p.data) {
		return nil, p.fail("empty body")
	}
	if p.data[p.i] != '{' {
		// Still check it is JSON at all so the error says which it is.
		if _, err := p.value(depth); err != nil {
			return nil, err
		}
		return nil, ErrNotObject
	}
	v, err := p.object(depth)
	if err != nil {
		return nil, err
	}
	if p.skipSpace(); p.i != len(p.data) {
		return nil, p.fail("trailing data after the object")
	}
	return v, nil
}

// eventDepth is where an event object sits in a body: inside the body object
// and its events array.
const eventDepth = 2

// ParseEvent parses one event object on its own, such as a line of the
// client's queue, exactly as strictly as ParseBody parses an element of the
// events array (the same nesting limit included). Data that is JSON but not
// an object is ErrNotObject. Like ParseBody, it does not validate: the caller
// applies CleanEvent and checks the time.
func ParseEvent(data []byte) (RawEvent, error) {
	p := newEventParser(data)
	p.skipSpace()
	if p.i >= len(p.data) {
		return RawEvent{}, p.fail("empty event")
	}
	if p.data[p.i] != '{' {
		if _, err := p.value(eventDepth); err != nil {
			return RawEvent{}, err
		}
		return RawEvent{}, ErrNotObject
	}
	ev, err := p.eventValue(eventDepth)
	if err != nil {
		return RawEvent{}, err
	}
	p.skipSpace()
	if p.i != len(p.data) {
		return RawEvent{}, p.fail("trailing data after the object")
	}
	return ev, nil
}

// eventArray parses the events array at depth, each element by eventValue.
func (p *parser) eventArray(depth int) ([]RawEvent, error) {
	events := make([]RawEvent, 0, 16)
	err := p.elements(depth, func() error {
		ev, err := p.eventValue(depth + 1)
		events = append(events, ev)
		return err
	})
	if err != nil {
		return nil, err
	}
	return events, nil
}

// eventValue parses one element of the events array. Keys other than
// event, ts and props are parsed (they must be valid) and listed; a repeat
// of any key is an error, as everywhere.
func (p *parser) eventValue(depth int) (RawEvent, error) {
	if p.i >= len(p.data) {
		return RawEvent{}, p.fail("unexpected end of input")
	}
	if p.data[p.i] != '{' {
		_, err := p.value(depth)
		return RawEvent{}, err
	}
	ev := RawEvent{Object: true}
	var nameSet, tsSet bool
	var otherSet map[string]struct{}
	err := p.members(depth, func(k string, keyAt int) error {
		dup := false
		switch k {
		case KeyEvent:
			dup, nameSet = nameSet, true
		case KeyTS:
			dup, tsSet = tsSet, true
		case KeyProps:
			dup, ev.HasProps = ev.HasProps, true
		default:
			// Keys other than the three are few in any real body: a scan
			// while there are few, a set past that, so a hostile object of
			// thousands of keys stays linear.
			switch {
			case otherSet != nil:
				_, dup = otherSet[k]
				otherSet[k] = struct{}{}
			case len(ev.Unknown) < 16:
				for _, o := range ev.Unknown {
					if o == k {
						dup = true
					}
				}
			default:
				otherSet = make(map[string]struct{}, 2*len(ev.Unknown))
				for _, o := range ev.Unknown {
					otherSet[o] = struct{}{}
				}
				_, dup = otherSet[k]
				otherSet[k] = struct{}{}
			}
			ev.Unknown = append(ev.Unknown, k)
		}
		if dup {
			return &SyntaxError{Offset: keyAt, Msg: "duplicate object key"}
		}
		v, err := p.value(depth + 1)
		switch k {
		case KeyEvent:
			ev.Name = v
		case KeyTS:
			ev.TS = v
		case KeyProps:
			ev.Props = v
		}
		return err
	})
	return ev, err
}
