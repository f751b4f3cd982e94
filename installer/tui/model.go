package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/getcodegraph/codegraph-install/installer"
)

// step is one screen of the form.
type step int

const (
	stepAgents step = iota
	stepScope
	stepShare
	stepConfirm
)

// outcome is how the form ended.
type outcome int

const (
	running outcome = iota
	confirmed
	cancelled   // Cancel, No, Esc on the first screen
	interrupted // Ctrl+C
)

// Model is the form as a Bubble Tea model: one screen per step, the
// answers of the steps before it recapped above it. Esc goes back a step
// (and quits from the first), Ctrl+C quits from anywhere. Run drives it,
// tests drive it with teatest or call Update directly.
type Model struct {
	cfg   Config
	st    *state
	steps []step
	cur   int // index into steps

	// The terminal's size; zero until the first WindowSizeMsg.
	width, height int

	agentCursor, agentOffset int
	scopeCursor              int
	// confirmYes: the focused button of the confirm screen is the
	// affirmative one. (The share step's focus is st.share itself.)
	confirmYes    bool
	plan          []planLine
	summaryOffset int
	errMsg        string // shown above the help line until the next key

	// standalone is set for Confirm: a single question, not the installer.
	standalone *ConfirmOptions

	end outcome
}

// NewModel builds the installer form.
func NewModel(cfg Config) *Model {
	m := &Model{cfg: cfg, st: newState(cfg), steps: []step{stepAgents, stepScope}, confirmYes: true}
	if cfg.AskConsent {
		m.steps = append(m.steps, stepShare)
	}
	m.steps = append(m.steps, stepConfirm)
	if m.st.scope == installer.ScopeLocal {
		m.scopeCursor = 1
	}
	// Start on the first selected agent, so Enter alone keeps the defaults
	// and the cursor is where the user's agents are.
	for i, t := range listed(cfg) {
		if m.st.selected(t.ID) {
			m.agentCursor = i
			break
		}
	}
	return m
}

// newConfirmModel is a single yes/no screen (default yes).
func newConfirmModel(opt ConfirmOptions) *Model {
	m := &Model{cfg: Config{Version: opt.Version}, st: &state{}, steps: []step{stepConfirm}, confirmYes: true, standalone: &opt}
	for _, l := range splitLines(opt.Details) {
		m.plan = append(m.plan, planLine{text: l})
	}
	return m
}

// Result returns the answers once the program has finished: ErrInterrupted
// after Ctrl+C, ErrCancelled after Esc on the first screen, Cancel or No.
func (m *Model) Result() (Answers, error) {
	switch m.end {
	case interrupted:
		return Answers{}, ErrInterrupted
	case confirmed:
		m.st.confirmed = true
		return m.st.result(m.cfg)
	}
	return Answers{}, ErrCancelled
}

// Init implements tea.Model. It asks the terminal nothing: no colour or
// capability queries, which a terminal that does not answer would print.
func (m *Model) Init() tea.Cmd { return nil }

func (m *Model) step() step { return m.steps[m.cur] }

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tea.KeyPressMsg:
		if m.end != running {
			return m, nil
		}
		return m, m.key(msg)
	}
	return m, nil
}

// key handles one key press; it returns tea.Quit when the form ends.
func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	m.errMsg = ""
	switch k.String() {
	case "ctrl+c":
		return m.finish(interrupted)
	case "esc":
		if m.cur == 0 {
			return m.finish(cancelled)
		}
		m.cur--
		return nil
	}
	switch m.step() {
	case stepAgents:
		return m.agentsKey(k)
	case stepScope:
		return m.scopeKey(k)
	case stepShare:
		return m.shareKey(k)
	default:
		return m.confirmKey(k)
	}
}

func (m *Model) finish(o outcome) tea.Cmd {
	m.end = o
	return tea.Quit
}

// next moves to the following step, planning on the way to the summary.
func (m *Model) next() tea.Cmd {
	if m.cur == len(m.steps)-1 {
		return m.finish(confirmed)
	}
	m.cur++
	if m.step() == stepConfirm && m.standalone == nil {
		// When the plan cannot be made, installing would only fail: the
		// focus starts on Cancel, so Enter changes nothing.
		m.plan, m.confirmYes = planFor(m.cfg, m.st.answers(m.cfg))
		m.summaryOffset = 0
	}
	return nil
}

func (m *Model) agentsKey(k tea.KeyPressMsg) tea.Cmd {
	targets := listed(m.cfg)
	n := len(targets)
	switch k.String() {
	case "up", "k", "shift+tab":
		m.agentCursor = (m.agentCursor - 1 + n) % max(n, 1)
	case "down", "j", "tab":
		m.agentCursor = (m.agentCursor + 1) % max(n, 1)
	case "pgup":
		m.agentCursor = max(m.agentCursor-m.pageSize(), 0)
	case "pgdown":
		m.agentCursor = min(m.agentCursor+m.pageSize(), n-1)
	case "home", "g":
		m.agentCursor = 0
	case "end", "G":
		m.agentCursor = n - 1
	case "space", " ", "x":
		if n > 0 {
			id := targets[m.agentCursor].ID
			m.st.toggle(id, !m.st.selected(id))
		}
	case "a":
		// All, or none when all are selected already.
		all := len(m.st.targets) == n
		for _, t := range targets {
			m.st.toggle(t.ID, !all)
		}
	case "enter":
		if len(m.st.targets) == 0 {
			m.errMsg = "Select at least one agent: space selects the highlighted one."
			return nil
		}
		return m.next()
	}
	return nil
}

func (m *Model) scopeKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "up", "k", "down", "j", "tab", "shift+tab":
		m.scopeCursor = 1 - m.scopeCursor
	case "enter":
		m.st.scope = scopeOption(m.scopeCursor)
		return m.next()
	default:
		return nil
	}
	m.st.scope = scopeOption(m.scopeCursor)
	return nil
}

func (m *Model) shareKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "left", "right", "h", "l", "tab", "shift+tab":
		m.st.share = !m.st.share
	case "y", "Y":
		m.st.share = true
		return m.next()
	case "n", "N":
		m.st.share = false
		return m.next()
	case "enter":
		return m.next()
	}
	return nil
}

func (m *Model) confirmKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "left", "right", "h", "l", "tab", "shift+tab":
		m.confirmYes = !m.confirmYes
	case "up", "k":
		m.summaryOffset = max(m.summaryOffset-1, 0)
	case "down", "j":
		m.summaryOffset++
	case "pgup":
		m.summaryOffset = max(m.summaryOffset-m.pageSize(), 0)
	case "pgdown", "space":
		m.summaryOffset += m.pageSize()
	case "y", "Y":
		return m.finish(confirmed)
	case "n", "N":
		return m.finish(cancelled)
	case "enter":
		if m.confirmYes {
			return m.next()
		}
		return m.finish(cancelled)
	}
	return nil
}

// pageSize is how far PgUp/PgDn move: the rows the current screen shows.
func (m *Model) pageSize() int {
	return max(m.layout().rows-1, 1)
}

// answeredSteps are the steps before the current one, for the recap.
func (m *Model) answeredSteps() []step {
	if m.end == confirmed {
		return m.steps[:len(m.steps)-1]
	}
	return m.steps[:m.cur]
}
