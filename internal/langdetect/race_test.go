//go:build race

package langdetect

// raceEnabled thins the walked corpora under the race detector, which slows
// go-enry's regexps tenfold; the race detector is after the package's
// concurrency (lazy compilation), which any sample exercises.
const raceEnabled = true
