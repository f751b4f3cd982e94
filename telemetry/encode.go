package telemetry

import (
	"strconv"
	"unicode/utf8"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// appendEntry writes e as one JSON object, byte for byte what encoding/json
// writes for it (keys sorted, no HTML escaping; a fuzz test holds it to
// that). Queue lines are written at every persist, and reflection over
// their maps was a quarter of a persist's time. Props hold the schema's
// canonical types (string, bool, int64, []string); anything else falls back
// to encoding/json.
func appendEntry(buf []byte, e entry) []byte {
	if e.ctr != nil {
		return e.ctr.appendRollup(buf, e.TS, e.calls, e.errs)
	}
	buf = append(buf, `{"event":`...)
	buf = appendString(buf, e.Event)
	buf = append(buf, `,"ts":`...)
	buf = appendString(buf, e.TS)
	buf = append(buf, `,"props":`...)
	if e.Props == nil {
		return append(buf, "null}"...)
	}
	var keyArr [8]string
	keys := keyArr[:0]
	for k := range e.Props {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ { // insertion sort: a handful of keys
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	buf = append(buf, '{')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendString(buf, k)
		buf = append(buf, ':')
		buf = appendValue(buf, e.Props[k])
	}
	return append(buf, "}}"...)
}

func appendValue(buf []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return appendString(buf, x)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case bool:
		return strconv.AppendBool(buf, x)
	case []string:
		if x == nil {
			return append(buf, "null"...)
		}
		buf = append(buf, '[')
		for i, s := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, s)
		}
		return append(buf, ']')
	}
	return append(buf, mustJSON(v)...)
}

// appendString quotes s as encoding/json does with HTML escaping off:
// quote, backslash and control characters escaped, invalid UTF-8 replaced
// by U+FFFD, U+2028 and U+2029 escaped.
func appendString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '"', '\\':
				buf = append(buf, '\\', b)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// appendRollup writes the line of one of the counter's deltas: what
// appendEntry writes for it with props, keys sorted (client_name,
// client_version, count, error_count, kind, name), from the parts encoded
// once when the counter was registered.
func (ctr *Counter) appendRollup(buf []byte, ts string, calls, errs int64) []byte {
	buf = append(buf, `{"event":"`+schema.EventUsageRollup+`","ts":`...)
	buf = appendString(buf, ts)
	buf = append(buf, `,"props":{`...)
	buf = append(buf, ctr.clientJSON...)
	buf = append(buf, `"count":`...)
	buf = strconv.AppendInt(buf, calls, 10)
	if errs > 0 {
		buf = append(buf, `,"error_count":`...)
		buf = strconv.AppendInt(buf, errs, 10)
	}
	return append(buf, ctr.kindNameJSON...)
}

// encodeStatic encodes the props of a counter that never change.
func (ctr *Counter) encodeStatic() {
	var b []byte
	if ctr.clientName != "" {
		b = append(appendString(append(b, `"client_name":`...), ctr.clientName), ',')
	}
	if ctr.clientVersion != "" {
		b = append(appendString(append(b, `"client_version":`...), ctr.clientVersion), ',')
	}
	ctr.clientJSON = b
	b = appendString(append([]byte(nil), `,"kind":`...), ctr.kind)
	b = appendString(append(b, `,"name":`...), ctr.name)
	ctr.kindNameJSON = append(b, "}}"...)
}
