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
	cfg     Config
	st      *state
	form    *huh.Form
	phase   phase
	aborted bool
	size    *tea.WindowSizeMsg // last known size, replayed to the second form
}

// NewModel builds the form model; Run drives it, tests drive it with
// teatest.
func NewModel(cfg Config) *Model {
	m := &Model{cfg: cfg, st: newState(cfg)}
	m.form = huh.NewForm(choiceFields(cfg, m.st, true)...).WithTheme(theme())
	return m
}

// Result returns the answers once the program has finished.
func (m *Model) Result() (Answers, error) {
	if m.aborted || m.phase != phaseDone {
		return Answers{}, ErrAborted
	}
	return m.st.answers(m.cfg), nil
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
	f, cmd := m.form.Update(msg)
	if hf, ok := f.(*huh.Form); ok {
		m.form = hf
	}
	switch m.form.State {
	case huh.StateAborted:
		m.aborted = true
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
