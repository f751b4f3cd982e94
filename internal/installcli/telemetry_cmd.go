package installcli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/internal/statedir"
	"github.com/getcodegraph/codegraph-install/telemetry"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

func (a *app) telemetryCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "telemetry",
		Short: "Show or change whether codegraph shares " + consent.UsageName,
		Long: "codegraph shares " + consent.UsageName + ": " + consent.WhatIsShared +
			"; " + consent.NeverShared + ".\n\nTurn it off: " + consent.HowToTurnOff +
			`.
The command stores your choice for good; DO_NOT_TRACK=1 or
CODEGRAPH_TELEMETRY=0 in the environment turn it off while set.
Every field is described in ` + consent.DocsURL,
		// A RunE makes cobra check Args, so an unknown subcommand is a usage
		// error (exit 2) rather than help with exit 0.
		Args: exitcode.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var asJSON bool
	status := &cobra.Command{
		Use:   "status",
		Short: "Show whether " + consent.UsageName + " are shared, what decided it, and what is pending",
		Args:  exitcode.Args(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if err := a.needHome(); err != nil {
				return err
			}
			return a.printStatus(asJSON)
		},
	}
	status.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	var logJSON bool
	log := &cobra.Command{
		Use:   "log",
		Short: "Show the requests already sent (last 30 days), byte for byte, with their time and HTTP status",
		Args:  exitcode.Args(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if err := a.needHome(); err != nil {
				return err
			}
			return a.printSentLog(logJSON)
		},
	}
	log.Flags().BoolVar(&logJSON, "json", false, `print one JSON array of {"time","status","endpoint","body"}`)
	cmd.AddCommand(status, log,
		&cobra.Command{
			Use:   "on",
			Short: "Share " + consent.UsageName + " (stored as your choice)",
			Args:  exitcode.Args(cobra.NoArgs),
			RunE:  func(*cobra.Command, []string) error { return a.setTelemetry(true) },
		},
		&cobra.Command{
			Use:   "off",
			Short: "Stop sharing " + consent.UsageName + ", for good, and delete what is queued",
			Args:  exitcode.Args(cobra.NoArgs),
			RunE:  func(*cobra.Command, []string) error { return a.setTelemetry(false) },
		},
		&cobra.Command{
			Use:   "show",
			Short: "Print, as JSON, exactly the requests the next flush would send (sends nothing)",
			Args:  exitcode.Args(cobra.NoArgs),
			RunE:  func(*cobra.Command, []string) error { return a.showTelemetry() },
		},
		&cobra.Command{
			Use:   "flush",
			Short: "Send what is due now (completed days and lifecycle events) and say what happened; exit 1 when it could not send",
			Args:  exitcode.Args(cobra.NoArgs),
			RunE: func(cmd *cobra.Command, _ []string) error {
				if err := a.needHome(); err != nil {
					return err
				}
				a.tel.Persist()
				ctx, cancel := context.WithTimeout(cmd.Context(), telemetry.MaxRequestsPerFlush*telemetry.SendTimeout)
				defer cancel()
				return a.reportFlush(a.tel.Flush(ctx))
			},
		},
		&cobra.Command{
			Use:   "reset",
			Short: "Delete the stored choice, machine ID and queue: back to the default (on, with the notice)",
			Args:  exitcode.Args(cobra.NoArgs),
			RunE:  func(*cobra.Command, []string) error { return a.resetTelemetry() },
		},
	)
	return cmd
}

