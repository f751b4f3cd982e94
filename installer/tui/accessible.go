package tui

import (
	"bufio"
	"fmt"
	"io"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"
)

// runAccessible asks the same questions as plain line prompts: no redraws,
// no colour, the summary printed as text before the confirmation.
func runAccessible(cfg Config, in io.Reader, out io.Writer) (Answers, error) {
	in = oneLine(in)
	out = plainWriter(out)
	s := newState(cfg)
	fmt.Fprintln(out, "codegraph — MCP server installer", cfg.Version)
	fmt.Fprintln(out)
	// Validation is left out here: huh re-asks an invalid multi-select
	// forever, even at the end of input. An empty selection is reported
	// after the form instead.
	if err := huh.NewForm(choiceFields(cfg, s, false)...).
		WithAccessible(true).WithInput(in).WithOutput(out).Run(); err != nil {
		return Answers{}, fmt.Errorf("installer form: %w", err)
	}
	if len(s.answers(cfg).Targets) == 0 {
		return s.answers(cfg), ErrNoTargets
	}
	fmt.Fprintln(out, summarize(cfg, s.answers(cfg)))
	if err := huh.NewForm(huh.NewGroup(confirmField(s, "", false))).
		WithAccessible(true).WithInput(in).WithOutput(out).Run(); err != nil {
		return Answers{}, fmt.Errorf("installer form: %w", err)
	}
	return s.answers(cfg), nil
}

// plainWriter strips colour and styling: accessible output is read aloud.
func plainWriter(w io.Writer) io.Writer {
	return &colorprofile.Writer{Forward: w, Profile: colorprofile.NoTTY}
}

// oneLine hands out at most one line per Read. huh's accessible prompts
// each read through a fresh bufio.Scanner; over a pipe or a buffer the first
// scanner would buffer (and lose) every later answer.
func oneLine(r io.Reader) io.Reader {
	if _, ok := r.(*lineReader); ok {
		return r
	}
	return &lineReader{r: bufio.NewReader(r)}
}

type lineReader struct {
	r       *bufio.Reader
	pending []byte
}

func (l *lineReader) Read(p []byte) (int, error) {
	if len(l.pending) == 0 {
		line, err := l.r.ReadBytes('\n')
		if len(line) == 0 {
			return 0, err
		}
		l.pending = line
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}
