//go:build !race

package tomlcfg

const raceEnabled = false