// Status is the shape of `telemetry status --json`.
type Status struct {
	Enabled   bool   `json:"enabled"`
	DecidedBy string `json:"decided_by"`
	Reason    string `json:"reason"`
	// State is the stored consent state (consent.State), whatever the
	// environment says on top: no-choice, default-notice-shown,
	// chosen-on, chosen-off, outdated or unreadable; null in a build
	// without telemetry, which does not read the file.
	State *string `json:"state"`
	// ConsentVersion is the collection version the stored choice or
	// notice covers (null when nothing usable is stored);
	// CollectionVersion is what this binary collects, and NewSince what it
	// adds to the covered version ("" when nothing).
	ConsentVersion      *int    `json:"consent_version"`
	CollectionVersion   int     `json:"collection_version"`
	NewSince            string  `json:"new_since,omitempty"`
	MachineID           *string `json:"machine_id"`
	ConsentSource       *string `json:"consent_source"`
	FirstRunNoticeShown bool    `json:"first_run_notice_shown"`
	PendingEvents       int     `json:"pending_events"`
	// PendingReady and PendingWaitingForDayEnd split PendingEvents: what
	// the next flush may send, and counts of the running UTC day, sent
	// after PendingDayEnds (RFC 3339, the next 00:00 UTC).
	PendingReady            int    `json:"pending_ready"`
	PendingWaitingForDayEnd int    `json:"pending_waiting_for_day_end"`
	PendingDayEnds          string `json:"pending_day_ends"`
	// QueueProblem is a file in the queue's place that telemetry cannot
	// use (a link, a directory, a FIFO), with what to do; null when none.
	QueueProblem *string  `json:"queue_problem"`
	Endpoint     *string  `json:"endpoint"`
	ConfigPath   string   `json:"config_path"`
	OffSwitches  []string `json:"off_switches"`
	// datedInFuture: of PendingWaitingForDayEnd, counts dated after today,
	// which are treated as today's (the text form says so).
	datedInFuture int
}

// status is what `telemetry status` reports, and the consent decision it
// was made from (the text form prints more of it). It reads each file
// once: the consent file was read when the client was made, the queue
// and each claim are read here once.
func (a *app) status() (Status, consent.Decision) {
	// One pass: the decision made at start-up and each queue file read
	// once (telemetry.Snapshot).
	snap := a.tel.Snapshot()
	d, pending := snap.Decision, snap.Pending
	st := Status{
		Enabled:                 d.Enabled,
		DecidedBy:               d.DecidedBy,
		Reason:                  d.Reason,
		PendingEvents:           pending.Ready + pending.WaitingForDayEnd,
		PendingReady:            pending.Ready,
		PendingWaitingForDayEnd: pending.WaitingForDayEnd,
		datedInFuture:           pending.DatedInFuture,
		ConfigPath:              a.state.TelemetryConfig(),
		OffSwitches:             []string{consent.OffCommand, consent.OffEnv, "DO_NOT_TRACK=1"},
		CollectionVersion:       schema.CollectionVersion,
	}
	if !pending.DayEnds.IsZero() {
		st.PendingDayEnds = pending.DayEnds.UTC().Format(time.RFC3339)
	}
	if err := snap.QueueProblem; err != nil {
		msg := a.plainError(err)
		st.QueueProblem = &msg
	}
	if cfg := d.Config; cfg != nil {
		v := cfg.ConsentVersion
		st.ConsentVersion = &v
		if cfg.Enabled {
			st.NewSince = schema.NewSince(v)
		}
		if cfg.MachineID != "" {
			st.MachineID = &cfg.MachineID
		}
		if cfg.ConsentSource != "" {
			st.ConsentSource = &cfg.ConsentSource
		}
		st.FirstRunNoticeShown = cfg.FirstRunNoticeShown
	}
	if ep := a.tel.Endpoint(); ep != "" {
		st.Endpoint = &ep
	}
	switch {
	case d.DecidedBy == consent.ByBuild:
		st.OffSwitches = nil
	case stateDirRefused(d):
		// `telemetry off` stores nothing through it: the environment's
		// switches are what is left.
		st.OffSwitches = st.OffSwitches[1:]
		fallthrough
	default:
		state := d.State.String()
		st.State = &state
	}
	return st, d
}

