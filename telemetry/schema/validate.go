package schema

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrMachineID is returned when the envelope's machine_id is missing or is
// not exactly a UUID in 8-4-4-4-12 form. The ingest answers it with 400.
var ErrMachineID = errors.New("machine_id must be a UUID in 8-4-4-4-12 hex form")

// Report counts what validation took out, for the ingest's metrics.
type Report struct {
	// Stripped counts props (or envelope fields) removed because they are
	// unknown or break their rule.
	Stripped int
}

// ParseMachineID returns the lower-case machine ID, or ErrMachineID when v is
// not a string of exactly 36 characters in 8-4-4-4-12 hex form. Prefixes
// (urn:uuid:), braces, bare 32-hex forms and surrounding space are refused on
// purpose: one spelling per machine keeps distinct counts honest.
func ParseMachineID(v any) (string, error) {
	s, ok := v.(string)
	if !ok || len(s) != 36 {
		return "", ErrMachineID
	}
	var b [36]byte
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", ErrMachineID
			}
			b[i] = c
			continue
		}
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
			b[i] = c
		case c >= 'A' && c <= 'F':
			b[i] = c + ('a' - 'A')
		default:
			return "", ErrMachineID
		}
	}
	return string(b[:]), nil
}

// CleanEnvelope validates the envelope fields of a request body (the caller
// leaves out the "events" key). It returns the fields that pass, in their
// stored form, and an error only when machine_id is unusable.
func CleanEnvelope(in map[string]any) (map[string]any, Report, error) {
	var rep Report
	id, err := ParseMachineID(in["machine_id"])
	if err != nil {
		return nil, rep, err
	}
	out := make(map[string]any, len(in))
	out["machine_id"] = id
	for k, v := range in {
		if k == "machine_id" {
			continue
		}
		f, ok := envelopeField(k)
		if !ok {
			rep.Stripped++
			continue
		}
		cv, ok := f.clean(v)
		if !ok {
			rep.Stripped++
			continue
		}
		out[k] = cv
	}
	return out, rep, nil
}

// CleanEvent validates one event's props. Unknown events return ok=false.
// Unknown or invalid props are stripped; an event left without a required
// prop returns ok=false. The returned map holds only canonical Go values:
// string, bool, int64 and []string. props is not modified.
func CleanEvent(name string, props map[string]any) (map[string]any, Report, bool) {
	spec, ok := eventSpec(name)
	if !ok {
		return nil, Report{}, false
	}
	out := make(map[string]any, min(len(props), len(spec.Props)))
	for k, v := range props {
		out[k] = v
	}
	rep, ok := cleanProps(spec, out)
	if !ok {
		return nil, rep, false
	}
	return out, rep, true
}

// CleanEventInPlace is CleanEvent for a caller that owns props and no
// longer needs what was sent: it strips and canonicalises props itself,
// sparing the ingest a map per event. On ok=false props is left partly
// cleaned and must not be used.
func CleanEventInPlace(name string, props map[string]any) (Report, bool) {
	spec, ok := eventSpec(name)
	if !ok {
		return Report{}, false
	}
	return cleanProps(spec, props)
}

func cleanProps(spec *EventSpec, props map[string]any) (Report, bool) {
	var rep Report
	required := 0 // required props that passed; map keys are distinct
	for k, v := range props {
		f := spec.prop(k)
		if f == nil {
			delete(props, k)
			rep.Stripped++
			continue
		}
		cv, ok := f.clean(v)
		if !ok {
			delete(props, k)
			rep.Stripped++
			continue
		}
		if f.Required {
			required++
		}
		if f.Kind == KindString && cv == v {
			continue // unchanged, already the caller's boxed value
		}
		props[k] = cv
	}
	return rep, required == spec.required
}

// Timestamp window: older events are not trusted to be real rollups of the
// past month; future ones beyond clock skew are not trusted at all.
const (
	MaxEventAge  = 30 * 24 * time.Hour
	MaxClockSkew = 10 * time.Minute
)

// CleanTime returns the time to store for an event's ts value: the parsed
// RFC 3339 time in UTC when it lies within [now − 30 days, now + 10 min],
// else now. kept reports whether the sent value was used.
func CleanTime(v any, now time.Time) (t time.Time, kept bool) {
	now = now.UTC()
	s, ok := v.(string)
	if !ok {
		return now, false
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return now, false
	}
	if parsed.Before(now.Add(-MaxEventAge)) || parsed.After(now.Add(MaxClockSkew)) {
		return now, false
	}
	return parsed.UTC(), true
}

// prop finds an event's rule by name. Events have a handful of props, so a
// scan is cheaper than hashing the name (this runs for every prop the
// ingest receives).
func (e *EventSpec) prop(name string) *Field {
	for i := range e.Props {
		if e.Props[i].Name == name {
			return &e.Props[i]
		}
	}
	return nil
}

// inEnum reports whether s is in the closed set: by scan for small sets,
// by the prebuilt map for large ones (the language ids).
// f was reached through eventSpec, envelopeField or propField, so f.enum
// (set by buildIndexes for large sets) is ready.
func (f *Field) inEnum(s string) bool {
	if f.enum != nil {
		_, ok := f.enum[s]
		return ok
	}
	return slices.Contains(f.Enum, s)
}

