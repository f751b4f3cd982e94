//go:build race

package installer

// raceDetector: the race detector slows parsing tenfold, which distorts
// the timing the concurrent-writer test is about.
const raceDetector = true