// coversPhrase says which list of what is collected the stored consent
// covers, against the one this binary collects.
func coversPhrase(st Status) string {
	switch {
	case st.ConsentVersion == nil:
		return fmt.Sprintf("nothing stored (this build collects version %d of the list)", st.CollectionVersion)
	case st.NewSince != "":
		return fmt.Sprintf("version %d of what is collected; this build collects version %d, which adds: %s", *st.ConsentVersion, st.CollectionVersion, st.NewSince)
	}
	return fmt.Sprintf("version %d of what is collected, what this build collects", *st.ConsentVersion)
}

// stateDirRefused reports a decision made because ~/.codegraph itself
// cannot be used (a symbolic link, not a directory): nothing in it was read.
func stateDirRefused(d consent.Decision) bool {
	return errors.Is(d.ConfigErr, statedir.ErrSymlink) || errors.Is(d.ConfigErr, statedir.ErrNotDirectory)
}

// machineIDNone says why there is no machine ID.
func machineIDNone(d consent.Decision) string {
	switch {
	case d.DecidedBy == consent.ByBuild:
		return "none (telemetry is not part of this build)"
	case stateDirRefused(d):
		return "none (the state directory cannot be used: nothing in it is read)"
	case d.State == consent.ChosenOff:
		return "none (none is kept while telemetry is off)"
	case d.State == consent.Unreadable:
		return "none (the consent file cannot be used)"
	case d.State == consent.ChosenOn:
		return "none yet (one is made when something is first sent)"
	}
	return "none yet (one is made when telemetry is turned on, or with the first-run notice)"
}

func (a *app) printStatus(asJSON bool) error {
	st, d := a.status()
	if asJSON {
		return writeJSON(a.env.Stdout, st)
	}
	state := "off"
	if st.Enabled {
		state = "on"
	}
	orNone := func(p *string, none string) string {
		if p == nil {
			return none
		}
		return *p
	}
	// One write for the whole block rather than one a line.
	w := &strings.Builder{}
	fmt.Fprintf(w, "Telemetry:       %s\n", state)
	fmt.Fprintf(w, "Decided by:      %s (%s)\n", st.DecidedBy, st.Reason)
	switch {
	case stateDirRefused(d):
		fmt.Fprintf(w, "Consent:         not read (the state directory cannot be used)\n")
	case d.DecidedBy != consent.ByBuild:
		fmt.Fprintf(w, "Consent:         %s\n", d.State.Phrase())
		fmt.Fprintf(w, "Covers:          %s\n", coversPhrase(st))
	}
	fmt.Fprintf(w, "Machine ID:      %s\n", orNone(st.MachineID, machineIDNone(d)))
	source := "none (nothing stored)"
	switch {
	case d.DecidedBy == consent.ByBuild:
		source = "none (not read in this build)"
	case stateDirRefused(d):
		source = "none (not read: the state directory cannot be used)"
	case d.State == consent.Unreadable:
		source = "none (the file cannot be used)"
	}
	fmt.Fprintf(w, "Consent source:  %s\n", orNone(st.ConsentSource, source))
	if stateDirRefused(d) {
		fmt.Fprintf(w, "Pending:         not read (the state directory cannot be used)\n")
	} else {
		fmt.Fprintf(w, "Pending:         %s\n", pendingPhrase(st))
	}
	if st.QueueProblem != nil {
		fmt.Fprintf(w, "Queue problem:   %s\n", *st.QueueProblem)
	}
	fmt.Fprintf(w, "Endpoint:        %s\n", orNone(st.Endpoint, "none: telemetry is not part of this build"))
	fmt.Fprintf(w, "Config:          %s\n", a.homeRelative(st.ConfigPath))
	if len(st.OffSwitches) > 0 {
		fmt.Fprintf(w, "Turn it off:     %s\n", strings.Join(st.OffSwitches, ", or "))
	}
	if st.Endpoint != nil {
		fmt.Fprintf(w, "Shared when on:  %s: %s; %s\n", consent.UsageName, consent.WhatIsShared, consent.NeverShared)
	}
	fmt.Fprintf(w, "What is sent:    %s\n", consent.DocsURL)
	io.WriteString(a.env.Stdout, w.String())
	return nil
}

