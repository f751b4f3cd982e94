//go:build !race

package installer

const raceDetector = false
