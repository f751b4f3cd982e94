package telemetry

import (
	"sync/atomic"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// A slot's high 32 bits count errors and its low 32 bits calls, so one
// atomic add records both and one swap harvests both consistently (2³²
// calls between two persists, minutes apart, cannot happen).
const (
	callUnit  = 1
	errorUnit = 1<<32 | callUnit
)

// Counter counts one registered name (a CLI command or an MCP tool, for one
// MCP client). It is created once and recorded on the hot path.
type Counter struct {
	client *Client
	counterKey
	slots [2]atomic.Uint64 // slots[day&1] counts that UTC day
}

// Record counts one call. It is an in-memory increment: no lock, no clock,
// no allocation, no I/O. When telemetry is off it is one atomic load.
func (ctr *Counter) Record(ok bool) {
	if ctr == nil || !ctr.client.on.Load() {
		return
	}
	unit := uint64(errorUnit)
	if ok {
		unit = callUnit
	}
	ctr.slots[ctr.client.day.Load()&1].Add(unit)
}

// harvest takes the counts of one day slot as a rollup delta.
func (ctr *Counter) harvest(slot, day int64) (entry, bool) {
	v := ctr.slots[slot].Swap(0)
	if v == 0 {
		return entry{}, false
	}
	// Past the schema's maximum a count would be refused whole: it stops there.
	props := map[string]any{"kind": ctr.kind, "name": ctr.name, "count": min(int64(v&0xffffffff), maxCount)}
	if errs := min(int64(v>>32), maxCount); errs > 0 {
		props["error_count"] = errs
	}
	if ctr.clientName != "" {
		props["client_name"] = ctr.clientName
	}
	if ctr.clientVersion != "" {
		props["client_version"] = ctr.clientVersion
	}
	return entry{Event: schema.EventUsageRollup, TS: dayTS(day), Props: props}, true
}

// counterKey identifies a registered counter.
type counterKey struct{ kind, name, clientName, clientVersion string }

// Counter registers kind/name (schema.UsageMCPTool or schema.UsageCLICommand)
// and returns its handle. Registering the same name twice returns the same
// handle. A name the schema would refuse (not a token of ≤64 characters)
// returns nil, whose Record does nothing: only names the program chose can
// ever be counted.
func (c *Client) Counter(kind, name string) *Counter {
	return c.CounterFor(kind, name, "", "")
}

// CounterFor is Counter for calls made by one MCP client. The client's
// self-declared name and version are sanitised to labels here, once.
func (c *Client) CounterFor(kind, name, clientName, clientVersion string) *Counter {
	if c == nil || (kind != schema.UsageMCPTool && kind != schema.UsageCLICommand) {
		return nil
	}
	if !schema.IsToken(name) || len(name) > schema.MaxLen(schema.EventUsageRollup, "name") {
		return nil
	}
	label := func(s, prop string) string {
		return schema.SanitizeLabel(s, schema.MaxLen(schema.EventUsageRollup, prop))
	}
	key := counterKey{kind, name, label(clientName, "client_name"), label(clientVersion, "client_version")}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counters[key] == nil {
		c.counters[key] = &Counter{client: c, counterKey: key}
	}
	return c.counters[key]
}
