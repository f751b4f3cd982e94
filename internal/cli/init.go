package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) initCommand() *cobra.Command {
	return &cobra.Command{Use: "init [DIR]", Short: "Take the project's language census (headless, never prompts)", Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(*cobra.Command, []string) error { return errors.New("init: not wired yet") }}
}
