package installer

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
)

// A --dry-run prints unified diffs of a user's config files, and their
// context lines show the neighbouring entries: a GitHub MCP server's
// personal access token, an Authorization header, an API key in an env
// block. Output of a dry run ends up in terminals' scrollback, CI logs and
// bug reports, so the printed diff never shows such values. Redaction
// applies to the text printed only: what Apply writes is the file's own
// bytes, untouched.
//
// What is redacted, for every format alike (our own entry has no secrets,
// but is not treated differently):
//   - every value inside an environment block (keys env, environment,
//     envs, env_*, *_env) or a headers block (headers, http_headers);
//   - every value under a key that looks like it holds a secret
//     (secretWords, matched ignoring case), including everything nested
//     under such a key.
//
//   - in arrays (a server's args), the value after a secret-looking flag
//     ("--api-key", "sk-..."), the value of "--token=..." or
//     "GITHUB_TOKEN=...", a header argument named like a secret
//     ("Authorization: ...", "X-Api-Key: ..."), and a "Bearer ..."
//     argument;
//   - anywhere, the password (or lone user, often a token) of user-info in
//     a URL: scheme://user:<redacted>@host.
//
// Keys stay visible, so the diff still says what is there. Empty values
// ("", {}, []) are kept: they reveal nothing, and showing them keeps an
// entry such as goose's `envs: {}` readable. Each redactor keeps the line
// structure of single-line values, so the diff of redacted texts has the
// same shape as the diff of the real ones.

// Redacted replaces a secret value in printed output.
const Redacted = "<redacted>"

// secretWords mark a key whose value is likely a secret.
var secretWords = []string{"token", "key", "secret", "password", "passwd", "authorization", "auth", "credential", "apikey", "api_key", "bearer"}

// secretKey reports a key whose value looks like a secret.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// blockKey reports a key whose values are environment variables or HTTP
// headers: all of them are redacted, whatever their names.
func blockKey(k string) bool {
	k = strings.ToLower(strings.TrimSpace(k))
	switch k {
	case "env", "environment", "envs", "headers", "http_headers":
		return true
	}
	return strings.HasPrefix(k, "env_") || strings.HasSuffix(k, "_env")
}

// sensitive reports a key under which every value is redacted.
func sensitive(k string) bool { return secretKey(k) || blockKey(k) }

// argAssign matches "--flag=value" and "NAME=value" arguments. It is
// compiled on first use: only --dry-run redacts, and every other command
// (an agent's `serve --mcp` included) would pay for it at start-up.
var argAssign = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(-{0,2}[A-Za-z_][A-Za-z0-9_.-]*=)(.+)$`)
})

// argHeader matches an HTTP header written as one argument, "Name: value".
var argHeader = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_-]*):[ \t]*(\S.*)$`)
})

// urlUserinfo matches the password of user-info in a URL,
// scheme://user:password@host (RFC 3986 §3.2.1: the password part is
// deprecated exactly because it leaks; connection strings still carry it:
// postgresql://user:hunter2@db/prod). The user name stays, the password
// goes; a user name alone (a token as the user, https://ghp_x@github.com)
// goes whole.
var urlUserinfo = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@\s"':]*)(:[^/?#@\s"']*)?@`)
})

// redactUserinfo hides credentials in every URL of text, whatever the
// format and wherever the URL stands (an argument, a "url" or "uri" value,
// a connection string under any key). It keeps the line structure.
func redactUserinfo(text []byte) []byte {
	if !bytes.Contains(text, []byte("://")) {
		return text
	}
	return urlUserinfo().ReplaceAllFunc(text, func(m []byte) []byte {
		sub := urlUserinfo().FindSubmatch(m)
		if len(sub[3]) > 0 {
			return []byte(string(sub[1]) + string(sub[2]) + ":" + Redacted + "@")
		}
		return []byte(string(sub[1]) + Redacted + "@")
	})
}

