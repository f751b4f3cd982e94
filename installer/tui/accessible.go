package tui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

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
	// The agents and the scope are asked by our own numbered prompts:
	// huh's accessible multi-select says "Select up to 40 options.", its
	// numbers lose their alignment from 10 on, and a typo gets "invalid
	// input. please try again".
	targets := listed(cfg)
	ids := make([]string, 0, len(targets))
	for _, t := range targets {
		ids = append(ids, t.ID)
	}
	nw := nameWidth(ids)
	labels := make([]string, len(targets))
	for i, t := range targets {
		labels[i] = fmt.Sprintf("%-*s  (%s)", nw, t.Name, t.ID)
		if why := cfg.Broken[t.ID]; why != "" {
			labels[i] += "  " + why
		}
	}
	fmt.Fprintln(out, agentsHint(cfg))
	if err := askAgents(pi, out, targets, labels, s); err != nil {
		return Answers{}, err
	}
	if len(s.answers(cfg).Targets) == 0 {
		return Answers{}, ErrNoTargets
	}

	for _, l := range scopeNotes(s.targets) {
		fmt.Fprintln(out, l)
	}
	scopes := []installer.Scope{installer.ScopeGlobal, installer.ScopeLocal}
	pick := 0
	if s.scope == installer.ScopeLocal {
		pick = 1
	}
	pick, err = askOne(pi, out, scopeTitle, []string{scopeLabel(scopes[0], cfg.paths()), scopeLabel(scopes[1], cfg.paths())}, pick)
	if err != nil {
		return Answers{}, err
	}
	s.scope = scopes[pick]

	if cfg.AskConsent {
		// huh prints no description in this mode: the toggle's comes first.
		for _, l := range consentLines(cfg) {
			fmt.Fprintln(out, l)
		}
		if s.share, err = askYesNo(pi, out, ConsentQuestion, "Yes", "No", s.share); err != nil {
			return Answers{}, err
		}
	}

	lines, ok := planFor(cfg, s.answers(cfg))
	for _, l := range lines {
		fmt.Fprintln(out, l.text)
	}
	// When nothing can be installed, Enter cancels rather than fails.
	if s.confirmed, err = askYesNo(pi, out, confirmTitle, "Install", "Cancel", ok); err != nil {
		return Answers{}, err
	}
	return s.result(cfg)
}

// askAgents lists the agents, numbered and aligned, with a mark on those
// selected, then toggles the one whose number is typed, until 0 or an empty
// line.
func askAgents(pi *promptInput, out io.Writer, targets []installer.Target, labels []string, s *state) error {
	fmt.Fprintln(out, agentsTitle)
	w := len(strconv.Itoa(len(targets)))
	for i, t := range targets {
		mark := " "
		if s.selected(t.ID) {
			mark = "✓"
		}
		fmt.Fprintf(out, "%*d. %s %s\n", w, i+1, mark, labels[i])
	}
	for {
		fmt.Fprintf(out, "Type an agent's number to select or deselect it, 0 or Enter when done: ")
		line, err := answer(pi)
		if err != nil {
			return err
		}
		if line == "" || line == "0" {
			return nil
		}
		n, convErr := strconv.Atoi(line)
		if convErr != nil || n < 1 || n > len(targets) {
			fmt.Fprintf(out, "There is no agent %q here: type a number from 1 to %d, or 0 when done.\n", line, len(targets))
			continue
		}
		t := targets[n-1]
		on := !s.selected(t.ID)
		s.toggle(t.ID, on)
		if on {
			fmt.Fprintf(out, "Selected %s.\n", t.Name)
		} else {
			fmt.Fprintf(out, "Deselected %s.\n", t.Name)
		}
	}
}

// askOne asks for one of options by number; Enter keeps def (0-based).
func askOne(pi *promptInput, out io.Writer, title string, options []string, def int) (int, error) {
	fmt.Fprintln(out, title)
	for i, o := range options {
		fmt.Fprintf(out, "%d. %s\n", i+1, o)
	}
	for {
		fmt.Fprintf(out, "Type 1 to %d, Enter for %d: ", len(options), def+1)
		line, err := answer(pi)
		if err != nil {
			return 0, err
		}
		if line == "" {
			return def, nil
		}
		if n, convErr := strconv.Atoi(line); convErr == nil && n >= 1 && n <= len(options) {
			return n - 1, nil
		}
		fmt.Fprintf(out, "%q is not one of them: type a number from 1 to %d.\n", line, len(options))
	}
}

// askYesNo asks a yes/no question with huh's accessible Confirm ("Title
// [Y/n]"), def for Enter. Only answers it accepts reach it: y, yes, n, no,
// and the words of the two choices (yes, no: "install", "cancel"), in any
// case; anything else gets our own hint and the question again, rather
// than huh's "invalid input. please try again".
func askYesNo(pi *promptInput, out io.Writer, title, yes, no string, def bool) (bool, error) {
	v := def
	opts := map[bool]string{true: "[Y/n]", false: "[y/N]"}[def] // as huh writes them
	in := &yesNoInput{pi: pi, out: out, yes: strings.ToLower(yes), no: strings.ToLower(no),
		again: fmt.Sprintf("Type y for %s or n for %s, or press Enter for %s.\n%s %s ", yes, no, map[bool]string{true: yes, false: no}[def], title, opts)}
	field := huh.NewConfirm().Title(title).Affirmative(yes).Negative(no).Value(&v)
	_ = huh.NewForm(huh.NewGroup(field)).WithAccessible(true).WithInput(in).WithOutput(out).Run()
	return v, pi.err()
}

// yesNoInput hands huh's Confirm one accepted line per read, as "y", "n"
// or "" (the default); it re-asks for anything else itself.
type yesNoInput struct {
	pi      *promptInput
	out     io.Writer
	yes, no string // lower case
	again   string // the hint, then the prompt again
	pending []byte
}

func (r *yesNoInput) Read(b []byte) (int, error) {
	for len(r.pending) == 0 {
		line, err := answer(r.pi)
		if err != nil {
			return 0, io.EOF // pi.err() says why
		}
		switch l := strings.ToLower(line); {
		case l == "":
			r.pending = []byte("\n")
		case l == "y" || l == "yes" || l == r.yes:
			r.pending = []byte("y\n")
		case l == "n" || l == "no" || l == r.no:
			r.pending = []byte("n\n")
		default:
			// huh printed its prompt once: again ends with it.
			fmt.Fprintf(r.out, "%q is not an answer here. %s", line, r.again)
		}
	}
	n := copy(b, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// answer is the next line typed, trimmed; the end of input or of ctx is
// pi's error (the form then ends, as for huh's prompts).
func answer(pi *promptInput) (string, error) {
	var line []byte
	buf := make([]byte, 256)
	for {
		n, err := pi.Read(buf)
		line = append(line, buf[:n]...)
		if n > 0 && buf[n-1] == '\n' || err != nil {
			break
		}
	}
	if len(line) == 0 {
		if err := pi.err(); err != nil {
			return "", err
		}
		return "", ErrCancelled
	}
	return strings.TrimSpace(string(line)), nil
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
