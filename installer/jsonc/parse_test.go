package jsonc

import (
	"bytes"
	"encoding/json"
	"github.com/getcodegraph/codegraph-install/installer/configerr"
	"testing"

	"github.com/tailscale/hujson"
)

// parseSeeds are documents whose parse exercises every error of the
// grammar, for the fuzz tests below.
var parseSeeds = []string{
	``, ` `, `{}`, `[]`, `{,}`, `[,]`, `{"a":1,}`, `[1,]`, `{"a" /*x*/ : 1}`,
	`{"a":}`, `{]`, `[}`, `}`, `]`, `{1:2}`, `{{}:1}`, `{[1,,]:1}`, `{"a" 1}`,
	`{"a":1 "b":2}`, `[1 2]`, `{"a":1`, `[1`, `{"a"`, `"abc`, `"a\`, `"\u12"`,
	"\"a\x01\"", `"\'"`, `"\xff"`, `01`, `-`, `1.`, `1e`, `-0.5E+3`, `tru`, `nul`,
	`{} x`, `{} // x`, "{} // x\n", `/* x`, "// \u2028\n{}", "{}// \xff\n",
	"/*\xff*/{}", `/`, `{/}`, `{"a":1}/`, "\ufeff{}", `{"a":"\ud800"}`,
	`{"\u0061":1, "a":2}`, "{\"a\":[1,{\"b\":null,},],/*c*/}\n",
}

// FuzzValidateMatchesHujson: the one-pass validator accepts exactly what
// hujson.Parse accepts, with the same message (line, column and wording);
// Get reads the same standardized value as hujson.Standardize gives.
func FuzzValidateMatchesHujson(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add([]byte(s))
	}
	for _, tc := range setCases {
		f.Add([]byte(tc.in))
	}
	f.Add([]byte("[" + string(bytes.Repeat([]byte("["), MaxDepth)) + "1,]"))
	f.Add([]byte("{" + string(bytes.Repeat([]byte("["), MaxDepth)) + "x"))
	f.Fuzz(func(t *testing.T, in []byte) {
		// One pass (validateDoc) says what the depth scan and then the
		// parser said.
		want := checkDepth(in)
		if want == nil {
			if _, herr := hujson.Parse(in); herr != nil {
				want = &configerr.SyntaxError{Msg: herr.Error()}
			}
		}
		if got := validateDoc(in, 0); (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
			t.Fatalf("%q: validateDoc says %v, want %v", in, got, want)
		}
		if checkDepth(in) != nil {
			return
		}
		_, herr := hujson.Parse(in)
		err := validate(in)
		switch {
		case (herr == nil) != (err == nil):
			t.Fatalf("%q: hujson says %v, validate says %v", in, herr, err)
		case herr != nil && herr.Error() != err.Error():
			t.Fatalf("%q: messages differ:\nhujson   %v\nvalidate %v", in, herr, err)
		case herr != nil:
			return
		}
		root, _ := hujson.Parse(in)
		if obj, ok := root.Value.(*hujson.Object); ok {
			for _, m := range obj.Members {
				key := m.Name.Value.(hujson.Literal).String()
				got, ok := lookup(in, rootStart(in), []string{key})
				if !ok {
					continue // a duplicate name
				}
				want := append([]byte{}, in[m.Value.StartOffset:m.Value.EndOffset]...)
				if got.start != m.Value.StartOffset || got.end != m.Value.EndOffset {
					t.Fatalf("%q: member %q at %d..%d, want %d..%d", in, key, got.start, got.end, m.Value.StartOffset, m.Value.EndOffset)
				}
				std, _ := hujson.Standardize(want)
				if s := standardize(want); !bytes.Equal(s, std) {
					t.Fatalf("standardize(%q) = %q, want %q", want, s, std)
				}
			}
		}
	})
}

// TestNameEqualsDecodesAsJSON: names are compared decoded, as
// encoding/json decodes them (invalid UTF-8 and lone surrogates become
// U+FFFD), whatever their escapes.
func TestNameEqualsDecodesAsJSON(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{`"a"`, `"\u0061"`, `"\ud83d\ude00"`, `"\ud800"`, `"\ud800x"`, `"\ud800\u0041"`, "\"\xff\"", `"\/\b\f\n\r\t\"\\"`, `"é"`, "\"\xe2\x82\"", `""`} {
		var want string
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if eq, _ := nameEquals([]byte(raw), want, nil); !eq {
			t.Errorf("%s does not equal %q", raw, want)
		}
		if eq, _ := nameEquals([]byte(raw), want+"x", nil); eq {
			t.Errorf("%s equals %q", raw, want+"x")
		}
	}
}
