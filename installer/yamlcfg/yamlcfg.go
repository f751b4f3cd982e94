// Package yamlcfg adds, updates and removes one MCP server entry in a YAML
// config file (goose's `extensions`, Hermes' `mcp_servers`, Continue's
// `mcpServers` list) as a minimal text edit.
//
// It owns: locating the entry in a block-style document, inserting it in
// the file's own style (indentation, line endings, a missing final
// newline), updating the fields we own in an existing entry while keeping
// the others, and reverting exactly that edit later from an Undo record.
// Documents are parsed with go.yaml.in/yaml/v3, whose node tree gives the
// line and column of every key and value; the edit itself is a splice of
// the original bytes, never a re-encoding, so comments, blank lines, quoting
// and key order outside the entry survive byte for byte. Every edit is
// checked to parse, to hold the entry, and to revert to the input exactly,
// or it is refused. Forms it does not edit (flow-style collections with
// content, several documents in one file, a top level that is not a
// mapping) are refused with a message. It does no I/O.
package yamlcfg

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/getcodegraph/codegraph-install/installer/configerr"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Field is one key of the entry we write, in order. Value is a string, a
// bool, an int, a []string or an empty map[string]string.
type Field struct {
	Key   string
	Value any
}

// Where names the entry: the top-level key holding the servers and our
// server's name in it.
type Where struct {
	Key  string // top-level key: "extensions", "mcp_servers", "mcpServers"
	Name string // our entry: "codegraph"
	// List is set when the servers are a sequence of mappings, each named
	// by its "name" key (Continue), rather than a mapping keyed by name.
	List bool
}

// Undo records what Set changed so Revert can put back exactly what was
// there. It is stored in the install manifest, hence the JSON tags.
type Undo struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	List bool   `json:"list,omitempty"`
	// Appended is true when Set added the whole entry.
	Appended bool `json:"appended,omitempty"`
	// CreatedKey is true when Set also added the top-level key.
	CreatedKey bool `json:"created_key,omitempty"`
	// EmptyBefore is what followed "key:" on its line when the servers
	// were empty ("", " {}", " []"), so an emptied key gets it back.
	EmptyBefore *string `json:"empty_before,omitempty"`
	// Previous maps each field Set changed in an existing entry to the
	// text that followed its colon; nil means the field was absent.
	Previous map[string]*string `json:"previous,omitempty"`
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Validate reports whether b is one YAML document this package can edit.
func Validate(b []byte) error {
	_, err := load(bytes.TrimPrefix(b, utf8BOM), false)
	return err
}

// Get returns our entry decoded as the agent reads it, or nil when there
// is none.
func Get(src []byte, w Where) (map[string]any, error) {
	d, err := load(bytes.TrimPrefix(src, utf8BOM), false)
	if err != nil {
		return nil, err
	}
	return d.entry(w)
}

// entry is our entry in d decoded, nil when there is none.
func (d *document) entry(w Where) (map[string]any, error) {
	loc, err := d.locate(w)
	if err != nil || loc == nil {
		return nil, err
	}
	var m map[string]any
	if err := loc.node.Decode(&m); err != nil {
		return nil, &configerr.ShapeError{Msg: fmt.Sprintf("%s.%s is not a mapping", w.Key, w.Name)}
	}
	return m, nil
}

// Set makes our entry hold fields, keeping any other key it already has.
// changed is false when the document already says exactly that.
func Set(src []byte, w Where, fields []Field) (out []byte, undo Undo, changed bool, err error) {
	bom := bytes.HasPrefix(src, utf8BOM)
	body := bytes.TrimPrefix(src, utf8BOM)
	d, err := load(body, true)
	if err != nil {
		return nil, Undo{}, false, err
	}
	undo = Undo{Key: w.Key, Name: w.Name, List: w.List}
	nb, changed, err := d.set(w, fields, &undo)
	if err != nil {
		return nil, Undo{}, false, err
	}
	if !changed {
		return src, undo, false, nil
	}
	// Safety net: what we write must parse, hold the entry, and revert to
	// the input byte for byte; otherwise nothing is written. One parse of
	// the output serves both checks.
	nd, err := load(nb, false)
	var got map[string]any
	if err == nil {
		got, err = nd.entry(w)
	}
	if err != nil || !holds(got, fields) {
		return nil, Undo{}, false, fmt.Errorf("yamlcfg: internal error: edit did not produce the entry (%v); nothing written", err)
	}
	back, rerr := nd.revert(undo)
	if rerr != nil || !bytes.Equal(back, body) {
		return nil, Undo{}, false, errors.New("yamlcfg: internal error: edit would not be exactly reversible; nothing written")
	}
	if bom {
		nb = append(append(make([]byte, 0, len(utf8BOM)+len(nb)), utf8BOM...), nb...)
	}
	return nb, undo, true, nil
}

