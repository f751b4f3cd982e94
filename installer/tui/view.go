package tui

import (
	"fmt"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/installer"
)

// The palette. Colour only ever adds to what the text already says: the
// focused option carries a marker or brackets, so the screens read the same
// with NO_COLOR or on a monochrome terminal (Bubble Tea downsamples these
// styles to what the terminal's environment allows).
var (
	pink   = lipgloss.Color("212")
	purple = lipgloss.Color("63")
	green  = lipgloss.Color("42")
	red    = lipgloss.Color("196")
)

// palette holds the styles, built on first use (styles): as package
// variables they were built at the start of every process, `serve --mcp`
// and `version` included, which draw nothing.
type palette struct {
	title, faint, cursor, ok, bad, focus, blur lipgloss.Style
}

var styles = sync.OnceValue(func() *palette {
	return &palette{
		title:  lipgloss.NewStyle().Bold(true).Foreground(pink),
		faint:  lipgloss.NewStyle().Faint(true),
		cursor: lipgloss.NewStyle().Foreground(pink).Bold(true),
		ok:     lipgloss.NewStyle().Foreground(green).Bold(true),
		bad:    lipgloss.NewStyle().Foreground(red),
		focus:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(pink),
		blur:   lipgloss.NewStyle().Faint(true),
	}
})

// Default size when the terminal has not said (a terminal without size
// gets accessible mode from the caller; this only covers the first frame).
const defaultWidth, defaultHeight = 80, 24

// bannerFor is the banner with what this screen is ("" is the installer).
func bannerFor(version, what string) string {
	return lipgloss.NewStyle().
		Border(lipgloss.RoundedBorder()).
		BorderForeground(purple).
		Padding(0, 2).
		Render(bannerTextFor(version, what))
}

func bannerText(version string) string { return bannerTextFor(version, "") }

func bannerTextFor(version, what string) string {
	sub := "MCP server installer"
	if what != "" {
		sub = what
	}
	if version != "" {
		sub += " · " + version
	}
	return styles().title.Render("codegraph") + "  " + styles().faint.Render(sub)
}

// View implements tea.Model. The form draws on the alternate screen: a
// frame that changes height in the main screen leaves the remains of the
// last one above it (the header drawn twice). Once the form ends, the
// screen is as it was, and Run prints the recap of the answers there.
func (m *Model) View() tea.View {
	if m.end != running {
		return tea.NewView("")
	}
	v := tea.NewView(m.render())
	v.AltScreen = true
	return v
}

func (m *Model) size() (int, int) {
	w, h := m.width, m.height
	if w <= 0 {
		w = defaultWidth
	}
	if h <= 0 {
		h = defaultHeight
	}
	return w, h
}

// screen is one rendering of the current step at one level of density.
type screen struct {
	lines []string
	rows  int  // lines of the scrolling region (list or summary)
	fits  bool // everything is visible, nothing scrolls
}

// Levels of density, tried in order until everything fits: the full
// banner with blank lines; a one-line banner; the recap on one line; no
// description. A screen too small for all of them scrolls its list.
const densest = 3

func (m *Model) render() string {
	return strings.Join(m.layout().lines, "\n")
}

// layout picks the first density at which the screen fits. When none
// does, the list scrolls in the densest layout that keeps the description
// and a few rows, or in the densest.
func (m *Model) layout() screen {
	w, h := m.size()
	// The list or summary is the same at every density: rendered once.
	items, cursor := m.items(w)
	for level := 0; level < densest; level++ {
		if s := m.renderAt(level, w, h, items, cursor); s.fits {
			return s
		}
	}
	if s := m.renderAt(densest-1, w, h, items, cursor); s.rows >= 5 {
		return s
	}
	return m.renderAt(densest, w, h, items, cursor)
}

