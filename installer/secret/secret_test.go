package secret

import "testing"

// TestKey: environment and header blocks, and keys named like a secret.
func TestKey(t *testing.T) {
	t.Parallel()
	for k, want := range map[string]bool{
		"env": true, "ENVIRONMENT": true, "envs": true, "env_vars": true, "docker_env": true,
		"headers": true, "http_headers": true, "apiKey": true, "GITHUB_TOKEN": true, "Authorization": true,
		"command": false, "args": false, "url": false, "environ": false, "name": false,
	} {
		if got := Key(k); got != want {
			t.Errorf("Key(%q) = %v, want %v", k, got, want)
		}
	}
}

// TestArg: each way a secret travels on a command line.
func TestArg(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ prev, cur, want string }{
		{"--api-key", "sk-1", Redacted},
		{"", "--token=abc", "--token=" + Redacted},
		{"", "GITHUB_TOKEN=ghp_x", "GITHUB_TOKEN=" + Redacted},
		{"-H", "X-Api-Key: abc", "X-Api-Key: " + Redacted},
		{"", "Bearer xyz", Redacted},
		{"--api-key", "--verbose", "--verbose"}, // a flag, not the key's value
		{"-e", "PORT=1", "PORT=1"},
		{"", "Accept: json", "Accept: json"},
		{"", "serve", "serve"},
	} {
		got, hid := Arg(tc.prev, tc.cur)
		if got != tc.want || hid != (tc.want != tc.cur) {
			t.Errorf("Arg(%q, %q) = %q, %v; want %q", tc.prev, tc.cur, got, hid, tc.want)
		}
	}
}

// TestUserinfo: the password of a URL goes, the user stays; a lone user
// (often a token) goes whole; an @ after the host is not user-info.
func TestUserinfo(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgresql://user:hunter2@db/prod": "postgresql://user:" + Redacted + "@db/prod",
		"https://ghp_tok@github.com/x":      "https://" + Redacted + "@github.com/x",
		"redis://:s3cret@cache:6379":        "redis://:" + Redacted + "@cache:6379",
		"https://example.com/a@b":           "https://example.com/a@b",
		"no url here @ all":                 "no url here @ all",
	} {
		if got := string(Userinfo([]byte(in))); got != want {
			t.Errorf("Userinfo(%q) = %q, want %q", in, got, want)
		}
	}
}
