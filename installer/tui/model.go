package tui

import (
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
)

// phase is where the model is: choosing, confirming, or finished.
type phase int

const (
	phaseChoose phase = iota
	phaseConfirm
	phaseDone
)

// Model is the form as a Bubble Tea model. It runs two huh forms in turn:
// the choices, then the summary to confirm. The summary needs the plan of
// the chosen agents and scope, which is computed outside the form (through
// Config.Summarize) between the two.
type Model struct {
	cfg   Config
	st    *state
	form  *huh.Form
	first huh.Field // the first screen's field, where Esc cancels
	phase phase
	// interrupted: Ctrl+C; cancelled: Esc on the first screen.
	interrupted, cancelled bool
	size                   *tea.WindowSizeMsg // last known size, replayed to the second form
}

// NewModel builds the form model; Run drives it, tests drive it with
// teatest.
func NewModel(cfg Config) *Model {
	m := &Model{cfg: cfg, st: newState(cfg)}
	groups, first := choiceGroups(cfg, m.st, true)
	m.first = first
	m.form = huh.NewForm(groups...).WithTheme(theme())
	return m
}

// Result returns the answers once the program has finished: ErrInterrupted
// after Ctrl+C, ErrCancelled after Esc on the first screen or Cancel on
// the summary.
func (m *Model) Result() (Answers, error) {
	switch {
	case m.interrupted:
		return Answers{}, ErrInterrupted
	case m.cancelled || m.phase != phaseDone:
		return Answers{}, ErrCancelled
	}
	return m.st.result(m.cfg)
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.form.Init(), tea.RequestBackgroundColor)
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		// The form gets the space below the banner, so it sizes (and never
		// scrolls) within what is really visible.
		ws.Height = max(ws.Height-lipgloss.Height(Banner(m.cfg.Version))-1, 1)
		m.size = &ws
		msg = ws
	}
	if m.phase == phaseDone {
		return m, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "esc" && m.phase == phaseChoose && m.form.GetFocusedField() == m.first {
		m.cancelled = true
		m.phase = phaseDone
		return m, tea.Quit
	}
	f, cmd := m.form.Update(msg)
	if hf, ok := f.(*huh.Form); ok {
		m.form = hf
	}
	switch m.form.State {
	case huh.StateAborted:
		m.interrupted = true
		m.phase = phaseDone
		return m, tea.Quit
	case huh.StateCompleted:
		if m.phase == phaseConfirm {
			m.phase = phaseDone
			return m, tea.Quit
		}
		return m, m.startConfirm()
	}
	return m, cmd
}

// startConfirm computes the summary for the choices and shows it with the
// confirmation (default yes).
func (m *Model) startConfirm() tea.Cmd {
	m.phase = phaseConfirm
	summary := summarize(m.cfg, m.st.answers(m.cfg))
	m.form = huh.NewForm(huh.NewGroup(confirmField(m.st, summary, true))).WithTheme(theme())
	cmd := m.form.Init()
	if m.size != nil {
		// The new form has not seen the terminal size yet.
		f, c := m.form.Update(*m.size)
		m.form = f.(*huh.Form)
		cmd = tea.Batch(cmd, c)
	}
	return cmd
}

// View implements tea.Model.
func (m *Model) View() tea.View {
	if m.phase == phaseDone {
		return tea.NewView("")
	}
	return tea.NewView(Banner(m.cfg.Version) + "\n\n" + m.form.View())
}