func (m *Model) renderAt(level, w, h int, items []string, cursor int) screen {
	var top, bottom []string
	// Banner.
	what := ""
	if m.standalone != nil {
		what = m.standalone.Banner
	}
	if b := bannerFor(m.cfg.Version, what); level == 0 && lipgloss.Width(b) <= w {
		top = append(top, splitLines(b)...)
		top = append(top, "")
	} else {
		top = append(top, bannerTextFor(m.cfg.Version, what))
	}
	// Recap of the answers so far.
	if recap := m.recapLines(); len(recap) > 0 {
		if level >= 2 {
			top = append(top, styles().ok.Render("✓")+" "+strings.Join(m.recapShort(), " · "))
		} else {
			top = append(top, recap...)
		}
		if level == 0 {
			top = append(top, "")
		}
	}
	// Title and description.
	counter := ""
	if m.standalone == nil {
		counter = fmt.Sprintf("  %d/%d", m.cur+1, len(m.steps))
	}
	titleAt := len(top)
	title := wrap(m.title()+counter, w, 0)
	for i, l := range title {
		if i == len(title)-1 && counter != "" {
			l = styles().title.Render(strings.TrimSuffix(l, counter)) + styles().faint.Render(counter)
		} else {
			l = styles().title.Render(l)
		}
		top = append(top, l)
	}
	// The densest layout drops the description, except a consent
	// question's, which is never asked without what it means: that one
	// loses only where the fields are listed (the title names
	// TELEMETRY.md), and keeps what is sent and how to turn it off.
	switch {
	case level < densest:
		for _, d := range m.description() {
			top = append(top, wrap(d, w, 0)...)
		}
	case m.standalone == nil && m.step() == stepShare:
		for _, d := range consentLines(m.cfg) {
			if d != consentListedAt && d != consent.DocsURL {
				top = append(top, wrap(d, w, 0)...)
			}
		}
	}
	// Buttons, the error and the help line stay at the bottom, always.
	if b := m.buttons(); b != "" {
		if level == 0 {
			bottom = append(bottom, "")
		}
		bottom = append(bottom, b)
	}
	if level == 0 {
		bottom = append(bottom, "")
	}
	if m.errMsg != "" {
		bottom = append(bottom, styles().bad.Render("! "+m.errMsg))
	}
	bottom = append(bottom, styles().faint.Render(m.help()))

	// On a screen too small even so, the banner and the recap give way
	// before the question, its explanation and its buttons.
	if level == densest {
		for titleAt > 0 && len(top)+len(bottom) > h {
			top, titleAt = top[1:], titleAt-1
		}
	}
	avail := h - len(top) - len(bottom)
	s := screen{fits: len(items) <= avail}
	region := items
	if !s.fits && len(items) > 0 {
		region = m.scroll(items, cursor, max(avail, 2))
	}
	s.rows = len(region)
	lines := append(append(top, region...), bottom...)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	s.lines = lines
	return s
}

// scroll shows rows-1 items around the cursor (cursor < 0: from the
// summary's offset) and an indicator line saying what is hidden.
func (m *Model) scroll(items []string, cursor, rows int) []string {
	k := max(rows-1, 1)
	var off *int
	if cursor >= 0 {
		off = &m.agentOffset
		// The least scrolling that keeps the cursor visible.
		if cursor < *off {
			*off = cursor
		}
		if cursor >= *off+k {
			*off = cursor - k + 1
		}
	} else {
		off = &m.summaryOffset
	}
	*off = max(min(*off, len(items)-k), 0)
	end := min(*off+k, len(items))
	out := append([]string(nil), items[*off:end]...)
	var parts []string
	if *off > 0 {
		parts = append(parts, fmt.Sprintf("↑ %d more", *off))
	}
	if below := len(items) - end; below > 0 {
		parts = append(parts, fmt.Sprintf("↓ %d more", below))
	}
	what := "agents"
	if cursor < 0 {
		what = "lines"
	}
	indicator := fmt.Sprintf("  %s (%d–%d of %d %s)", strings.Join(parts, ", "), *off+1, end, len(items), what)
	return append(out, styles().faint.Render(indicator))
}

func (m *Model) title() string {
	if m.standalone != nil {
		return m.standalone.Title
	}
	switch m.step() {
	case stepAgents:
		return agentsTitle
	case stepScope:
		return scopeTitle
	case stepShare:
		return ConsentQuestion
	}
	return confirmTitle
}

func (m *Model) description() []string {
	switch {
	case m.standalone != nil:
		return nil
	case m.step() == stepAgents:
		return []string{agentsHint(m.cfg)}
	case m.step() == stepScope:
		return scopeNotes(m.st.answers(m.cfg).Targets)
	case m.step() == stepShare:
		return consentLines(m.cfg)
	}
	return nil
}

// items are the lines of the step's scrolling region, and the cursor's
// index among them (-1 when the region scrolls by offset, not by cursor).
func (m *Model) items(w int) ([]string, int) {
	switch {
	case m.standalone != nil || m.step() == stepConfirm:
		var out []string
		for _, l := range m.plan {
			sty := lipgloss.NewStyle()
			if l.bad {
				sty = styles().bad
			}
			for _, part := range wrap(l.text, w, hangIndent(l.text)) {
				out = append(out, sty.Render(part))
			}
		}
		return out, -1
	case m.step() == stepAgents:
		targets := listed(m.cfg)
		ids := make([]string, len(targets))
		for i, t := range targets {
			ids[i] = t.ID
		}
		nw := nameWidth(ids)
		out := make([]string, len(targets))
		for i, t := range targets {
			box := "[ ]"
			if m.st.selected(t.ID) {
				box = styles().ok.Render("[x]")
			}
			name := fmt.Sprintf("%-*s", nw, t.Name)
			id := styles().faint.Render(t.ID)
			if why := m.cfg.Broken[t.ID]; why != "" {
				id += "  " + styles().bad.Render(why)
			}
			if i == m.agentCursor {
				out[i] = styles().cursor.Render(">") + " " + box + " " + styles().cursor.Render(name) + "  " + id
			} else {
				out[i] = "  " + box + " " + name + "  " + id
			}
		}
		return out, m.agentCursor
	case m.step() == stepScope:
		out := make([]string, 2)
		for i := range out {
			l := scopeLabel(scopeOption(i), m.cfg.paths())
			if i == m.scopeCursor {
				out[i] = styles().cursor.Render("> (•) " + l)
			} else {
				out[i] = "  ( ) " + l
			}
		}
		return out, m.scopeCursor
	}
	return nil, 0
}