// Revert undoes a Set described by undo on the current document src, which
// may have been changed by others since. empty reports a document left
// with nothing but blanks and comments (a file we created can go).
func Revert(src []byte, undo Undo) (out []byte, empty bool, err error) {
	bom := bytes.HasPrefix(src, utf8BOM)
	body := bytes.TrimPrefix(src, utf8BOM)
	d, err := load(body, false)
	if err != nil {
		return nil, false, err
	}
	nb, err := d.revert(undo)
	if err != nil {
		return nil, false, err
	}
	empty = isBlankDocument(nb)
	if bom {
		nb = append(append([]byte{}, utf8BOM...), nb...)
	}
	return nb, empty, nil
}

func holds(entry map[string]any, fields []Field) bool {
	if entry == nil {
		return false
	}
	for _, f := range fields {
		if !reflect.DeepEqual(entry[f.Key], normalize(f.Value)) {
			return false
		}
	}
	return true
}

// normalize turns a Field value into what yaml decoding produces.
func normalize(v any) any {
	switch x := v.(type) {
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case map[string]string:
		out := map[string]any{}
		for k, s := range x {
			out[k] = s
		}
		return out
	}
	return v
}

// document is a parsed body (no BOM) with its line table.
type document struct {
	b     []byte
	lines []int32 // start offset of each line; lines[i] is line i+1 (MaxSize fits)
	nl    string
	root  *yaml.Node // the top-level block mapping; nil when empty
}

// load parses b after the limits (limits.go): those of an edit when edit
// is set, else those of a read, with headroom for our own entry.
func load(b []byte, edit bool) (*document, error) {
	if err := checkLimits(b, edit); err != nil {
		return nil, err
	}
	// The line table is sized once, 4 bytes a line: a file of blank lines
	// is a line every byte.
	d := &document{b: b, nl: "\n", lines: make([]int32, 1, bytes.Count(b, []byte("\n"))+1)}
	for i, c := range b {
		if c == '\n' {
			if i > 0 && b[i-1] == '\r' && len(d.lines) == 1 {
				d.nl = "\r\n"
			}
			d.lines = append(d.lines, int32(i+1))
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return d, nil
	}
	if err != nil {
		return nil, &configerr.SyntaxError{Msg: "yaml: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, &configerr.SyntaxError{Msg: "yaml: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		}
		return nil, &configerr.ShapeError{Msg: "the file holds several YAML documents (---); edit it by hand"}
	}
	if len(doc.Content) == 0 {
		return d, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode || root.Style&yaml.FlowStyle != 0 {
		return nil, &configerr.ShapeError{Msg: "the top level is not a block mapping (key: value lines); edit it by hand"}
	}
	d.root = root
	return d, nil
}

// count is the number of lines.
func (d *document) count() int { return len(d.lines) }

// off is the byte offset of a 1-based line and column (columns count
// characters, as the parser does).
func (d *document) off(line, col int) int {
	if line > len(d.lines) {
		return len(d.b)
	}
	i := int(d.lines[line-1])
	for c := 1; c < col && i < len(d.b) && d.b[i] != '\n'; c++ {
		_, size := utf8.DecodeRune(d.b[i:])
		i += size
	}
	return i
}

// next is the start of the line after line l, or the end of the document.
func (d *document) next(l int) int {
	if l < len(d.lines) {
		return int(d.lines[l])
	}
	return len(d.b)
}

// end is the offset of the end of line l's content (before "\r\n" or "\n").
func (d *document) end(l int) int {
	e, start := d.next(l), int(d.lines[l-1])
	if e > start && d.b[e-1] == '\n' {
		e--
		if e > start && d.b[e-1] == '\r' {
			e--
		}
	}
	return e
}

func (d *document) text(l int) []byte { return d.b[d.lines[l-1]:d.end(l)] }

func (d *document) indent(l int) int {
	t := d.text(l)
	n := 0
	for n < len(t) && t[n] == ' ' {
		n++
	}
	return n
}

func (d *document) blank(l int) bool { return len(bytes.TrimSpace(d.text(l))) == 0 }

func (d *document) comment(l int) bool {
	t := bytes.TrimLeft(d.text(l), " \t")
	return len(t) > 0 && t[0] == '#'
}

func (d *document) dash(l int) bool {
	t := d.text(l)[d.indent(l):]
	return len(t) > 0 && t[0] == '-' && (len(t) == 1 || t[1] == ' ' || t[1] == '\t')
}

// last returns the last line of the construct that starts on line first
// with indentation ind: the lines after it that are more indented, and
// with dashes also those at the same indentation that start a sequence
// item (a block sequence written under its key). Trailing blank lines,
// and comments not indented past ind, belong to what follows.
func (d *document) last(first, ind int, dashes bool) int {
	last := first
	for l := first + 1; l <= d.count(); l++ {
		switch {
		case d.blank(l):
		case d.comment(l):
			if d.indent(l) > ind {
				last = l
			}
		case d.indent(l) > ind, dashes && d.indent(l) == ind && d.dash(l):
			last = l
		default:
			return last
		}
	}
	return last
}

// member is one key/value pair of a block mapping.
type member struct{ key, value *yaml.Node }

func pairs(m *yaml.Node) []member {
	var out []member
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, member{m.Content[i], m.Content[i+1]})
	}
	return out
}

