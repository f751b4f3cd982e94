//go:build !pro

package installcli_test

const proBuild = false