// redactArg returns how to print cur, an element of an array (a command
// line, usually) that follows prev ("" for the first), and whether it
// hides something.
func redactArg(prev, cur string) (string, bool) {
	if m := argAssign().FindStringSubmatch(cur); m != nil && sensitive(strings.Trim(m[1], "-=")) {
		return m[1] + Redacted, true
	}
	if strings.HasPrefix(prev, "-") && !strings.Contains(prev, "=") && sensitive(strings.TrimLeft(prev, "-")) && cur != "" && !strings.HasPrefix(cur, "-") {
		return Redacted, true
	}
	// A header given as an argument ("-H", "X-Api-Key: abc"), named like
	// a secret (Authorization, X-Api-Key, X-Auth-Token, …).
	if m := argHeader().FindStringSubmatch(cur); m != nil && sensitive(m[1]) {
		return m[1] + ": " + Redacted, true
	}
	l := strings.ToLower(cur)
	if strings.HasPrefix(l, "bearer ") || strings.HasPrefix(l, "basic ") || strings.HasPrefix(l, "token ") {
		return Redacted, true
	}
	return cur, false
}

// Redact returns content with secret values replaced by Redacted, for
// printing: the text of a config file in format f. Content that does not
// parse is redacted as far as it can be read; it never panics.
func Redact(f Format, content []byte) []byte {
	if content == nil {
		return nil
	}
	switch f {
	case FormatTOML:
		return redactUserinfo(redactTOML(content))
	case FormatYAML:
		return redactUserinfo(redactYAML(content))
	}
	return redactUserinfo(redactJSON(content))
}

// jsonFrame is an open object or array while scanning JSON.
type jsonFrame struct {
	object    bool
	expectKey bool   // object: the next string is a member name
	key       string // object: the current member name
	secret    bool   // every value inside is redacted
	prev      string // array: the previous string element, for redactArg
}

// redactJSON scans JSON or JSONC (comments, trailing commas) token by
// token, tracking the member names that lead to each value.
func redactJSON(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	var stack []jsonFrame
	valueSecret := func() bool {
		if len(stack) == 0 {
			return false
		}
		top := stack[len(stack)-1]
		return top.secret || (top.object && sensitive(top.key))
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				j = len(b) - i
			}
			out.Write(b[i : i+j])
			i += j
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			j := bytes.Index(b[i+2:], []byte("*/"))
			end := len(b)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			out.Write(b[i:end])
			i = end
		case c == '"':
			end := jsonStringEnd(b, i)
			tok := b[i:end]
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				stack[n-1].key = strings.Trim(string(tok), `"`)
				out.Write(tok)
			} else if valueSecret() && len(tok) > 2 {
				out.WriteString(`"` + Redacted + `"`)
			} else if n := len(stack); n > 0 && !stack[n-1].object && len(tok) >= 2 && tok[len(tok)-1] == '"' {
				inner := string(tok[1 : len(tok)-1])
				shown, _ := redactArg(stack[n-1].prev, inner)
				stack[n-1].prev = inner
				out.WriteString(`"` + shown + `"`)
			} else {
				out.Write(tok)
			}
			i = end
		case c == ':':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].expectKey = false
			}
			out.WriteByte(c)
			i++
		case c == ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].expectKey = true
			}
			out.WriteByte(c)
			i++
		case c == '{' || c == '[':
			stack = append(stack, jsonFrame{object: c == '{', expectKey: c == '{', secret: valueSecret()})
			out.WriteByte(c)
			i++
		case c == '}' || c == ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			out.WriteByte(c)
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			out.WriteByte(c)
			i++
		default:
			// A literal (number, true, false, null) or stray bytes.
			j := i
			for j < len(b) && !bytes.ContainsRune([]byte(" \t\r\n,:{}[]\"/"), rune(b[j])) {
				j++
			}
			if j == i {
				j = i + 1 // a lone '/' that starts no comment
			}
			if lit := string(b[i:j]); valueSecret() && lit != "null" {
				out.WriteString(`"` + Redacted + `"`)
			} else {
				out.WriteString(lit)
			}
			i = j
		}
	}
	return out.Bytes()
}