func find(m *yaml.Node, key string) (member, bool) {
	if m == nil || m.Kind != yaml.MappingNode {
		return member{}, false
	}
	for _, p := range pairs(m) {
		if p.key.Kind == yaml.ScalarNode && p.key.Value == key {
			return p, true
		}
	}
	return member{}, false
}

func isBlock(n *yaml.Node) bool { return n.Style&yaml.FlowStyle == 0 }

// lastOf is the last line of a member.
func (d *document) lastOf(p member) int {
	seq := p.value.Kind == yaml.SequenceNode && isBlock(p.value)
	return d.last(p.key.Line, p.key.Column-1, seq)
}

// colonEnd is the offset just after the ':' that ends p's key.
func (d *document) colonEnd(p member) (int, error) {
	i := d.off(p.key.Line, p.key.Column)
	lineEnd := d.end(p.key.Line)
	switch p.key.Style {
	case yaml.DoubleQuotedStyle:
		for i++; i < lineEnd && d.b[i] != '"'; i++ {
			if d.b[i] == '\\' {
				i++
			}
		}
		i++
	case yaml.SingleQuotedStyle:
		for i++; i < lineEnd; i++ {
			if d.b[i] == '\'' {
				if i+1 < lineEnd && d.b[i+1] == '\'' {
					i++
					continue
				}
				break
			}
		}
		i++
	}
	for ; i < lineEnd; i++ {
		if d.b[i] == ':' && (i+1 >= len(d.b) || strings.IndexByte(" \t\r\n", d.b[i+1]) >= 0) {
			return i + 1, nil
		}
	}
	return 0, &configerr.ShapeError{Msg: fmt.Sprintf("line %d: a key we could not follow (multi-line or explicit ? key); edit it by hand", p.key.Line)}
}

// valueSpan is the text after p's colon that holds its value: to the end
// of the value on the key's line (a trailing comment stays outside), or,
// for a value on several lines, to the end of its last line.
func (d *document) valueSpan(p member) (int, int, error) {
	start, err := d.colonEnd(p)
	if err != nil {
		return 0, 0, err
	}
	if last := d.lastOf(p); last > p.key.Line {
		return start, d.end(last), nil
	}
	return start, valueEnd(d.b, start, d.end(p.key.Line)), nil
}

