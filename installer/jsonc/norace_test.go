//go:build !race

package jsonc

const raceEnabled = false
