package installcli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/getcodegraph/codegraph-install/installer"
)

// addListTargetsFlag adds --list-targets [--json] to the root command: every
// supported agent, its scopes, its config file per scope on this OS and
// whether it was found here. It wraps the installer's RunE, so the listing
// never reaches the install.
func (a *app) addListTargetsFlag(root *cobra.Command) {
	var list bool
	fs := root.Flags()
	fs.BoolVar(&list, "list-targets", false, "list every supported agent (id, name, scopes, config file on this OS, detected or not) and exit; with --json, as one JSON object")
	install := root.RunE
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if !list {
			return install(cmd, args)
		}
		asJSON, _ := cmd.Flags().GetBool("json") // the installer's --json
		// Like a dry run, a listing only reads: it writes nothing, not even
		// its own usage count.
		a.uncounted = true
		project, _ := cmd.Flags().GetString("project")
		return a.listTargets(project, asJSON)
	}
}

// listedTarget is one agent in --list-targets --json.
type listedTarget struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Scopes   []string          `json:"scopes"`
	Config   map[string]string `json:"config"` // scope → config file on this OS
	Detected bool              `json:"detected"`
	GUI      bool              `json:"gui"` // gets the binary's absolute path (no shell PATH)
	// Paste: a paste target has no file of ours; this is where its user
	// pastes the snippet the installer prints (nothing is written).
	Paste string `json:"paste,omitempty"`
	// OnlyOn: an agent of one OS ("Windows") has no config file elsewhere.
	OnlyOn string `json:"only_on,omitempty"`
	Docs   string `json:"docs"`
}

func (a *app) listTargets(project string, asJSON bool) error {
	if err := a.needHome(); err != nil {
		return err
	}
	dir, err := a.resolveDir(project)
	if err != nil {
		return err
	}
	env := a.installerEnv(dir)
	var out []listedTarget
	for _, t := range installer.Targets() {
		lt := listedTarget{ID: t.ID, Name: t.Name, Scopes: []string{}, Config: map[string]string{}, Detected: t.Detect(env), GUI: t.GUI, Docs: t.DocURL}
		lt.Paste, _ = t.Pasted()
		lt.OnlyOn = t.OnlyOn()
		for _, s := range t.Scopes() {
			p, err := t.ConfigPath(env, s)
			if err != nil {
				continue
			}
			lt.Scopes = append(lt.Scopes, string(s))
			lt.Config[string(s)] = p
		}
		out = append(out, lt)
	}
	if asJSON {
		enc := json.NewEncoder(a.env.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			OS      string         `json:"os"`
			Project string         `json:"project"`
			Targets []listedTarget `json:"targets"`
		}{a.goos(), dir, out})
	}
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ID\tNAME\tDETECTED\tSCOPE\tCONFIG (%s)\n", a.goos())
	for _, lt := range out {
		detected := "-"
		if lt.Detected {
			detected = "yes"
		}
		if len(lt.Scopes) == 0 && lt.OnlyOn != "" {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", lt.ID, lt.Name, detected, "-", "(runs on "+lt.OnlyOn+" only)")
		}
		if lt.Paste != "" {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", lt.ID, lt.Name, detected, "paste", "(nothing written) "+lt.Paste)
		}
		for i, s := range lt.Scopes {
			id, name, det := lt.ID, lt.Name, detected
			if i > 0 {
				id, name, det = "", "", ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", id, name, det, s, lt.Config[s])
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stderr, "%d agents; local paths are for %s (--project DIR for another).\n", len(out), dir)
	return nil
}