// pendingPhrase says what is queued and when it may leave: a count of the
// running UTC day is sent only after the day ends, which is why `telemetry
// show` can be empty while something is pending.
func pendingPhrase(st Status) string {
	wait, ready := st.PendingWaitingForDayEnd, st.PendingReady
	if wait == 0 && ready == 0 {
		return "nothing queued."
	}
	var parts []string
	if wait > 0 {
		verb := "wait"
		if wait == 1 {
			verb = "waits"
		}
		parts = append(parts, fmt.Sprintf("%s for today %s until the UTC day ends (00:00 UTC)", plural(wait, "count"), verb))
	}
	if n := st.datedInFuture; n > 0 {
		// A clock that was wrong once dated them 2099 or so: they do not
		// wait for that day (telemetry's flush treats them as today's).
		verb := "are"
		if n == 1 {
			verb = "is"
		}
		parts = append(parts, fmt.Sprintf("%s dated in the future %s treated as today's", plural(n, "count"), verb))
	}
	if ready > 0 {
		parts = append(parts, plural(ready, "event")+" ready to send")
	} else {
		parts = append(parts, "nothing is ready to send yet")
	}
	s := strings.Join(parts, "; ") + "."
	if !st.Enabled {
		s += " Nothing is sent while telemetry is off."
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// choose stores an explicit choice through the consent state machine.
// Every way of saying off (`telemetry off`, the installer's No,
// `--telemetry off`) comes here, so each has the same effect: the queue is
// deleted first (even if the choice cannot be stored, nothing queued before
// it is ever sent), then the choice is stored. Consent is then re-read, so
// what this process records next follows the choice, and its own change is
// not taken for another process's off/on cycle.
func (a *app) choose(t consent.Transition) error {
	if err := a.stateDirUsable(); err != nil {
		return err
	}
	var qerr error
	if t.Off() {
		qerr = a.tel.DeleteQueue()
	}
	_, err := a.tel.Consent().Apply(t)
	a.tel.Refresh()
	if err != nil {
		return err
	}
	if qerr != nil {
		return fmt.Errorf("telemetry is off, but the queue could not be deleted: %w", qerr)
	}
	return nil
}

func (a *app) setTelemetry(enabled bool) error {
	if err := a.needHome(); err != nil {
		return err
	}
	if !enabled {
		if err := a.choose(consent.CLIOff); err != nil {
			return err
		}
		fmt.Fprintln(a.env.Stderr, "Telemetry is off. Nothing will be sent from this machine; the queue and the log of what was sent were deleted.")
		return nil
	}
	if err := a.choose(consent.CLIOn); err != nil {
		return err
	}
	// Under DO_NOT_TRACK (or CODEGRAPH_TELEMETRY=0) the choice is stored,
	// and said to be only that: nothing is on, and no machine ID exists
	// until something is first sent.
	if d := a.tel.Decide(); !d.Enabled && (d.DecidedBy == consent.ByDoNotTrack || d.DecidedBy == consent.ByEnv) {
		fmt.Fprintf(a.env.Stderr, "Stored your choice: on. In this environment telemetry stays off all the same (%s): nothing is sent while that is so, and no machine ID is made until something is.\n", d.Reason)
		return nil
	}
	fmt.Fprintf(a.env.Stderr, "Telemetry is on: codegraph shares %s (%s; %s). Details: %s\n",
		consent.UsageName, consent.WhatIsShared, consent.NeverShared, consent.DocsURL)
	fmt.Fprintln(a.env.Stderr, "To turn it off: "+consent.HowToTurnOff)
	return nil
}

// stateDirUsable refuses to store or delete anything when ~/.codegraph
// itself cannot be used (a symbolic link, not a directory): nothing is
// written or removed through it, and telemetry stays off meanwhile.
func (a *app) stateDirUsable() error {
	if err := a.tel.StateDirProblem(); err != nil {
		return fmt.Errorf("%w: codegraph reads, writes and deletes nothing through it, so telemetry stays off, and nothing was stored or deleted; make it a directory of its own (or remove it), then run this again", err)
	}
	return nil
}

// resetTelemetry deletes the consent file and the queue, then says what
// applies now and how to turn it off.
func (a *app) resetTelemetry() error {
	if err := a.needHome(); err != nil {
		return err
	}
	if err := a.stateDirUsable(); err != nil {
		return err
	}
	if err := errors.Join(a.tel.Consent().Reset(), a.tel.DeleteQueue()); err != nil {
		return err
	}
	a.tel.Refresh()
	fmt.Fprintln(a.env.Stderr, "Deleted the stored choice, the machine ID, the queue and the log of what was sent.")
	switch d := a.tel.Decide(); {
	case d.DecidedBy == consent.ByBuild:
		fmt.Fprintln(a.env.Stderr, "Telemetry is not part of this build: nothing is ever sent.")
	case d.DecidedBy == consent.ByDoNotTrack || d.DecidedBy == consent.ByEnv:
		fmt.Fprintf(a.env.Stderr, "Without a stored choice the default is on, but here %s in this environment, and it wins while it is set.\n", d.Reason)
		fmt.Fprintln(a.env.Stderr, "To turn it off for good: "+consent.OffCommand)
	default:
		fmt.Fprintln(a.env.Stderr, "Telemetry is on again, by default: the next run with something to send prints the one-time notice and sends nothing; sending starts with the run after it.")
		fmt.Fprintln(a.env.Stderr, "To turn it off: "+consent.OffCommand+" (or set "+consent.OffEnv+")")
	}
	return nil
}

func (a *app) showTelemetry() error {
	if err := a.needHome(); err != nil {
		return err
	}
	if !a.tel.Decide().Enabled {
		fmt.Fprintln(a.env.Stderr, "Telemetry is off: nothing would be sent.")
	}
	bodies := a.tel.Show()
	requests := make([]json.RawMessage, 0, len(bodies))
	for _, b := range bodies {
		requests = append(requests, b)
	}
	out := struct {
		Method   string            `json:"method"`
		Endpoint *string           `json:"endpoint"`
		Requests []json.RawMessage `json:"requests"`
	}{Method: "POST", Requests: requests}
	if ep := a.tel.Endpoint(); ep != "" {
		out.Endpoint = &ep
	}
	if len(bodies) > 0 && strings.Contains(string(bodies[0]), `"machine_id":null`) {
		fmt.Fprintln(a.env.Stderr, "machine_id is null: none is made yet. The first run that sends prints a one-time notice, makes one and sends nothing; the run after it sends under that ID.")
	}
	return writeJSON(a.env.Stdout, out)
}

// reportFlush says on stderr what an explicit flush did, in one line, and
// fails (exit 1) when something could not be sent. Automatic flushes never
// come here: their failures stay silent.
func (a *app) reportFlush(r telemetry.FlushResult) error {
	waiting := ""
	if n := a.tel.Pending().WaitingForDayEnd; n > 0 && !r.Off {
		verb := "wait"
		if n == 1 {
			verb = "waits"
		}
		waiting = fmt.Sprintf("%s %s until 00:00 UTC", plural(n, "count"), verb)
	}
	var parts []string
	switch {
	case r.Off:
		why := "nothing is sent"
		if d := a.tel.Decide(); d.Reason != "" {
			why += " (" + d.Reason + ")"
		}
		parts = append(parts, "telemetry is off: "+why)
	case r.Notice:
		parts = append(parts, "nothing sent: this run printed the one-time notice above, so it sends nothing; sending starts with the next run")
	case r.Failed != "":
		parts = append(parts, "could not send: "+a.plainError(errors.New(r.Failed)))
	case r.Requests == 0 && r.Lost == 0 && !r.Unreachable && r.Dropped == 0:
		what := waiting
		if what == "" {
			what = "nothing queued"
		}
		fmt.Fprintln(a.env.Stderr, "nothing due: "+what)
		return nil
	}
	if r.Requests > 0 {
		var statuses []string
		for _, s := range r.Statuses {
			if st := fmt.Sprint(s); !slices.Contains(statuses, st) {
				statuses = append(statuses, st)
			}
		}
		msg := fmt.Sprintf("sent %s to %s (%s)", plural(r.Sent, "event"), r.Endpoint, strings.Join(statuses, ", "))
		if !r.OK() && len(r.Statuses) > 0 && r.Lost == 0 && !r.Unreachable && r.Dropped == 0 {
			msg += ": the endpoint did not accept them all; they are not sent again"
		}
		parts = append(parts, msg)
	}
	if r.Lost > 0 {
		parts = append(parts, fmt.Sprintf("sent %s to %s, but no answer came (%s): they may have arrived, and are not sent again", plural(r.Lost, "event"), r.Endpoint, r.Why))
	}
	if r.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("could not send %s to %s (%s): dropped", plural(r.Dropped, "event"), r.Endpoint, r.Why))
	}
	if r.Unreachable {
		parts = append(parts, fmt.Sprintf("could not reach %s: %s; kept for later", r.Endpoint, r.Why))
	} else if r.Kept > 0 {
		parts = append(parts, fmt.Sprintf("%s more wait for the next flush", plural(r.Kept, "event")))
	}
	if waiting != "" {
		parts = append(parts, waiting)
	}
	fmt.Fprintln(a.env.Stderr, strings.Join(parts, "; "))
	if !r.OK() {
		return exitcode.Silent(1)
	}
	return nil
}

