package telemetry

import (
	"sync/atomic"

	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// errorUnit is added to a slot for a failed call: the high 32 bits count
// errors, the low 32 bits count calls, so one atomic add records both and one
// swap harvests both consistently. 2³² calls between two persists cannot
// happen in practice (persists run every few minutes at most).
const (
	callUnit  = 1
	errorUnit = 1<<32 | callUnit
)

// Counter counts one registered name (a CLI command or an MCP tool, for one
// MCP client). It is created once and recorded on the hot path.
type Counter struct {
	client        *Client
	kind, name    string
	clientName    string
	clientVersion string
	// slots[day&1] collects the counts of that UTC day.
	slots [2]atomic.Uint64
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
	props := map[string]any{"kind": ctr.kind, "name": ctr.name, "count": int64(v & 0xffffffff)}
	if errs := int64(v >> 32); errs > 0 {
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
	key := counterKey{
		kind:          kind,
		name:          name,
		clientName:    schema.SanitizeLabel(clientName, schema.MaxLen(schema.EventUsageRollup, "client_name")),
		clientVersion: schema.SanitizeLabel(clientVersion, schema.MaxLen(schema.EventUsageRollup, "client_version")),
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ctr, ok := c.counters[key]; ok {
		return ctr
	}
	ctr := &Counter{client: c, kind: key.kind, name: key.name, clientName: key.clientName, clientVersion: key.clientVersion}
	c.counters[key] = ctr
	return ctr
}
