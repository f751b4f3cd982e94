//go:build pro

package cli_test

const proBuild = true
