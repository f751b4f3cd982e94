package tui

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"
)

// runAccessible asks the same questions as plain line prompts: no redraws,
// no colour, the summary printed as text before the confirmation. The end
// of input (Ctrl+D) at any prompt cancels, and so does ctx ending (Ctrl+C
// sends SIGINT in a terminal's line mode): nothing is answered for the user.
func runAccessible(ctx context.Context, cfg Config, in io.Reader, out io.Writer) (Answers, error) {
	pi := newPromptInput(ctx, in)
	out = pi.gate(plainWriter(out))
	s := newState(cfg)
	fmt.Fprintln(out, "codegraph — MCP server installer", cfg.Version)
	fmt.Fprintln(out)
	// Validation is left out here: huh re-asks an invalid multi-select
	// forever. An empty selection is reported right after it instead.
	// Each screen is its own form, so the toggle's description (which huh
	// does not print in this mode) comes first.
	for i, g := range choiceFields(cfg, s, false) {
		if cfg.AskConsent && i == consentScreen {
			fmt.Fprintln(out, consentDescription(cfg))
		}
		_ = huh.NewForm(g).WithAccessible(true).WithInput(pi).WithOutput(out).Run()
		if err := pi.err(); err != nil {
			return Answers{}, err
		}
		if i == 0 && len(s.answers(cfg).Targets) == 0 {
			return Answers{}, ErrNoTargets
		}
	}
	fmt.Fprintln(out, summarize(cfg, s.answers(cfg)))
	_ = huh.NewForm(huh.NewGroup(confirmField(s, "", false))).
		WithAccessible(true).WithInput(pi).WithOutput(out).Run()
	if err := pi.err(); err != nil {
		return Answers{}, err
	}
	return s.result(cfg)
}

// plainWriter strips colour and styling: accessible output is read aloud.
func plainWriter(w io.Writer) io.Writer {
	return &colorprofile.Writer{Forward: w, Profile: colorprofile.NoTTY}
}

// promptInput is what accessible prompts read. It hands out one line per
// Read: huh's prompts each read through a fresh bufio.Scanner, and over a
// pipe the first scanner would buffer (and lose) every later answer.
//
// It also ends the form, which huh's prompts cannot do: at the end of input
// each of them returns its default, so Ctrl+D would answer yes to every
// question, and they block in a read that ignores Ctrl+C. promptInput
// remembers the end of input (ErrCancelled) or of ctx (ErrInterrupted);
// from then on every read fails at once and output is dropped, and the
// caller returns err() instead of the answers.
type promptInput struct {
	ctx     context.Context
	br      *bufio.Reader
	pending []byte
	// partial: the last line handed out had no newline (the input's last
	// line). The scanner's next read, which meets the end of input, is
	// part of that answer, not the end of a prompt.
	partial bool
	ended   error
}

func newPromptInput(ctx context.Context, r io.Reader) *promptInput {
	return &promptInput{ctx: ctx, br: bufio.NewReader(r)}
}

// err is ErrCancelled after the end of input, ErrInterrupted after ctx
// ended, nil otherwise.
func (p *promptInput) err() error { return p.ended }

func (p *promptInput) Read(b []byte) (int, error) {
	if len(p.pending) == 0 {
		if p.ended != nil {
			return 0, io.EOF
		}
		line, ok := p.readLine()
		switch {
		case !ok:
			p.ended = ErrInterrupted
			return 0, io.EOF
		case len(line) == 0 && p.partial:
			p.partial = false
			return 0, io.EOF
		case len(line) == 0:
			p.ended = ErrCancelled
			return 0, io.EOF
		}
		p.partial = line[len(line)-1] != '\n'
		p.pending = line
	}
	n := copy(b, p.pending)
	p.pending = p.pending[n:]
	return n, nil
}

// readLine reads one line, or what is left before the end of input; ok is
// false when ctx ended first. The read runs in its own goroutine so that
// ctx can end a read that blocks on a terminal; once ctx has ended nothing
// reads again, so that goroutine is the only reader left.
func (p *promptInput) readLine() (line []byte, ok bool) {
	if p.ctx.Err() != nil {
		return nil, false
	}
	ch := make(chan []byte, 1)
	go func() {
		line, _ := p.br.ReadBytes('\n') // any error ends the input, like EOF
		ch <- line
	}()
	select {
	case line := <-ch:
		return line, true
	case <-p.ctx.Done():
		return nil, false
	}
}

// gate drops writes once the input ended: the prompts left are not asked.
func (p *promptInput) gate(w io.Writer) io.Writer { return gatedWriter{p, w} }

type gatedWriter struct {
	p *promptInput
	w io.Writer
}

func (g gatedWriter) Write(b []byte) (int, error) {
	if g.p.ended != nil {
		return len(b), nil
	}
	return g.w.Write(b)
}
