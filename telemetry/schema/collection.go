package schema

import (
	"fmt"
	"sort"
	"strings"
)

// CollectionVersion is the version of what is collected: the events, their
// fields and what each field means. Consent is given for one version
// (consent.Config.ConsentVersion): a stored "on" or a shown notice covers
// only the version it was given for, so a release that collects more asks
// again instead of sending under a yes given for less (CONTRACT §4).
//
// Bump it, and add its line to Changes, whenever an event or a field is
// added or a field's meaning widens. TestCollectionIsPinned fails when the
// list changes without a bump.
const CollectionVersion = 1

// Changes says, for each collection version after the first, what it added
// or widened, in words a user reads in the notice ("New since you agreed:
// …"). Version 1 is the list as first published.
var Changes = map[int]string{
	1: "the first list of events and fields",
}

// NewSince is what versions after covered up to CollectionVersion added, in
// one line; "" when covered is current.
func NewSince(covered int) string {
	var parts []string
	for v := covered + 1; v <= CollectionVersion; v++ {
		if c := Changes[v]; c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, "; ")
}

// CollectedList is every event and field with what bounds its meaning (its
// kind, closed set or character class, limits), one per line, sorted: what
// TestCollectionIsPinned compares with the list pinned for
// CollectionVersion.
func CollectedList() string {
	var lines []string
	field := func(prefix string, f Field) {
		lines = append(lines, fmt.Sprintf("%s%s kind=%d charset=%d format=%d maxlen=%d maxitems=%d min=%d max=%d enum=%s",
			prefix, f.Name, f.Kind, f.Charset, f.Format, f.MaxLen, f.MaxItems, f.Min, f.Max, strings.Join(f.Enum, ",")))
	}
	for _, f := range Envelope() {
		field("envelope.", f)
	}
	for _, e := range Events() {
		lines = append(lines, "event "+e.Name)
		for _, f := range e.Props {
			field(e.Name+".", f)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}
