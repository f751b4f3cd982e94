package mcpserver

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
)

// TestStatusSchemasAreTheInferredOnes keeps the written-out schemas of
// codegraph_status equal to what the SDK would infer from StatusInput and
// StatusOutput (mcp.AddTool infers with jsonschema.ForType and empty
// options), so that a field added to the types cannot be missing from
// tools/list.
func TestStatusSchemasAreTheInferredOnes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		written json.RawMessage
		typ     reflect.Type
	}{
		{"input", statusInputSchema, reflect.TypeFor[StatusInput]()},
		{"output", statusOutputSchema, reflect.TypeFor[StatusOutput]()},
	} {
		inferred, err := jsonschema.ForType(tc.typ, &jsonschema.ForOptions{})
		if err != nil {
			t.Fatal(err)
		}
		inferredJSON, err := json.Marshal(inferred)
		if err != nil {
			t.Fatal(err)
		}
		var want, got any
		if err := json.Unmarshal(inferredJSON, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(tc.written, &got); err != nil {
			t.Fatalf("%s schema is not JSON: %v", tc.name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s schema:\n%s\nthe SDK infers from %v:\n%s", tc.name, tc.written, tc.typ, inferredJSON)
		}
		// It must also be a schema the SDK accepts as one.
		var s jsonschema.Schema
		if err := json.Unmarshal(tc.written, &s); err != nil {
			t.Errorf("%s schema: %v", tc.name, err)
		} else if _, err := s.Resolve(nil); err != nil {
			t.Errorf("%s schema does not resolve: %v", tc.name, err)
		}
	}
}

func TestStatusRefusesArguments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args string
		ok   bool
	}{
		{"", true},
		{"null", true},
		{"{}", true},
		{" { } ", true},
		{`{"path":"/etc"}`, false},
		{`[]`, false},
		{`"x"`, false},
	} {
		err := noArguments(json.RawMessage(tc.args))
		if (err == nil) != tc.ok {
			t.Errorf("noArguments(%q) = %v, want ok=%v", tc.args, err, tc.ok)
		}
	}
}
