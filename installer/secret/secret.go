// Package secret is the one policy for what a printed config file hides:
// every format's redactor (jsonc, tomlcfg and yamlcfg, each in its redact.go)
// asks it which keys and which array elements carry a secret, and the
// installer applies Userinfo to the text of every format.
//
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
//
//   - every value inside an environment block (keys env, environment,
//     envs, env_*, *_env) or a headers block (headers, http_headers);
//
//   - every value under a key that looks like it holds a secret
//     (secretWords, matched ignoring case), including everything nested
//     under such a key.
//
//   - in arrays (a server's args), the value after a secret-looking flag
//     ("--api-key", "sk-..."), the value of "--token=..." or
//     "GITHUB_TOKEN=...", a header argument named like a secret
//     ("Authorization: ...", "X-Api-Key: ..."), and a "Bearer ..."
//     argument;
//
//   - anywhere, the password (or lone user, often a token) of user-info in
//     a URL: scheme://user:<redacted>@host.
//
// Keys stay visible, so the diff still says what is there. Empty values
// ("", {}, []) are kept: they reveal nothing, and showing them keeps an
// entry such as goose's `envs: {}` readable. Each redactor keeps the line
// structure of single-line values, so the diff of redacted texts has the
// same shape as the diff of the real ones.
package secret

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
)

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

// Key reports a key under which every value is redacted: one named like a
// secret, or an environment or headers block.
func Key(k string) bool { return secretKey(k) || blockKey(k) }

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

// Userinfo hides credentials in every URL of text, whatever the
// format and wherever the URL stands (an argument, a "url" or "uri" value,
// a connection string under any key). It keeps the line structure.
func Userinfo(text []byte) []byte {
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

// Arg returns how to print cur, an element of an array (a command
// line, usually) that follows prev ("" for the first), and whether it
// hides something.
func Arg(prev, cur string) (string, bool) {
	if m := argAssign().FindStringSubmatch(cur); m != nil && Key(strings.Trim(m[1], "-=")) {
		return m[1] + Redacted, true
	}
	if strings.HasPrefix(prev, "-") && !strings.Contains(prev, "=") && Key(strings.TrimLeft(prev, "-")) && cur != "" && !strings.HasPrefix(cur, "-") {
		return Redacted, true
	}
	// A header given as an argument ("-H", "X-Api-Key: abc"), named like
	// a secret (Authorization, X-Api-Key, X-Auth-Token, …).
	if m := argHeader().FindStringSubmatch(cur); m != nil && Key(m[1]) {
		return m[1] + ": " + Redacted, true
	}
	l := strings.ToLower(cur)
	if strings.HasPrefix(l, "bearer ") || strings.HasPrefix(l, "basic ") || strings.HasPrefix(l, "token ") {
		return Redacted, true
	}
	return cur, false
}
