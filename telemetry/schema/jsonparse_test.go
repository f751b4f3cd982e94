package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestParseObjectRejects(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"empty":                   ``,
		"whitespace only":         "  \n",
		"array":                   `[]`,
		"string":                  `"x"`,
		"number":                  `1`,
		"null":                    `null`,
		"two objects":             `{}{}`,
		"trailing data":           `{"a":1} x`,
		"trailing comma":          `{"a":1,}`,
		"duplicate top-level key": `{"a":1,"a":1}`,
		"duplicate key escaped":   `{"a":1,"\u0061":2}`,
		"duplicate key in props":  `{"events":[{"props":{"count":1,"count":2}}]}`,
		"invalid utf-8 in string": "{\"a\":\"\xff\"}",
		"invalid utf-8 in key":    "{\"\xc3\":1}",
		"invalid utf-8 escaped":   "{\"a\":\"\\n\xff\"}",
		"overlong utf-8":          "{\"a\":\"\xc0\xaf\"}",
		"surrogate bytes":         "{\"a\":\"\xed\xa0\x80\"}",
		"lone high surrogate":     `{"a":"\ud800"}`,
		"lone low surrogate":      `{"a":"\udc00"}`,
		"bad pair":                `{"a":"\ud800\u0041"}`,
		"bom":                     "\xef\xbb\xbf{}",
		"control char":            "{\"a\":\"\x01\"}",
		"bad escape":              `{"a":"\x"}`,
		"leading zero":            `{"a":01}`,
		"plus number":             `{"a":+1}`,
		"bare fraction":           `{"a":1.}`,
		"bare exponent":           `{"a":1e}`,
		"nan":                     `{"a":NaN}`,
		"single quotes":           `{'a':1}`,
		"unquoted key":            `{a:1}`,
		"unterminated":            `{"a":1`,
		"unterminated string":     `{"a":"`,
		"too deep":                `{"a":{"b":{"c":{"d":{"e":{}}}}}}`,
		"too deep array":          `{"a":[[[[[1]]]]]}`,
		"comment":                 `{/*x*/}`,
		"truncated literal":       `{"a":tru}`,
		"nul after object":        "{}\x00",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if v, err := ParseObject([]byte(in)); err == nil {
				t.Fatalf("ParseObject(%q) = %v, want error", in, v)
			}
		})
	}
}

func TestParseObjectAccepts(t *testing.T) {
	t.Parallel()
	in := ` {"s":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é","n":-12.5e+3,"i":0,"t":true,"f":false,"z":null,` +
		`"l":[1,"x",{}],"o":{"p":{"q":[]}}} `
	got, err := ParseObject([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"s": "a\"\\/\b\f\n\r\té😀é", "n": json.Number("-12.5e+3"), "i": json.Number("0"),
		"t": true, "f": false, "z": nil,
		"l": []any{json.Number("1"), "x", map[string]any{}},
		"o": map[string]any{"p": map[string]any{"q": []any{}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
	if _, err := ParseObject([]byte(`[1]`)); !errors.Is(err, ErrNotObject) {
		t.Fatalf("array: got %v, want ErrNotObject", err)
	}
}

// FuzzParseObject checks the strict parser against encoding/json: whenever
// it accepts an input, encoding/json must accept it too and decode exactly
// the same value. (The converse does not hold by design: encoding/json
// accepts duplicate keys and invalid UTF-8.)
func FuzzParseObject(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":1}`, `{"a":"\u00e9\ud83d\ude00","b":[1,2.5,-0,1e9],"c":{"d":null,"e":true}}`,
		`{"a":1,"a":2}`, "{\"a\":\"\xff\"}", `{"events":[{"event":"install","props":{"scope":"global"}}]}`,
		`{"a":"\ud800"}`, ` {"x" : [ ] } `, `{"a":{"b":{"c":{"d":[1]}}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseObject(data)
		if err != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want map[string]any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("we accepted %q, encoding/json refused: %v", data, err)
		}
		if _, err := dec.Token(); err == nil {
			t.Fatalf("we accepted %q, encoding/json sees trailing data", data)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decode differs for %q:\nours %#v\nstd  %#v", data, got, want)
		}
	})
}

func TestParseObjectDepthLimit(t *testing.T) {
	t.Parallel()
	// Five levels is what the schema needs: body, events, event, props, list.
	if _, err := ParseObject([]byte(`{"events":[{"props":{"languages":["go"]}}]}`)); err != nil {
		t.Fatalf("five levels refused: %v", err)
	}
	if _, err := ParseObject([]byte(`{"events":[{"props":{"languages":[["go"]]}}]}`)); err == nil {
		t.Fatal("six levels accepted")
	}
}

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
