package installcli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/consent"
	"github.com/getcodegraph/codegraph-install/internal/exitcode"
	"github.com/getcodegraph/codegraph-install/telemetry"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

func (a *app) telemetryCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "telemetry",
		Short: "Show or change what codegraph shares (anonymous usage counts)",
		Long: `codegraph shares anonymous usage counts: no code, paths or names.
TELEMETRY.md lists every field. DO_NOT_TRACK=1 or CODEGRAPH_TELEMETRY=0
turn it off for a process; "telemetry off" turns it off for good.`,
		// A RunE makes cobra check Args, so an unknown subcommand is a usage
		// error (exit 2) rather than help with exit 0.
		Args: exitcode.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var asJSON bool
	status := &cobra.Command{
		Use:   "status",
		Short: "Show whether telemetry is on, what decided it, and what is pending",
		Args:  exitcode.Args(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if err := a.needHome(); err != nil {
				return err
			}
			return a.printStatus(asJSON)
		},
	}
	status.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	cmd.AddCommand(status,
		&cobra.Command{
			Use:   "on",
			Short: "Share anonymous usage counts (stored as your choice)",
			Args:  exitcode.Args(cobra.NoArgs),
			RunE:  func(*cobra.Command, []string) error { return a.setTelemetry(true) },
		},
		&cobra.Command{
			Use:   "off",
			Short: "Stop sharing, for good, and delete what is queued",
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
			Short: "Send what is due now (completed days and lifecycle events)",
			Args:  exitcode.Args(cobra.NoArgs),
			RunE: func(cmd *cobra.Command, _ []string) error {
				if err := a.needHome(); err != nil {
					return err
				}
				a.tel.Persist()
				ctx, cancel := context.WithTimeout(cmd.Context(), telemetry.MaxRequestsPerFlush*telemetry.SendTimeout)
				defer cancel()
				a.tel.Flush(ctx)
				return nil
			},
		},
		&cobra.Command{
			Use:   "reset",
			Short: "Delete the stored choice, machine ID and queue (a new ID is minted next time)",
			Args:  exitcode.Args(cobra.NoArgs),
			RunE: func(*cobra.Command, []string) error {
				if err := a.needHome(); err != nil {
					return err
				}
				if err := errors.Join(a.tel.Consent().Reset(), a.tel.DeleteQueue()); err != nil {
					return err
				}
				fmt.Fprintln(a.env.Stderr, "Telemetry settings, machine ID and queue deleted. The default applies again.")
				return nil
			},
		},
	)
	return cmd
}

// Status is the shape of `telemetry status --json`.
type Status struct {
	Enabled             bool     `json:"enabled"`
	DecidedBy           string   `json:"decided_by"`
	Reason              string   `json:"reason"`
	MachineID           *string  `json:"machine_id"`
	ConsentSource       *string  `json:"consent_source"`
	FirstRunNoticeShown bool     `json:"first_run_notice_shown"`
	PendingEvents       int      `json:"pending_events"`
	Endpoint            *string  `json:"endpoint"`
	ConfigPath          string   `json:"config_path"`
	OffSwitches         []string `json:"off_switches"`
}

func (a *app) status() Status {
	d := a.tel.Consent().Resolve()
	st := Status{
		Enabled:       d.Enabled,
		DecidedBy:     d.DecidedBy,
		Reason:        d.Reason,
		PendingEvents: a.tel.PendingEvents(),
		ConfigPath:    a.state.TelemetryConfig(),
		OffSwitches:   []string{"codegraph telemetry off", "CODEGRAPH_TELEMETRY=0", "DO_NOT_TRACK=1"},
	}
	if cfg := d.Config; cfg != nil {
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
	if d.DecidedBy == consent.ByBuild {
		st.OffSwitches = nil
	}
	return st
}

func (a *app) printStatus(asJSON bool) error {
	st := a.status()
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
	w := a.env.Stdout
	fmt.Fprintf(w, "Telemetry:       %s\n", state)
	fmt.Fprintf(w, "Decided by:      %s (%s)\n", st.DecidedBy, st.Reason)
	fmt.Fprintf(w, "Machine ID:      %s\n", orNone(st.MachineID, "none yet (minted right before the first send)"))
	fmt.Fprintf(w, "Consent source:  %s\n", orNone(st.ConsentSource, "none (no choice stored)"))
	fmt.Fprintf(w, "Pending events:  %d\n", st.PendingEvents)
	fmt.Fprintf(w, "Endpoint:        %s\n", orNone(st.Endpoint, "none: telemetry is not part of this build"))
	fmt.Fprintf(w, "Config:          %s\n", st.ConfigPath)
	if len(st.OffSwitches) > 0 {
		fmt.Fprintf(w, "Turn it off:     %s\n", strings.Join(st.OffSwitches, ", or "))
	}
	fmt.Fprintf(w, "What is sent:    %s\n", schema.DocsURL)
	return nil
}

func (a *app) setTelemetry(enabled bool) error {
	if err := a.needHome(); err != nil {
		return err
	}
	store := a.tel.Consent()
	if !enabled {
		// Delete first: even if the choice cannot be stored, nothing queued
		// is sent by this machine after the user asked for off.
		qerr := a.tel.DeleteQueue()
		if _, err := store.SetChoice(false, consent.SourceCLI); err != nil {
			return err
		}
		a.tel.Refresh()
		if qerr != nil {
			return fmt.Errorf("telemetry is off, but the queue could not be deleted: %w", qerr)
		}
		fmt.Fprintln(a.env.Stderr, "Telemetry is off. Nothing will be sent from this machine; the queue was deleted.")
		return nil
	}
	if _, err := store.SetChoice(true, consent.SourceCLI); err != nil {
		return err
	}
	a.tel.Refresh()
	fmt.Fprintln(a.env.Stderr, "Telemetry is on: anonymous usage counts only (no code, paths or names). Details: "+schema.DocsURL)
	switch d := store.Resolve(); d.DecidedBy {
	case consent.ByDoNotTrack, consent.ByEnv:
		if !d.Enabled {
			fmt.Fprintf(a.env.Stderr, "warning: %s in this environment, and it still wins: telemetry stays off while it is set.\n", d.Reason)
		}
	}
	return nil
}

func (a *app) showTelemetry() error {
	if err := a.needHome(); err != nil {
		return err
	}
	if !a.tel.Consent().Resolve().Enabled {
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
		fmt.Fprintln(a.env.Stderr, "machine_id is null: one is minted right before the first send.")
	}
	return writeJSON(a.env.Stdout, out)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