// sentJSON is one request of `telemetry log --json`; status is null when
// no answer came.
type sentJSON struct {
	Time     string `json:"time"`
	Status   *int   `json:"status"`
	Endpoint string `json:"endpoint"`
	Body     string `json:"body"`
}

// printSentLog prints the log of what was sent, oldest first: in the text
// form each request's time, status and endpoint on one line, then its body
// exactly as sent (what an auditor compares with what the endpoint
// received), then an empty line.
func (a *app) printSentLog(asJSON bool) error {
	sent, err := a.tel.Sent()
	if err != nil {
		return fmt.Errorf("the log of what was sent cannot be read: %w", err)
	}
	if asJSON {
		out := make([]sentJSON, 0, len(sent))
		for _, r := range sent {
			j := sentJSON{Time: r.Time.Format(time.RFC3339), Endpoint: r.Endpoint, Body: r.Body}
			if r.Status != 0 {
				j.Status = &r.Status
			}
			out = append(out, j)
		}
		return writeJSON(a.env.Stdout, out)
	}
	if len(sent) == 0 && a.tel.Endpoint() == "" {
		fmt.Fprintln(a.env.Stderr, "Telemetry is not part of this build: nothing is ever sent.")
		return nil
	}
	if len(sent) == 0 {
		fmt.Fprintf(a.env.Stderr, "Nothing was sent from this machine in the last %d days (or since `codegraph telemetry off` or `reset` deleted the log).\n", telemetry.SentLogAge/(24*time.Hour))
		return nil
	}
	w := &strings.Builder{}
	for _, r := range sent {
		status := "no answer"
		if r.Status != 0 {
			status = fmt.Sprint(r.Status)
		}
		fmt.Fprintf(w, "%s  %s  POST %s\n%s\n\n", r.Time.Format(time.RFC3339), status, r.Endpoint, r.Body)
	}
	_, err = io.WriteString(a.env.Stdout, w.String())
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