// valueEnd finds the end of a one-line value that starts after from: before
// a comment (a '#' after a blank, outside quotes) and trailing blanks.
func valueEnd(b []byte, from, lineEnd int) int {
	end := from
	for i := from; i < lineEnd; i++ {
		switch c := b[i]; {
		case c == '"':
			for i++; i < lineEnd && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			end = i + 1
		case c == '\'':
			for i++; i < lineEnd && b[i] != '\''; i++ {
			}
			end = i + 1
		case c == '#' && (i == from || b[i-1] == ' ' || b[i-1] == '\t'):
			return min(end, lineEnd)
		case c != ' ' && c != '\t':
			end = i + 1
		}
	}
	return min(end, lineEnd)
}

// loc is our entry: its lines and its mapping node.
type loc struct {
	first, last int
	ind         int // indentation of its keys
	node        *yaml.Node
}

func (d *document) servers(w Where) (member, bool) {
	return find(d.root, w.Key)
}

func (d *document) locate(w Where) (*loc, error) {
	s, ok := d.servers(w)
	if !ok {
		return nil, nil
	}
	v := s.value
	if w.List {
		if v.Kind != yaml.SequenceNode {
			return nil, nil
		}
		for _, item := range v.Content {
			if name, ok := find(item, "name"); ok && name.value.Kind == yaml.ScalarNode && name.value.Value == w.Name {
				first := item.Line
				if !d.dash(first) && first > 1 {
					first-- // "-" alone on the line before the item's first key
				}
				return &loc{first: first, last: d.last(first, d.indent(first), false), ind: item.Column - 1, node: item}, nil
			}
		}
		return nil, nil
	}
	p, ok := find(v, w.Name)
	if !ok {
		return nil, nil
	}
	l := &loc{first: p.key.Line, last: d.lastOf(p), node: p.value}
	if p.value.Kind == yaml.MappingNode && len(p.value.Content) > 0 {
		l.ind = p.value.Content[0].Column - 1
	}
	return l, nil
}

// unit is one level of the file's indentation: the first indented content
// line's indentation, 2 when there is none.
func (d *document) unit() string {
	for l := 1; l <= d.count(); l++ {
		if !d.blank(l) && !d.comment(l) {
			if n := d.indent(l); n > 0 && n <= 8 {
				return strings.Repeat(" ", n)
			}
		}
	}
	return "  "
}

// insertAfter inserts lines after line l (0: at the start), keeping the
// file's choice about a final newline.
func (d *document) insertAfter(l int, lines []string) []byte {
	at := 0
	if l > 0 {
		at = d.next(l)
	}
	text := strings.Join(lines, d.nl)
	if at == len(d.b) && len(d.b) > 0 && d.b[len(d.b)-1] != '\n' {
		return splice(d.b, at, at, d.nl+text)
	}
	return splice(d.b, at, at, text+d.nl)
}

// removeLines removes lines first..last, undoing insertAfter exactly.
func (d *document) removeLines(first, last int) []byte {
	start, end := d.removedSpan(first, last)
	return splice(d.b, start, end, "")
}

// removedSpan is the bytes removeLines removes.
func (d *document) removedSpan(first, last int) (start, end int) {
	start, end = int(d.lines[first-1]), d.next(last)
	if end == len(d.b) && start > 0 && d.b[len(d.b)-1] != '\n' {
		start-- // the newline insertAfter added before text at the end
		if start > 0 && d.nl == "\r\n" && d.b[start-1] == '\r' {
			start--
		}
	}
	return start, end
}

