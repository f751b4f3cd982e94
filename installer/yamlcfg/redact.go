package yamlcfg

import (
	"bytes"
	"regexp"
	"strings"
	"sync"

	"github.com/getcodegraph/codegraph-install/installer/secret"
)

// yamlLevel is a mapping key or sequence item that encloses later lines.
type yamlLevel struct {
	indent int
	open   bool // a key whose value is the block below it
	secret bool // every value below is redacted
}

// yamlFlowPair finds "key: value" pairs in a flow mapping ({a: b, c: d}),
// compiled on first use like argAssign.
var yamlFlowPair = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`([{,]\s*)("[^"]*"|'[^']*'|[^:,{}\[\]"']+?)(\s*:\s*)("[^"]*"|'[^']*'|[^,{}]*?)(\s*[,}])`)
})

// Redact returns b with secret values replaced by secret.Redacted, for
// printing. It reads YAML line by line, tracking the keys that enclose each
// line by indentation (block mappings and sequences, the styles agent
// configs use); flow collections and block scalars under a sensitive key
// are redacted whole.
func Redact(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	var stack []yamlLevel
	block := -1 // inside a redacted block scalar: lines indented past this
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		body := bytes.TrimRight(line, "\r\n")
		eol := line[len(body):]
		text := string(body)
		trimmed := strings.TrimLeft(text, " \t")
		indent := len(text) - len(trimmed)
		if block >= 0 {
			if trimmed == "" {
				out.Write(line)
				continue
			}
			if indent > block {
				out.WriteString(text[:indent] + secret.Redacted)
				out.Write(eol)
				continue
			}
			block = -1
		}
		if trimmed == "" || trimmed[0] == '#' || strings.HasPrefix(trimmed, "---") || strings.HasPrefix(trimmed, "...") || trimmed[0] == '%' {
			out.Write(line)
			continue
		}
		// Sequence dashes: each opens a level of its own.
		rest, restIndent := trimmed, indent
		item := false
		for strings.HasPrefix(rest, "-") && (len(rest) == 1 || rest[1] == ' ' || rest[1] == '\t') {
			if !item {
				for len(stack) > 0 && (stack[len(stack)-1].indent > indent || stack[len(stack)-1].indent == indent && !stack[len(stack)-1].open) {
					stack = stack[:len(stack)-1]
				}
			}
			hidden := len(stack) > 0 && stack[len(stack)-1].secret
			stack = append(stack, yamlLevel{indent: restIndent, secret: hidden})
			item = true
			after := strings.TrimLeft(rest[1:], " \t")
			restIndent += len(rest) - len(after)
			rest = after
		}
		if !item {
			for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
				stack = stack[:len(stack)-1]
			}
		}
		parent := len(stack) > 0 && stack[len(stack)-1].secret
		key, value, isPair := yamlSplitPair(rest)
		if !isPair {
			// A scalar sequence item (or a continuation line).
			if parent && rest != "" {
				out.WriteString(text[:len(text)-len(rest)] + redactYAMLValue(rest))
			} else {
				out.WriteString(text)
			}
			out.Write(eol)
			continue
		}
		hidden := parent || secret.Key(strings.Trim(key, `"'`))
		v := strings.TrimSpace(value)
		open := v == "" || v[0] == '#' || v[0] == '&' && !strings.Contains(v, " ")
		stack = append(stack, yamlLevel{indent: restIndent, open: open, secret: hidden})
		prefix := text[:len(text)-len(value)]
		switch {
		case open:
			out.WriteString(text)
		case hidden && (v[0] == '|' || v[0] == '>'):
			block = restIndent
			out.WriteString(text)
		case hidden:
			out.WriteString(prefix + redactYAMLValue(value))
		case v[0] == '[' && !strings.Contains(v, "{") && !strings.Contains(v, "["+"["):
			out.WriteString(prefix + redactYAMLFlowSeq(value))
		case v[0] == '{':
			flow := yamlFlowPair()
			out.WriteString(prefix + flow.ReplaceAllStringFunc(value, func(m string) string {
				p := flow.FindStringSubmatch(m)
				if !secret.Key(strings.Trim(p[2], `"' `)) || yamlEmpty(p[4]) {
					return m
				}
				return p[1] + p[2] + p[3] + secret.Redacted + p[5]
			}))
		default:
			out.WriteString(text)
		}
		out.Write(eol)
	}
	return out.Bytes()
}

// redactYAMLFlowSeq applies secret.Arg to the items of a one-line flow
// sequence ("[serve, --api-key, sk-1]"), keeping its spacing.
func redactYAMLFlowSeq(value string) string {
	open := strings.IndexByte(value, '[')
	closing := strings.LastIndexByte(value, ']')
	if open < 0 || closing < open {
		return value
	}
	items := strings.Split(value[open+1:closing], ",")
	prev := ""
	for i, it := range items {
		core := strings.TrimSpace(it)
		quote := ""
		if len(core) >= 2 && (core[0] == '"' || core[0] == '\'') && core[len(core)-1] == core[0] {
			quote, core = core[:1], core[1:len(core)-1]
		}
		if shown, hid := secret.Arg(prev, core); hid {
			lead := it[:len(it)-len(strings.TrimLeft(it, " \t"))]
			trail := it[len(strings.TrimRight(it, " \t")):]
			items[i] = lead + quote + shown + quote + trail
		}
		prev = core
	}
	return value[:open+1] + strings.Join(items, ",") + value[closing:]
}

// yamlSplitPair splits "key: value" (the key plain or quoted); ok is false
// for a line that is not a mapping pair.
func yamlSplitPair(s string) (key, value string, ok bool) {
	i := 0
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		j := strings.IndexByte(s[1:], s[0])
		if j < 0 {
			return "", "", false
		}
		i = j + 2
	}
	for ; i < len(s); i++ {
		if s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\t') {
			return s[:i], s[i+1:], true
		}
		if s[i] == '#' && i > 0 && (s[i-1] == ' ' || s[i-1] == '\t') || s[i] == '{' || s[i] == '[' {
			return "", "", false
		}
	}
	return "", "", false
}

// redactYAMLValue replaces a scalar or flow value (keeping its leading
// space and a trailing comment) unless it is empty.
func redactYAMLValue(value string) string {
	lead := value[:len(value)-len(strings.TrimLeft(value, " \t"))]
	v := strings.TrimLeft(value, " \t")
	comment := ""
	if v == "" || v[0] != '"' && v[0] != '\'' {
		if k := strings.Index(v, " #"); k >= 0 {
			v, comment = v[:k], v[k:]
		}
	}
	if yamlEmpty(v) {
		return value
	}
	return lead + secret.Redacted + comment
}

func yamlEmpty(v string) bool {
	switch strings.TrimSpace(v) {
	case "", `""`, "''", "{}", "[]", "~", "null":
		return true
	}
	return false
}
