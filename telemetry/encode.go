package telemetry

import (
	"bytes"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// entry is one queue line and one event of a request: the wire shape.
type entry struct {
	Event string         `json:"event"`
	TS    string         `json:"ts"`
	Props map[string]any `json:"props"`
}

// lineStart is how every line marshalEntry writes begins.
const lineStart = `{"event":`

// marshalEntry renders an entry as one stable line of JSON: keys in
// struct order, props sorted (encoding/json sorts map keys).
func marshalEntry(e entry) []byte { return mustJSON(e) }

// appendLines renders entries as queue lines.
func appendLines(buf []byte, entries []entry) []byte {
	for _, e := range entries {
		buf = append(append(buf, marshalEntry(e)...), '\n')
	}
	return buf
}

// parseLine reads one queue line with the schema's strict parser, the
// ingest's. What is not an event the schema accepts, with a parsable time,
// is skipped: a damaged or hand-edited queue can never make the client
// send something outside the allowlist. Other keys are ignored.
func parseLine(line []byte) (entry, bool) {
	ev, err := schema.ParseEvent(line)
	if err != nil {
		return entry{}, false
	}
	name, _ := ev.Name.(string)
	ts, _ := ev.TS.(string)
	props, ok := ev.Props.(map[string]any)
	if ev.Props == nil {
		props, ok = map[string]any{}, true
	}
	if _, err := time.Parse(time.RFC3339Nano, ts); err != nil || !ok {
		return entry{}, false
	}
	// props was parsed from this line and nothing else holds it, so it is
	// cleaned in place: `telemetry status` reads thousands of lines.
	if _, ok := schema.CleanEventInPlace(name, props); !ok {
		return entry{}, false
	}
	return entry{Event: name, TS: ts, Props: props}, true
}

// A claim is divided into sections by marker lines of its own token,
// {"claim":"<token>","state":"P"}: the lines after a marker are pending (P,
// merged back if the sender dies) or sending (S: their request may have
// started, so they never are). Lines before the first marker are pending.
// A marker of another token (a put-back leaves one in the queue) is an
// ordinary skipped line.
const (
	markerPrefix = `{"claim":"`
	markerMiddle = `","state":"`
	markerEnd    = `"}`
	statePending = 'P'
	stateSending = 'S'
)

// appendMarker appends the marker line of token in state and returns the
// offset of its state byte, which mark flips in place.
func appendMarker(buf []byte, token string, state byte) ([]byte, int64) {
	buf = append(append(append(buf, markerPrefix...), token...), markerMiddle...)
	off := int64(len(buf))
	return append(append(buf, state), markerEnd+"\n"...), off
}

// parseMarker returns the token and state of a marker line.
func parseMarker(line []byte) (string, byte, bool) {
	rest, ok := bytes.CutPrefix(line, []byte(markerPrefix))
	token, rest, found := bytes.Cut(rest, []byte(markerMiddle))
	if !ok || !found || len(rest) != 1+len(markerEnd) || string(rest[1:]) != markerEnd {
		return "", 0, false
	}
	return string(token), rest[0], true
}

// parseLines returns the events of data that parse, as entries and as
// their raw bytes, in order; corrupt lines are skipped without a word.
// With the token of a claim, its sending sections are left out.
func parseLines(data []byte, token string) (entries []entry, raw [][]byte) {
	include := true
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if tok, state, ok := parseMarker(line); ok && token != "" {
			if tok == token {
				include = state != stateSending
			}
			continue
		}
		if !include {
			continue
		}
		e, ok := parseLine(line)
		if !ok {
			// A line appended after a torn one (its writer died, the disk
			// filled up) shares its physical line, from the last
			// `{"event":`: no value the schema allows holds a quote.
			if i := bytes.LastIndex(line, []byte(lineStart)); i > 0 {
				line = line[i:]
				e, ok = parseLine(line)
			}
		}
		if ok {
			entries = append(entries, e)
			raw = append(raw, line)
		}
	}
	return entries, raw
}