func (d *document) set(w Where, fields []Field, undo *Undo) ([]byte, bool, error) {
	unit := d.unit()
	s, ok := d.servers(w)
	if !ok {
		undo.Appended, undo.CreatedKey = true, true
		lines := append([]string{scalar(w.Key) + ":"}, render(w, fields, unit, unit)...)
		return d.insertAfter(d.count(), lines), true, nil
	}
	v := s.value
	keyInd := strings.Repeat(" ", s.key.Column-1)
	wantKind := yaml.MappingNode
	if w.List {
		wantKind = yaml.SequenceNode
	}
	emptyFlow := v.Kind == wantKind && !isBlock(v) && len(v.Content) == 0
	null := v.Kind == yaml.ScalarNode && v.Tag == "!!null"
	if null || emptyFlow {
		start, end, err := d.valueSpan(s)
		if err != nil {
			return nil, false, err
		}
		before := string(d.b[start:end])
		if null && strings.TrimSpace(before) != "" {
			return nil, false, &configerr.ShapeError{Msg: fmt.Sprintf("%s is set to %s; make it a mapping or remove it, then run the installer again", w.Key, strings.TrimSpace(before))}
		}
		undo.Appended, undo.EmptyBefore = true, &before
		last := d.lastOf(s)
		ins := d.insertAfter(last, render(w, fields, keyInd+unit, unit))
		return splice(ins, start, end, ""), true, nil
	}
	if v.Kind != wantKind || !isBlock(v) {
		return nil, false, &configerr.ShapeError{Msg: fmt.Sprintf("%s is not written as a block %s (it is %s); add the %s entry by hand", w.Key, kindName(wantKind), describe(v), w.Name)}
	}
	l, err := d.locate(w)
	if err != nil {
		return nil, false, err
	}
	if l == nil {
		undo.Appended = true
		var last int
		var ind string
		if w.List {
			lastItem := v.Content[len(v.Content)-1]
			first := lastItem.Line
			if !d.dash(first) && first > 1 {
				first--
			}
			last = d.last(first, d.indent(first), false)
			ind = strings.Repeat(" ", d.indent(first))
		} else {
			ps := pairs(v)
			lp := ps[len(ps)-1]
			last = d.lastOf(lp)
			ind = strings.Repeat(" ", lp.key.Column-1)
		}
		return d.insertAfter(last, render(w, fields, ind, unit)), true, nil
	}
	if l.node.Kind != yaml.MappingNode || !isBlock(l.node) || len(l.node.Content) == 0 {
		return nil, false, &configerr.ShapeError{Msg: fmt.Sprintf("%s.%s exists but is %s; edit or remove it by hand, then run the installer again", w.Key, w.Name, describe(l.node))}
	}
	return d.update(w, fields, undo)
}

// update sets fields in an existing entry. Every splice comes from the one
// parse of d and they are applied from the end of the file backwards, so no
// offset moves under another: a parse per changed field cost the YAML
// parser's 40 to 80 bytes per input byte each time.
func (d *document) update(w Where, fields []Field, undo *Undo) ([]byte, bool, error) {
	undo.Previous = map[string]*string{}
	l, err := d.locate(w)
	if err != nil {
		return nil, false, err
	}
	var edits []edit
	var added []string
	for _, f := range fields {
		p, ok := find(l.node, f.Key)
		if !ok {
			undo.Previous[f.Key] = nil
			added = append(added, strings.Repeat(" ", l.ind)+scalar(f.Key)+": "+value(f.Value))
			continue
		}
		var got any
		if p.value.Decode(&got) == nil && reflect.DeepEqual(got, normalize(f.Value)) {
			continue
		}
		start, end, err := d.valueSpan(p)
		if err != nil {
			return nil, false, err
		}
		prev := string(d.b[start:end])
		undo.Previous[f.Key] = &prev
		edits = append(edits, edit{start, end, " " + value(f.Value)})
	}
	if len(edits) == 0 && len(added) == 0 {
		return d.b, false, nil
	}
	out := d.b
	if len(added) > 0 {
		out = d.insertAfter(l.last, added) // after every value in the entry
	}
	return applyBackwards(out, edits), true, nil
}

// edit replaces b[start:end] with with.
type edit struct {
	start, end int
	with       string
}

// applyBackwards applies edits that do not overlap, from the last one in
// the file to the first, so each leaves the offsets of the rest valid.
func applyBackwards(b []byte, edits []edit) []byte {
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	for _, e := range edits {
		b = splice(b, e.start, e.end, e.with)
	}
	return b
}

