//go:build race

package jsonc

// raceEnabled: the race detector allocates for itself and runs many times
// slower, so the allocation bounds are checked by the runs without it
// (make test's pro step runs every test without -race).
const raceEnabled = true
