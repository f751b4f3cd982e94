package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// decodeGeneric is the earlier Decode, built on a generic parse of the whole
// body into maps: the oracle the single-pass Decode must agree with on every
// input. Which bytes are JSON at all is the strict parser's call (ParseBody
// accepts exactly what a generic strict parse accepts: a fuzz test in
// telemetry/schema holds it to that); once they are, encoding/json decodes
// the same value (another fuzz test there holds the parser to that), so it
// stands in for the generic parse here.
func decodeGeneric(t *testing.T, body []byte, received time.Time) (Batch, Stats, int, bool) {
	t.Helper()
	var st Stats
	if _, err := schema.ParseBody(body); err != nil && !errors.Is(err, schema.ErrEventsNotArray) {
		return Batch{}, st, http.StatusBadRequest, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("encoding/json refused what the strict parser accepts: %q: %v", body, err)
	}
	var rawEvents []any
	if v, ok := root[schema.KeyEvents]; ok {
		l, isList := v.([]any)
		if !isList {
			return Batch{}, st, http.StatusBadRequest, false
		}
		rawEvents = l
		delete(root, schema.KeyEvents)
	}
	if len(rawEvents) > schema.MaxEventsPerRequest {
		return Batch{}, st, http.StatusRequestEntityTooLarge, false
	}
	env, rep, err := schema.CleanEnvelope(root)
	if err != nil {
		return Batch{}, st, http.StatusBadRequest, false
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
		b.Events = append(b.Events, Accepted{ReceivedAt: received, MachineID: id, Envelope: env, Event: name, TS: ts, Props: clean})
	}
	return b, st, 0, true
}

// FuzzDecodeMatchesGenericParse: the single-pass Decode accepts, refuses
// (with the same status), strips, drops and keeps exactly as the generic
// parse does.
func FuzzDecodeMatchesGenericParse(f *testing.F) {
	const id = `"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77"`
	for _, s := range []string{
		`{` + id + `,"events":[{"event":"uninstall","ts":"2026-11-24T00:00:00Z","props":{"targets":["claude"]}}]}`,
		`{` + id + `,"events":[{"event":"usage_rollup","props":{"kind":"mcp_tool","name":"x","count":1},"extra":1,"more":[1,{"a":2}]}]}`,
		`{` + id + `,"events":[{"event":"install","event":"index"}]}`,
		`{` + id + `,"events":[{"x":1,"x":2}]}`,
		`{` + id + `,"events":[],"events":[]}`,
		`{` + id + `,"os":"a","os":"b","events":[]}`,
		`{` + id + `,"events":{"a":1}}`,
		`{` + id + `,"events":[1,"x",null,{"event":1},{"event":"uninstall","props":null},{"event":"uninstall","props":[]}]}`,
		`{"events":[{"event":"index","props":{"languages":["go","zz"],"file_count_bucket":"<100"}}],` + id + `}`,
		`[1]`, `{}`, `{"events":[[[[[[]]]]]]}`, "{\"a\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		got, gotSt, derr, ok := Decode(body, now)
		want, wantSt, wantStatus, wantOK := decodeGeneric(t, body, now)
		if ok != wantOK {
			t.Fatalf("Decode ok=%v (%v), generic ok=%v (status %d) for %q", ok, derr, wantOK, wantStatus, body)
		}
		if !ok {
			if derr.Status != wantStatus {
				t.Fatalf("status %d, generic %d for %q", derr.Status, wantStatus, body)
			}
			return
		}
		if gotSt != wantSt || !reflect.DeepEqual(got, want) {
			t.Fatalf("Decode %+v %+v\ngeneric %+v %+v\nfor %q", got, gotSt, want, wantSt, body)
		}
	})
}
