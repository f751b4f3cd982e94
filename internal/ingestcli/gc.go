package ingestcli

import "runtime/debug"

// TuneGC trades memory for CPU, for the whole process (main calls it
// before Run; tests do not, so they keep Go's defaults). A request's
// garbage (its body, its decoded events) is large next to what stays
// alive, so at Go's default GOGC=100 the collector took about a tenth of
// the server's CPU under load. At 200 the heap grows to three times what is
// live before a collection (400 cost half as much memory again for no gain
// we could measure); the soft limit of 512 MiB makes the collector work
// harder instead once the writer's caches are full. An operator's GOGC or
// GOMEMLIMIT wins (deploy/codegraph-ingest.service's MemoryMax= sits above
// the soft limit).
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
	}
}
