package consent

import "github.com/google/uuid"

// PrepareSend is called by a sender right before the first bytes would
// leave the machine. It returns the machine ID to send under, and whether
// sending may go ahead now.
//
// It refuses when telemetry is off. In the state "no choice yet" it is the
// first process that would send: it records the notice (the NoticeShown
// transition, which mints the machine ID), calls notify with the text to
// print, and refuses, and it keeps refusing for the rest of this Store's
// life (the grace run): the lines stay queued, and sending may start with
// the next process, so whoever reads the notice can say no before anything
// leaves. An outdated consent (an on choice or a notice for an older
// collection version) goes the same way, the notice followed by a line
// saying what is new. If the record cannot be written, or another process
// wrote a file meanwhile, it refuses without a notice; the notice is never
// skipped.
//
// An on choice stored while an environment variable kept telemetry off
// holds no ID: the first send mints one and stores it, or, when it cannot
// be stored, sends nothing (one machine is never counted as many).
//
// When telemetry is on by CODEGRAPH_TELEMETRY over a stored state that
// holds no machine ID (a stored off, a file that cannot be used), it sends
// under an ID of this process only, which is never written: no ID is kept
// on disk while the stored state is off.
func (s *Store) PrepareSend(notify func(text string)) (machineID string, ok bool) {
	if s.grace.Load() {
		return "", false
	}
	d := s.Resolve()
	if !d.Enabled {
		return "", false
	}
	switch d.State {
	case NoChoice, Outdated:
		if _, err := s.Apply(NoticeShown); err != nil {
			return "", false
		}
		s.grace.Store(true)
		text := Notice
		if d.State == Outdated {
			text += "\n" + NewSinceLine(d.Config.ConsentVersion)
		}
		notify(text)
		return "", false
	case DefaultNoticeShown, ChosenOn:
		if d.Config.MachineID != "" {
			return d.Config.MachineID, true
		}
		cfg := *d.Config
		cfg.MachineID = uuid.NewString()
		if err := s.write(&cfg, false); err != nil {
			return "", false
		}
		return cfg.MachineID, true
	}
	s.processOnce.Do(func() { s.processID = uuid.NewString() })
	return s.processID, true
}

// GraceRun reports whether this Store showed the first-run notice, so that
// its process sends nothing.
func (s *Store) GraceRun() bool { return s.grace.Load() }
