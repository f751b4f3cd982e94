package jsonc

// Locating a member by key path, and naming what was found in errors.

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/tailscale/hujson"
)

func lookup(root *hujson.Value, path []string) *hujson.Value {
	cur := root
	for _, key := range path {
		obj, ok := cur.Value.(*hujson.Object)
		if !ok {
			return nil
		}
		idx, err := findMember(obj, key, nil)
		if err != nil || idx < 0 {
			return nil
		}
		cur = &obj.Members[idx].Value
	}
	return cur
}

// findMember returns the index of key in obj, -1 when absent. A key present
// twice is ambiguous (agents disagree on which wins), so it is refused.
func findMember(obj *hujson.Object, key string, where []string) (int, error) {
	found := -1
	for i := range obj.Members {
		lit, ok := obj.Members[i].Name.Value.(hujson.Literal)
		if !ok || lit.String() != key {
			continue
		}
		if found >= 0 {
			return -1, &ShapeError{Msg: fmt.Sprintf("%s appears more than once; refusing to guess which one the agent reads", describePath(where))}
		}
		found = i
	}
	return found, nil
}

func describePath(path []string) string {
	if len(path) == 0 {
		return "the top-level value"
	}
	return fmt.Sprintf("%q", strings.Join(path, "."))
}

func kindName(v *hujson.Value) string {
	switch v.Value.Kind() {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '[':
		return "an array"
	}
	return "not an object"
}

// Get returns the value at path as standard JSON (comments and trailing
// commas removed), or nil when the document has no such member. It reads
// a document as the agents do, for checks such as codegraph doctor.
func Get(src []byte, path []string) ([]byte, error) {
	if err := checkDepth(src); err != nil {
		return nil, err
	}
	body := bytes.TrimPrefix(src, utf8BOM)
	if isBlankDocument(body) {
		return nil, nil
	}
	root, err := hujson.Parse(body)
	if err != nil {
		return nil, &SyntaxError{Msg: err.Error()}
	}
	v := lookup(&root, path)
	if v == nil {
		return nil, nil
	}
	return hujson.Standardize(append([]byte{}, body[v.StartOffset:v.EndOffset]...))
}
