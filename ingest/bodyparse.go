package ingest

import (
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// rawEvent is one element of the events array, as sent: the three keys an
// event may have, whether the element was an object at all, and how many
// other keys it carried.
type rawEvent struct {
	isObject        bool
	name, ts, props any
	// hasProps is set when the key was present, even with a null value.
	hasProps       bool
	nameSet, tsSet bool
	unknownKeys    int
}

// parseBody walks a request body once. The envelope's fields go into a map
// (they are few, once per request); each event object is read straight into
// a rawEvent, so no map is built for it: that map, one per event, was the
// largest cost of a request. It is exactly as strict as ParseObject (same
// errors for UTF-8, escapes, depth, trailing data, and a key repeated in any
// object), which a differential fuzz test checks.
func parseBody(data []byte) (env map[string]any, events []rawEvent, hasEvents bool, eventsNotArray bool, err error) {
	p := parser{data: data}
	p.skipSpace()
	if p.i >= len(p.data) {
		return nil, nil, false, false, p.fail("empty body")
	}
	if p.data[p.i] != '{' {
		if _, err := p.value(0); err != nil {
			return nil, nil, false, false, err
		}
		return nil, nil, false, false, ErrNotObject
	}
	env = make(map[string]any, 8)
	err = p.members(0, func(k string, keyAt int) error {
		if k == schema.KeyEvents {
			if hasEvents {
				return &SyntaxError{Offset: keyAt, Msg: "duplicate object key"}
			}
			hasEvents = true
			if p.data[p.i] != '[' {
				// Not an array: still parse it (it must be valid JSON),
				// then the caller refuses the body.
				eventsNotArray = true
				_, err := p.value(1)
				return err
			}
			events, err = p.eventArray(1)
			return err
		}
		v, err := p.value(1)
		if err != nil {
			return err
		}
		n := len(env)
		env[k] = v
		if len(env) == n {
			return &SyntaxError{Offset: keyAt, Msg: "duplicate object key"}
		}
		return nil
	})
	if err != nil {
		return nil, nil, false, false, err
	}
	p.skipSpace()
	if p.i != len(p.data) {
		return nil, nil, false, false, p.fail("trailing data after the object")
	}
	return env, events, hasEvents, eventsNotArray, nil
}

// eventArray parses the events array at depth, each element by eventValue.
func (p *parser) eventArray(depth int) ([]rawEvent, error) {
	events := make([]rawEvent, 0, 16)
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
// event, ts and props are parsed (they must be valid) and counted; a repeat
// of any key is an error, as everywhere.
func (p *parser) eventValue(depth int) (rawEvent, error) {
	if p.i >= len(p.data) {
		return rawEvent{}, p.fail("unexpected end of input")
	}
	if p.data[p.i] != '{' {
		_, err := p.value(depth)
		return rawEvent{}, err
	}
	ev := rawEvent{isObject: true}
	var others []string // keys other than the three; few in any real body
	var otherSet map[string]struct{}
	err := p.members(depth, func(k string, keyAt int) error {
		dup := false
		switch k {
		case schema.KeyEvent:
			dup, ev.nameSet = ev.nameSet, true
		case schema.KeyTS:
			dup, ev.tsSet = ev.tsSet, true
		case schema.KeyProps:
			dup, ev.hasProps = ev.hasProps, true
		default:
			// A scan while there are few, a set past that, so a hostile
			// object of thousands of keys stays linear.
			switch {
			case otherSet != nil:
				_, dup = otherSet[k]
				otherSet[k] = struct{}{}
			case len(others) < 16:
				for _, o := range others {
					if o == k {
						dup = true
					}
				}
				others = append(others, k)
			default:
				otherSet = make(map[string]struct{}, 2*len(others))
				for _, o := range others {
					otherSet[o] = struct{}{}
				}
				_, dup = otherSet[k]
				otherSet[k] = struct{}{}
			}
			ev.unknownKeys++
		}
		if dup {
			return &SyntaxError{Offset: keyAt, Msg: "duplicate object key"}
		}
		v, err := p.value(depth + 1)
		switch k {
		case schema.KeyEvent:
			ev.name = v
		case schema.KeyTS:
			ev.ts = v
		case schema.KeyProps:
			ev.props = v
		}
		return err
	})
	return ev, err
}
