package testkit

import (
	"strings"
	"testing"
)

func TestLineDiffMarksChangedLines(t *testing.T) {
	t.Parallel()
	got := lineDiff("a\nb\nc", "a\nx\nc")
	for _, want := range []string{"  a\n", "- b\n", "+ x\n", "  c\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("diff %q lacks %q", got, want)
		}
	}
}