// jsonStringEnd returns the index after the string starting at b[i] (a
// quote); an unterminated string ends at the end of its line.
func jsonStringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		case '\n':
			return j
		}
	}
	return len(b)
}

// tomlFrame is an open inline table or array while scanning TOML.
type tomlFrame struct {
	table  bool   // inline table (else array)
	secret bool   // every value inside is redacted
	prev   string // array: the previous string element, for redactArg
}

// redactTOML scans TOML (1.0 and 1.1's multi-line inline tables): table
// headers set the path, keys (dotted or quoted) extend it, and a value is
// redacted when any part of its path is sensitive.
func redactTOML(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	var stack []tomlFrame
	tableSecret := false // the current [table] header's path is sensitive
	keySecret := false   // the key of the value being read is sensitive
	expectKey := true    // at the start of a key/value pair
	valueSecret := func() bool {
		if n := len(stack); n > 0 && stack[n-1].secret {
			return true
		}
		return (len(stack) == 0 && tableSecret) || keySecret
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			out.WriteByte(c)
			i++
		case c == '\n':
			if len(stack) == 0 {
				expectKey, keySecret = true, false
			}
			out.WriteByte(c)
			i++
		case c == '#':
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				j = len(b) - i
			}
			out.Write(b[i : i+j])
			i += j
		case c == '[' && expectKey && len(stack) == 0:
			// A table header: its path decides for the keys below it.
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				j = len(b) - i
			}
			line := b[i : i+j]
			if k := bytes.IndexByte(line, '#'); k >= 0 {
				line = line[:k]
			}
			tableSecret = false
			for _, part := range tomlKeyParts(strings.Trim(strings.TrimSpace(string(line)), "[]")) {
				tableSecret = tableSecret || sensitive(part)
			}
			out.Write(b[i : i+j])
			i += j
		case expectKey && c != '}' && c != ',':
			// A key, up to '=' (or a stray line: copied as it is).
			j := i
			for j < len(b) && b[j] != '=' && b[j] != '\n' {
				if b[j] == '"' || b[j] == '\'' {
					j = tomlStringEnd(b, j)
					continue
				}
				j++
			}
			keySecret = false
			for _, part := range tomlKeyParts(string(b[i:j])) {
				keySecret = keySecret || sensitive(part)
			}
			if j < len(b) && b[j] == '=' {
				expectKey = false
				j++
			}
			out.Write(b[i:j])
			i = j
		case c == '"' || c == '\'':
			end := tomlStringEnd(b, i)
			tok := b[i:end]
			n := len(stack)
			single := len(tok) >= 2 && tok[len(tok)-1] == c && !(len(tok) >= 6 && tok[1] == c && tok[2] == c)
			switch {
			case valueSecret() && !emptyQuoted(tok):
				out.WriteString(`"` + Redacted + `"`)
			case n > 0 && !stack[n-1].table && single:
				inner := string(tok[1 : len(tok)-1])
				shown, _ := redactArg(stack[n-1].prev, inner)
				stack[n-1].prev = inner
				out.WriteString(string(c) + shown + string(c))
			default:
				out.Write(tok)
			}
			i = end
		case c == '{' || c == '[':
			stack = append(stack, tomlFrame{table: c == '{', secret: valueSecret()})
			expectKey = c == '{'
			keySecret = false
			out.WriteByte(c)
			i++
		case c == '}' || c == ']':
			if n := len(stack); n > 0 {
				stack = stack[:n-1]
			}
			expectKey, keySecret = false, false
			out.WriteByte(c)
			i++
		case c == ',':
			if n := len(stack); n > 0 && stack[n-1].table {
				expectKey, keySecret = true, false
			}
			out.WriteByte(c)
			i++
		default:
			// A bare value: number, boolean, date.
			j := i
			for j < len(b) && !bytes.ContainsRune([]byte(" \t\r\n,#{}[]\"'"), rune(b[j])) {
				j++
			}
			if j == i {
				j = i + 1
			}
			if valueSecret() {
				out.WriteString(`"` + Redacted + `"`)
			} else {
				out.Write(b[i:j])
			}
			i = j
		}
	}
	return out.Bytes()
}

