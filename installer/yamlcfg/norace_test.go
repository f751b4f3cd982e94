//go:build !race

package yamlcfg

const raceEnabled = false
