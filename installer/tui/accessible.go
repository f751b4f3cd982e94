package tui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/getcodegraph/codegraph-install/installer"
)

// runAccessible asks the same questions as plain line prompts: no redraws,
// no colour, the summary printed as text before the confirmation. The end
// of input (Ctrl+D) at any prompt cancels, and so does ctx ending (Ctrl+C
// sends SIGINT in a terminal's line mode): nothing is answered for the user.
func runAccessible(ctx context.Context, cfg Config, in io.Reader, out io.Writer) (ans Answers, err error) {
	defer func() {
		if errors.Is(err, ErrInterrupted) {
			// The terminal echoed ^C after the prompt: end that line.
			fmt.Fprintln(out)
		}
	}()
	pi := newPromptInput(ctx, in)
	out = pi.gate(plainWriter(out))
	s := newState(cfg)
	fmt.Fprintln(out, "codegraph — MCP server installer", cfg.Version)
	fmt.Fprintln(out)
	ask := func(f huh.Field) error {
		_ = huh.NewForm(huh.NewGroup(f)).WithAccessible(true).WithInput(pi).WithOutput(out).Run()
		return pi.err()
	}

	// Validation is left out here: huh re-asks an invalid multi-select
	// forever. An empty selection is reported right after it instead.
	targets := listed(cfg)
	opts := make([]huh.Option[string], 0, len(targets))
	ids := make([]string, 0, len(targets))
	for _, t := range targets {
		ids = append(ids, t.ID)
	}
	nw := nameWidth(ids)
	for _, t := range targets {
		label := fmt.Sprintf("%-*s  (%s)", nw, t.Name, t.ID)
		if why := cfg.Broken[t.ID]; why != "" {
			label += "  " + why
		}
		opts = append(opts, huh.NewOption(label, t.ID))
	}
	fmt.Fprintln(out, agentsHint(cfg))
	if err := ask(huh.NewMultiSelect[string]().Title(agentsTitle).Options(opts...).Value(&s.targets)); err != nil {
		return Answers{}, err
	}
	if len(s.answers(cfg).Targets) == 0 {
		return Answers{}, ErrNoTargets
	}

	for _, l := range scopeNotes(s.targets) {
		fmt.Fprintln(out, l)
	}
	if err := ask(huh.NewSelect[installer.Scope]().Title(scopeTitle).Options(
		huh.NewOption(scopeLabel(installer.ScopeGlobal, cfg.paths()), installer.ScopeGlobal),
		huh.NewOption(scopeLabel(installer.ScopeLocal, cfg.paths()), installer.ScopeLocal),
	).Value(&s.scope)); err != nil {
		return Answers{}, err
	}

	if cfg.AskConsent {
		// huh prints no description in this mode: the toggle's comes first.
		for _, l := range consentLines(cfg) {
			fmt.Fprintln(out, l)
		}
		if err := ask(huh.NewConfirm().Title(ConsentQuestion).Affirmative("Yes").Negative("No").Value(&s.share)); err != nil {
			return Answers{}, err
		}
	}

	lines, ok := planFor(cfg, s.answers(cfg))
	for _, l := range lines {
		fmt.Fprintln(out, l.text)
	}
	// When nothing can be installed, Enter cancels rather than fails.
	s.confirmed = ok
	if err := ask(huh.NewConfirm().Title(confirmTitle).Affirmative("Install").Negative("Cancel").Value(&s.confirmed)); err != nil {
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
