package ingest

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// TestInternKeepsStringsAndNumbersApart: a string "1" seen first must not
// be handed back for the number 1, nor the other way round.
func TestInternKeepsStringsAndNumbersApart(t *testing.T) {
	t.Parallel()
	m, err := ParseObject([]byte(`{"a":"1","b":1,"c":[1,"1"],"d":"22","e":22}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m["a"].(string); !ok {
		t.Errorf("a = %#v", m["a"])
	}
	if _, ok := m["b"].(json.Number); !ok {
		t.Errorf("b = %#v", m["b"])
	}
	c := m["c"].([]any)
	if _, ok := c[0].(json.Number); !ok {
		t.Errorf("c[0] = %#v", c[0])
	}
	if _, ok := c[1].(string); !ok {
		t.Errorf("c[1] = %#v", c[1])
	}
	if _, ok := m["e"].(json.Number); !ok {
		t.Errorf("e = %#v", m["e"])
	}
}

// decodeGeneric is the earlier Decode, built on the generic ParseObject: the
// oracle the single-pass Decode must agree with on every input.
func decodeGeneric(body []byte, received time.Time) (Batch, Stats, int, bool) {
	var st Stats
	root, err := ParseObject(body)
	if err != nil {
		return Batch{}, st, http.StatusBadRequest, false
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
		want, wantSt, wantStatus, wantOK := decodeGeneric(body, now)
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