// clean checks v against the field's rule and returns its canonical form.
func (f *Field) clean(v any) (any, bool) {
	switch f.Kind {
	case KindBool:
		b, ok := v.(bool)
		return b, ok
	case KindInteger:
		n, ok := integer(v)
		if !ok || n < f.Min || n > f.Max {
			return nil, false
		}
		return n, true
	case KindString:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		cs, ok := f.cleanString(s)
		if !ok {
			return nil, false
		}
		if cs == s {
			// Hand back the caller's boxed value: re-boxing the same
			// string would allocate for every prop the ingest receives.
			return v, true
		}
		return cs, true
	case KindList:
		return f.cleanList(v)
	case KindTimestamp:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return nil, false
		}
		return s, true
	}
	return nil, false
}

func (f *Field) cleanString(s string) (string, bool) {
	if a, ok := f.Aliases[s]; ok {
		s = a
	}
	if len(f.Enum) > 0 {
		return s, f.inEnum(s)
	}
	switch f.Format {
	case FormatUUID:
		id, err := ParseMachineID(s)
		return id, err == nil
	case FormatMajorMinor:
		return s, isMajorMinor(s)
	}
	if f.MaxLen > 0 && len(s) > f.MaxLen {
		return "", false
	}
	switch f.Charset {
	case CharsetToken:
		return s, IsToken(s)
	case CharsetLabel:
		return s, IsLabel(s)
	}
	return "", false
}

func (f *Field) cleanList(v any) (any, bool) {
	var items []string
	switch l := v.(type) {
	case []string:
		items = l
	case []any:
		items = make([]string, 0, len(l))
		for _, it := range l {
			s, ok := it.(string)
			if !ok {
				return nil, false
			}
			items = append(items, s)
		}
	default:
		return nil, false
	}
	if f.MaxItems > 0 && len(items) > f.MaxItems {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, s := range items {
		switch {
		case len(f.Enum) > 0:
			if !f.inEnum(s) {
				if f.Fallback == "" {
					return nil, false
				}
				s = f.Fallback
			}
		case f.MaxLen > 0 && len(s) > f.MaxLen:
			return nil, false
		case f.Charset == CharsetToken && !IsToken(s):
			return nil, false
		case f.Charset == CharsetLabel && !IsLabel(s):
			return nil, false
		}
		// A list names a set (targets, languages): repeats carry nothing.
		// Lists hold at most a few dozen items, so a scan beats a map.
		if slices.Contains(out, s) {
			continue
		}
		out = append(out, s)
	}
	return out, true
}

// integer accepts a JSON number written without fraction or exponent
// (json.Number keeps the literal, so "1.0" and "1e3" can be told apart) and
// Go integers from the client's own constructors. float64 is refused: a
// decoder that produced it has already lost the literal.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case json.Number:
		s := string(n)
		digits := strings.TrimPrefix(s, "-")
		if digits == "" || len(digits) > 18 {
			return 0, false
		}
		if len(digits) > 1 && digits[0] == '0' {
			return 0, false
		}
		var x int64
		for i := 0; i < len(digits); i++ {
			c := digits[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			x = x*10 + int64(c-'0')
		}
		if len(s) != len(digits) {
			x = -x
		}
		return x, true
	}
	return 0, false
}

func isMajorMinor(s string) bool {
	dot := strings.IndexByte(s, '.')
	if dot < 1 || dot > 3 || len(s)-dot-1 < 1 || len(s)-dot-1 > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i != dot && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == ':' || c == '+' || c == '-'
}

func isLabelByte(c byte) bool {
	return isTokenByte(c) || c == ' ' || c == '/' || c == '@' || c == '(' || c == ')'
}

// IsToken reports whether s is non-empty and only A-Z a-z 0-9 _ . : + -
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenByte(s[i]) {
			return false
		}
	}
	return true
}

// IsLabel reports whether s is non-empty and only token characters, space,
// / @ ( and ).
func IsLabel(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLabelByte(s[i]) {
			return false
		}
	}
	return true
}

// SanitizeLabel turns a value the client did not choose (an MCP client's
// self-declared name or version) into a label of at most max bytes: trimmed,
// every character outside the label set replaced by '_', cut to length.
// It returns "" when nothing usable is left, and the caller then omits the prop.
func SanitizeLabel(s string, max int) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= max {
			break
		}
		if r < utf8.RuneSelf && isLabelByte(byte(r)) {
			b.WriteByte(byte(r))
		} else {
			b.WriteByte('_')
		}
	}
	out := strings.TrimSpace(b.String())
	if strings.Trim(out, "_") == "" {
		return ""
	}
	return out
}

// MaxLen returns the cap of an event prop, for clients that cut values.
func MaxLen(event, prop string) int {
	if f, ok := propField(event, prop); ok {
		return f.MaxLen
	}
	return 0
}

// MaxItems is the most items a list prop of event may hold (0 when the
// prop is not a list of the event).
func MaxItems(event, prop string) int {
	if f, ok := propField(event, prop); ok {
		return f.MaxItems
	}
	return 0
}

// FileCountBucket reports a file count as its bucket; the count itself never
// leaves the machine.
func FileCountBucket(n int) string {
	switch {
	case n < 100:
		return fileBuckets[0]
	case n < 1000:
		return fileBuckets[1]
	case n < 10000:
		return fileBuckets[2]
	}
	return fileBuckets[3]
}

// DurationBucket reports an indexing time as its bucket.
func DurationBucket(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return timeBuckets[0]
	case d < time.Minute:
		return timeBuckets[1]
	case d < 5*time.Minute:
		return timeBuckets[2]
	}
	return timeBuckets[3]
}

// IsLanguage reports whether id is one of codegraph's language ids.
func IsLanguage(id string) bool {
	f, _ := propField(EventIndex, "languages")
	return f.inEnum(id)
}