// buttons renders the yes/no pair of the share and confirm steps: the
// focused one in brackets (and, with colour, highlighted).
func (m *Model) buttons() string {
	var yes, no string
	var focusYes bool
	switch {
	case m.standalone != nil:
		yes, no, focusYes = m.standalone.Yes, m.standalone.No, m.confirmYes
	case m.step() == stepShare:
		yes, no, focusYes = "Yes", "No", m.st.share
	case m.step() == stepConfirm:
		yes, no, focusYes = "Install", "Cancel", m.confirmYes
	default:
		return ""
	}
	button := func(label string, focused bool) string {
		if focused {
			return styles().focus.Render("[ " + label + " ]")
		}
		return styles().blur.Render("  " + label + "  ")
	}
	return "  " + button(yes, focusYes) + "  " + button(no, !focusYes)
}

// help names the keys of the current step.
func (m *Model) help() string {
	back := "esc back"
	if m.cur == 0 {
		back = "esc quit"
	}
	switch {
	case m.standalone != nil:
		return "←/→ choose · enter confirm · y yes · n no · ↑/↓ scroll · " + back
	case m.step() == stepAgents:
		return "↑/↓ move · space select · a all · enter next · " + back
	case m.step() == stepScope:
		return "↑/↓ move · enter next · " + back
	case m.step() == stepShare:
		return "←/→ choose · y yes · n no · enter next · " + back
	}
	return "←/→ choose · enter confirm · ↑/↓ scroll · " + back + " · ctrl+c quit"
}

// recapLines are the answers of the steps before the current one.
func (m *Model) recapLines() []string {
	var out []string
	for _, s := range m.answeredSteps() {
		label, value := m.recap(s)
		out = append(out, styles().ok.Render("✓")+" "+fmt.Sprintf("%-8s", label)+" "+value)
	}
	return out
}

// recapShort is the recap in a few words each, for one line.
func (m *Model) recapShort() []string {
	var out []string
	for _, s := range m.answeredSteps() {
		_, value := m.recap(s)
		if s == stepScope {
			value = string(m.st.scope)
		}
		if s == stepShare {
			value = "sharing " + map[bool]string{true: "on", false: "off"}[m.st.share]
		}
		out = append(out, value)
	}
	return out
}

func (m *Model) recap(s step) (label, value string) {
	switch s {
	case stepAgents:
		var names []string
		for _, id := range m.st.answers(m.cfg).Targets {
			names = append(names, targetName(id))
		}
		return "Agents", strings.Join(names, ", ")
	case stepScope:
		return "Scope", scopeLabel(m.st.scope, m.cfg.paths())
	case stepShare:
		if m.st.share {
			return "Sharing", "yes, " + consent.UsageName
		}
		return "Sharing", "no, nothing is sent"
	}
	return "Install", "confirmed"
}

// Recap is what stays on screen once the form is confirmed: the banner's
// line and each answer; "" when the form did not end confirmed.
func (m *Model) Recap() string {
	if m.end != confirmed {
		return ""
	}
	if m.standalone != nil {
		return ""
	}
	w, _ := m.size()
	lines := []string{bannerText(m.cfg.Version)}
	lines = append(lines, m.recapLines()...)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return strings.Join(lines, "\n") + "\n\n"
}

// hangIndent is where a wrapped plan line continues: under the text after
// its marker and name column, so wrapped paths stay readable.
func hangIndent(text string) int {
	if strings.HasPrefix(text, "• ") || strings.HasPrefix(text, "✗ ") {
		return 4
	}
	return 2
}

// wrap breaks text to width w at spaces and path separators (never inside
// a name when it can be helped), continuing lines indented by indent.
func wrap(text string, w, indent int) []string {
	if ansi.StringWidth(text) <= w || w <= indent+10 {
		return []string{text}
	}
	out := splitLines(ansi.Wrap(text, w-indent, "/"))
	for i := 1; i < len(out); i++ {
		out[i] = strings.Repeat(" ", indent) + strings.TrimLeft(out[i], " ")
	}
	return out
}

func splitLines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// scopeOption is the scope of the option at i on the scope screen.
func scopeOption(i int) installer.Scope {
	if i == 1 {
		return installer.ScopeLocal
	}
	return installer.ScopeGlobal
}