// tomlStringEnd returns the index after the string starting at b[i]:
// basic or literal, single- or multi-line. An unterminated single-line
// string ends at the end of its line.
func tomlStringEnd(b []byte, i int) int {
	q := b[i]
	if i+2 < len(b) && b[i+1] == q && b[i+2] == q {
		delim := []byte{q, q, q}
		j := bytes.Index(b[i+3:], delim)
		if j < 0 {
			return len(b)
		}
		end := i + 3 + j + 3
		for end < len(b) && b[end] == q { // """a"""" ends with quotes in the value
			end++
		}
		return end
	}
	for j := i + 1; j < len(b); j++ {
		switch {
		case b[j] == '\\' && q == '"':
			j++
		case b[j] == q:
			return j + 1
		case b[j] == '\n':
			return j
		}
	}
	return len(b)
}

// tomlKeyParts splits a dotted key into its parts, unquoted.
func tomlKeyParts(key string) []string {
	var parts []string
	var cur strings.Builder
	quote := byte(0)
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			quote = c
		case c == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}

func emptyQuoted(tok []byte) bool {
	s := string(tok)
	return s == `""` || s == `''` || s == `""""""` || s == `''''''`
}

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

// redactYAML reads YAML line by line, tracking the keys that enclose each
// line by indentation (block mappings and sequences, the styles agent
// configs use); flow collections and block scalars under a sensitive key
// are redacted whole.
func redactYAML(b []byte) []byte {
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
				out.WriteString(text[:indent] + Redacted)
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
			secret := len(stack) > 0 && stack[len(stack)-1].secret
			stack = append(stack, yamlLevel{indent: restIndent, secret: secret})
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
		secret := parent || sensitive(strings.Trim(key, `"'`))
		v := strings.TrimSpace(value)
		open := v == "" || v[0] == '#' || v[0] == '&' && !strings.Contains(v, " ")
		stack = append(stack, yamlLevel{indent: restIndent, open: open, secret: secret})
		prefix := text[:len(text)-len(value)]
		switch {
		case open:
			out.WriteString(text)
		case secret && (v[0] == '|' || v[0] == '>'):
			block = restIndent
			out.WriteString(text)
		case secret:
			out.WriteString(prefix + redactYAMLValue(value))
		case v[0] == '[' && !strings.Contains(v, "{") && !strings.Contains(v, "["+"["):
			out.WriteString(prefix + redactYAMLFlowSeq(value))
		case v[0] == '{':
			flow := yamlFlowPair()
			out.WriteString(prefix + flow.ReplaceAllStringFunc(value, func(m string) string {
				p := flow.FindStringSubmatch(m)
				if !sensitive(strings.Trim(p[2], `"' `)) || yamlEmpty(p[4]) {
					return m
				}
				return p[1] + p[2] + p[3] + Redacted + p[5]
			}))
		default:
			out.WriteString(text)
		}
		out.Write(eol)
	}
	return out.Bytes()
}

// redactYAMLFlowSeq applies redactArg to the items of a one-line flow
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
		if shown, hid := redactArg(prev, core); hid {
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
	return lead + Redacted + comment
}

func yamlEmpty(v string) bool {
	switch strings.TrimSpace(v) {
	case "", `""`, "''", "{}", "[]", "~", "null":
		return true
	}
	return false
}
