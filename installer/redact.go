package installer

import "github.com/getcodegraph/codegraph-install/installer/secret"

// Redact returns content with secret values replaced by secret.Redacted, for
// printing: the text of a config file in format f. A --dry-run's diffs end
// up in scrollback, CI logs and bug reports, so they never show a token
// (package secret says what is hidden, each format's package how it is
// found). Content that does not parse is redacted as far as it can be
// read; it never panics.
func Redact(f Format, content []byte) []byte {
	if content == nil {
		return nil
	}
	return secret.Userinfo(syntaxOf(f).redact(content))
}
