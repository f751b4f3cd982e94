#!/bin/sh
# Install codegraph-install (and its codegraph name) from a release archive:
#
#   curl -fsSL https://raw.githubusercontent.com/getcodegraph/codegraph-install/main/install.sh | sh
#
# It picks the archive for this OS and CPU, downloads it and the SHA256SUMS
# file from the release, refuses to install if the archive's checksum does
# not match, and installs the binaries into a prefix (default ~/.local/bin).
#
# Settings (environment variables):
#   CODEGRAPH_VERSION    version to install, e.g. 0.2.0 (default: the latest release)
#   CODEGRAPH_BASE_URL   where the archives are (default: the GitHub release of that version)
#   CODEGRAPH_PREFIX     directory to install into (default: ~/.local/bin)
set -eu

repo="https://github.com/getcodegraph/codegraph-install"
prefix="${CODEGRAPH_PREFIX:-$HOME/.local/bin}"
version="${CODEGRAPH_VERSION:-}"

fail() { printf 'codegraph install: %s\n' "$*" >&2; exit 1; }

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) fail "no release for $(uname -s): on Windows, use 'npx codegraph-install' or the .zip from $repo/releases" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  arm64 | aarch64) arch=arm64 ;;
  *) fail "no release for the $(uname -m) CPU" ;;
esac

if [ -n "${CODEGRAPH_BASE_URL:-}" ]; then
  base="${CODEGRAPH_BASE_URL%/}"
elif [ -n "$version" ]; then
  base="$repo/releases/download/v$version"
else
  base="$repo/releases/latest/download"
fi

fetch() { # fetch URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL "$1" -o "$2"
  elif command -v wget >/dev/null 2>&1; then
    wget -q "$1" -O "$2"
  else
    fail "neither curl nor wget is installed"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "neither sha256sum nor shasum is installed: cannot verify the download"
  fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT INT TERM

fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS" || fail "cannot download $base/SHA256SUMS"
# The archive's name carries the version; SHA256SUMS says which it is.
archive="$(awk -v suffix="_${os}_${arch}.tar.gz" 'substr($2, length($2) - length(suffix) + 1) == suffix { print $2; exit }' "$tmp/SHA256SUMS")"
[ -n "$archive" ] || fail "the release at $base has no archive for ${os}/${arch}"
want="$(awk -v name="$archive" '$2 == name { print $1; exit }' "$tmp/SHA256SUMS")"

fetch "$base/$archive" "$tmp/$archive" || fail "cannot download $base/$archive"
got="$(sha256 "$tmp/$archive")"
[ "$got" = "$want" ] || fail "checksum mismatch for $archive (expected $want, got $got): nothing was installed"

mkdir -p "$tmp/x"
tar -xzf "$tmp/$archive" -C "$tmp/x"
mkdir -p "$prefix"
# codegraph-ingest stays in the archive: it is for people who host the
# telemetry ingest, not for users of codegraph.
cp "$tmp/x/codegraph-install" "$prefix/codegraph-install.tmp.$$"
chmod 0755 "$prefix/codegraph-install.tmp.$$"
mv -f "$prefix/codegraph-install.tmp.$$" "$prefix/codegraph-install"
ln -sf codegraph-install "$prefix/codegraph"

printf 'Installed %s into %s\n' "$archive" "$prefix"
case ":${PATH}:" in
  *":$prefix:"*) printf 'Run: codegraph-install\n' ;;
  *) printf '%s is not on your PATH: add it (e.g. export PATH="%s:$PATH" in your shell profile), or run %s/codegraph-install\n' "$prefix" "$prefix" "$prefix" ;;
esac
