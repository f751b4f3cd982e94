package installer

import (
	"fmt"
	"strings"
)

// UnknownTargetError is a target id that names no agent. Suggestion is the
// closest known id ("" when none is close), so a typo gets a fix rather than
// a list of twenty ids to scan.
type UnknownTargetError struct {
	ID         string
	Suggestion string
}

func (e *UnknownTargetError) Error() string {
	known := strings.Join(TargetIDs(), ", ")
	if e.Suggestion != "" {
		return fmt.Sprintf("unknown target %q: did you mean %q? (known: %s)", e.ID, e.Suggestion, known)
	}
	return fmt.Sprintf("unknown target %q (known: %s)", e.ID, known)
}

// ParseTargetID returns the canonical id of the target s names: ids are
// matched ignoring case and surrounding space, so "Claude" and " CURSOR"
// work wherever a target is named. An unknown id is an
// *UnknownTargetError carrying SuggestTarget's guess.
func ParseTargetID(s string) (string, error) {
	if t, ok := TargetByID(s); ok {
		return t.ID, nil
	}
	return "", &UnknownTargetError{ID: strings.TrimSpace(s), Suggestion: SuggestTarget(s)}
}

// SuggestTarget returns the known target id a mistyped s most likely
// meant, or "" when none is close. A start of an id wins first (the
// shortest such id: "claud" is claude rather than claude-desktop), then the
// smallest edit distance within a budget that grows with the length of s,
// so short inputs are not matched to anything at all; ties go to the
// earlier target in the registry.
func SuggestTarget(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	ids := TargetIDs()
	best := ""
	if len(s) >= 3 {
		for _, id := range ids {
			if strings.HasPrefix(id, s) && (best == "" || len(id) < len(best)) {
				best = id
			}
		}
		if best != "" {
			return best
		}
	}
	budget := 1
	if len(s) >= 5 {
		budget = 2
	}
	bestDist := budget + 1
	for _, id := range ids {
		if d := levenshtein(s, id); d < bestDist {
			best, bestDist = id, d
		}
	}
	return best
}

// levenshtein is the edit distance of a and b (insertions, deletions and
// substitutions, by byte: target ids are ASCII).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
