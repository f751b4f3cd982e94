package schema

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

// checkRawEvent reports how ev differs from the generic parse of the same
// element (want is nil or not a map when the element was not an object).
func checkRawEvent(t *testing.T, ev RawEvent, want any, data []byte) {
	t.Helper()
	m, isObject := want.(map[string]any)
	if !isObject {
		if !reflect.DeepEqual(ev, RawEvent{}) {
			t.Fatalf("a non-object element gave %#v for %q", ev, data)
		}
		return
	}
	var others []string
	for k := range m {
		if k != KeyEvent && k != KeyTS && k != KeyProps {
			others = append(others, k)
		}
	}
	_, hasProps := m[KeyProps]
	unknown := slices.Clone(ev.Unknown)
	slices.Sort(others)
	slices.Sort(unknown)
	if !ev.Object || ev.HasProps != hasProps || !slices.Equal(unknown, others) ||
		!reflect.DeepEqual(ev.Name, m[KeyEvent]) || !reflect.DeepEqual(ev.TS, m[KeyTS]) ||
		!reflect.DeepEqual(ev.Props, m[KeyProps]) {
		t.Fatalf("event differs for %q:\nours    %#v\ngeneric %#v", data, ev, m)
	}
}

var bodySeeds = []string{
	`{"machine_id":"3f0c5e0e-8d0b-4a53-9b8e-5a3c2f9d1e77","events":[{"event":"uninstall","ts":"2026-11-24T00:00:00Z","props":{"targets":["claude"]}}]}`,
	`{"events":[{"event":"usage_rollup","props":{"kind":"mcp_tool","name":"x","count":1},"extra":1,"more":[1,{"a":2}]}]}`,
	`{"events":[{"event":"install","event":"index"}]}`,
	`{"events":[{"x":1,"x":2}]}`,
	`{"events":[],"events":[]}`,
	`{"os":"a","os":"b","events":[]}`,
	`{"events":{"a":1}}`,
	`{"events":[1,"x",null,{"event":1},{"event":"uninstall","props":null},{"event":"uninstall","props":[]}]}`,
	`{"events":[{"event":"index","props":{"languages":["go","zz"],"file_count_bucket":"<100"}}],"a":{}}`,
	`{"events":[{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"a":18}]}`,
	`[1]`, `{}`, `{"events":[[[[[[]]]]]]}`, "{\"a\":\"\xff\"}", `{"events":5} x`,
}

// FuzzParseBodyMatchesParseObject: the single-pass ParseBody accepts and
// refuses exactly what the generic parse does, and reads the same envelope
// and the same events.
func FuzzParseBodyMatchesParseObject(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseBody(data)
		want, wantErr := ParseObject(data)
		if wantErr != nil {
			if err == nil || errors.Is(err, ErrEventsNotArray) || errors.Is(err, ErrNotObject) != errors.Is(wantErr, ErrNotObject) {
				t.Fatalf("ParseBody err %v, generic err %v for %q", err, wantErr, data)
			}
			return
		}
		rawEvents, hasEvents := want[KeyEvents]
		list, isList := rawEvents.([]any)
		if hasEvents && !isList {
			if !errors.Is(err, ErrEventsNotArray) {
				t.Fatalf("events not an array: ParseBody err %v for %q", err, data)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseBody refused what the generic parse accepts (%v) for %q", err, data)
		}
		delete(want, KeyEvents)
		if !reflect.DeepEqual(got.Envelope, want) {
			t.Fatalf("envelope differs for %q:\nours    %#v\ngeneric %#v", data, got.Envelope, want)
		}
		if len(got.Events) != len(list) {
			t.Fatalf("%d events, generic %d for %q", len(got.Events), len(list), data)
		}
		for i, ev := range got.Events {
			checkRawEvent(t, ev, list[i], data)
		}
	})
}

// FuzzParseEventMatchesParseObject: ParseEvent reads one event exactly as
// the generic parse reads an object at an event's depth in a body.
func FuzzParseEventMatchesParseObject(f *testing.F) {
	for _, s := range []string{
		`{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{}}`,
		`{"event":"usage_rollup","ts":"2026-11-24T00:00:00Z","props":{"kind":"mcp_tool","name":"x","count":1}}`,
		`{"event":"index","ts":"x","props":{"languages":["go"]},"other":[1]}`,
		`{"event":"index","props":{"languages":[["go"]]}}`,
		`{"event":"a","event":"b"}`, `[]`, `"x"`, ` {} `, `{}{}`, "\x00\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseEvent(data)
		want, wantErr := parseObjectAt(data, eventDepth, knownWords())
		if (err == nil) != (wantErr == nil) || errors.Is(err, ErrNotObject) != errors.Is(wantErr, ErrNotObject) {
			t.Fatalf("ParseEvent err %v, generic err %v for %q", err, wantErr, data)
		}
		if err == nil {
			checkRawEvent(t, got, want, data)
		}
	})
}

func TestParseBody(t *testing.T) {
	t.Parallel()
	b, err := ParseBody([]byte(`{"os":"linux","events":[{"event":"install","zz":1,"props":null,"aa":2},7]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Body{
		Envelope: map[string]any{"os": "linux"},
		Events: []RawEvent{
			{Name: "install", Unknown: []string{"zz", "aa"}, Object: true, HasProps: true},
			{},
		},
	}
	if !reflect.DeepEqual(b, want) {
		t.Fatalf("got %#v\nwant %#v", b, want)
	}
	for in, wantErr := range map[string]error{
		`{"events":{}}`: ErrEventsNotArray,
		`[]`:            ErrNotObject,
	} {
		if _, err := ParseBody([]byte(in)); !errors.Is(err, wantErr) {
			t.Errorf("ParseBody(%s) = %v, want %v", in, err, wantErr)
		}
	}
	var se *SyntaxError
	if _, err := ParseBody([]byte(`{"events":[],"events":[]}`)); !errors.As(err, &se) {
		t.Errorf("repeated events: %v, want a SyntaxError", err)
	}
}

func TestParseEvent(t *testing.T) {
	t.Parallel()
	ev, err := ParseEvent([]byte(`{"event":"uninstall","ts":"2026-11-24T10:00:00Z","props":{"targets":["claude"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := RawEvent{Name: "uninstall", TS: "2026-11-24T10:00:00Z",
		Props: map[string]any{"targets": []any{"claude"}}, Object: true, HasProps: true}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("got %#v\nwant %#v", ev, want)
	}
	for _, in := range []string{
		``, `[]`, `{}{}`, `{"event":"a","event":"a"}`,
		`{"props":{"languages":[["go"]]}}`, // deeper than an event may nest in a body
		"{\"event\":\"\xff\"}",
	} {
		if ev, err := ParseEvent([]byte(in)); err == nil {
			t.Errorf("ParseEvent(%q) = %#v, want an error", in, ev)
		}
	}
}