func (d *document) revert(undo Undo) ([]byte, error) {
	w := Where{Key: undo.Key, Name: undo.Name, List: undo.List}
	l, err := d.locate(w)
	if err != nil || l == nil {
		return d.b, err // already gone: nothing to undo
	}
	if !undo.Appended {
		// As in update: every splice from this one parse. The lines of
		// fields we added are removed as runs of adjacent lines, so that
		// a run at the end of a file without a final newline loses the
		// newline insertAfter put before it, once.
		var edits []edit
		var added [][2]int
		for k, prev := range undo.Previous {
			p, ok := find(l.node, k)
			if !ok {
				continue
			}
			if prev == nil {
				added = append(added, [2]int{p.key.Line, d.lastOf(p)})
				continue
			}
			start, end, err := d.valueSpan(p)
			if err != nil {
				return nil, err
			}
			edits = append(edits, edit{start, end, *prev})
		}
		sort.Slice(added, func(i, j int) bool { return added[i][0] < added[j][0] })
		for i := 0; i < len(added); {
			first, last := added[i][0], added[i][1]
			for i++; i < len(added) && added[i][0] == last+1; i++ {
				last = added[i][1]
			}
			start, end := d.removedSpan(first, last)
			edits = append(edits, edit{start, end, ""})
		}
		return applyBackwards(d.b, edits), nil
	}
	cur, err := load(d.removeLines(l.first, l.last), false)
	if err != nil {
		return nil, err
	}
	s, ok := cur.servers(w)
	if !ok {
		return cur.b, nil
	}
	if v := s.value; v.Kind == yaml.ScalarNode && v.Tag != "!!null" || len(v.Content) > 0 {
		return cur.b, nil // others' entries, or a value someone else put there
	}
	if undo.CreatedKey {
		return cur.removeLines(s.key.Line, cur.lastOf(s)), nil
	}
	if undo.EmptyBefore != nil {
		start, end, err := cur.valueSpan(s)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(string(cur.b[start:end])) == "" {
			return splice(cur.b, start, end, *undo.EmptyBefore), nil
		}
	}
	return cur.b, nil
}

// render is our entry's lines: a mapping entry whose key line is indented
// by ind, or a sequence item whose dash is.
func render(w Where, fields []Field, ind, unit string) []string {
	var lines []string
	if w.List {
		lines = append(lines, ind+"- name: "+scalar(w.Name))
		for _, f := range fields {
			lines = append(lines, ind+"  "+scalar(f.Key)+": "+value(f.Value))
		}
		return lines
	}
	lines = append(lines, ind+scalar(w.Name)+":")
	for _, f := range fields {
		lines = append(lines, ind+unit+scalar(f.Key)+": "+value(f.Value))
	}
	return lines
}

func value(v any) string {
	switch x := v.(type) {
	case string:
		return scalar(x)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = scalar(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]string:
		if len(x) == 0 {
			return "{}"
		}
	}
	panic(fmt.Sprintf("yamlcfg: unsupported field value %T", v))
}

// scalar writes s plain when YAML reads it back as the same string in
// block and flow context, double-quoted otherwise.
func scalar(s string) string {
	if plainSafe(s) {
		return s
	}
	return strconv.Quote(s)
}

func plainSafe(s string) bool {
	if s == "" || s == "-" || s[0] == '~' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_./+@-", c) >= 0) {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", ".inf", "-.inf", "+.inf", ".nan":
		return false
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return false
	}
	if _, err := strconv.ParseInt(s, 0, 64); err == nil {
		return false
	}
	// A date (2001-12-14) resolves to a timestamp.
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' && s[0] >= '0' && s[0] <= '9' {
		return false
	}
	return true
}

func kindName(k yaml.Kind) string {
	if k == yaml.SequenceNode {
		return "list"
	}
	return "mapping"
}

func describe(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode && !isBlock(n):
		return "a flow mapping ({…})"
	case n.Kind == yaml.SequenceNode && !isBlock(n):
		return "a flow list ([…])"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	}
	return "a value (" + n.Value + ")"
}

func isBlankDocument(b []byte) bool {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}

func splice(b []byte, start, end int, with string) []byte {
	out := make([]byte, 0, len(b)-(end-start)+len(with))
	out = append(out, b[:start]...)
	out = append(out, with...)
	return append(out, b[end:]...)
}
