package tui

import (
	"bytes"
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestAccessibleListReadsWell: the plain prompts number every agent with
// the numbers aligned (they lost their alignment from 10 on), say nothing
// of the library's ("Select up to 40 options.", "invalid input. please
// try again"), and answer a typo with what to type.
func TestAccessibleListReadsWell(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	cfg := Config{Selected: []string{"claude"}, Accessible: true}
	got, err := Run(context.Background(), cfg, strings.NewReader("99\nx\n2\n2\n3\n\n7\n2\n\n"), &out)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	if want := []string{"claude", "codex"}; !reflect.DeepEqual(got.Targets, want) || got.Scope != "local" {
		t.Errorf("answers = %+v, want %v local\n%s", got, want, out.String())
	}
	text := out.String()
	for _, bad := range []string{"Select up to", "invalid input", "please try again"} {
		if strings.Contains(text, bad) {
			t.Errorf("the output says %q:\n%s", bad, text)
		}
	}
	for _, want := range []string{
		`There is no agent "99" here: type a number from 1 to`,
		`There is no agent "x" here`,
		"Selected Cursor.", "Deselected Cursor.", "Selected Codex CLI.",
		`"7" is not one of them: type a number from 1 to 2.`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the output lacks %q:\n%s", want, text)
		}
	}
	// Every numbered line has its dot in the same column.
	numbered := regexp.MustCompile(`(?m)^( *)(\d+)\. [ ✓] `)
	col := -1
	for _, m := range numbered.FindAllStringSubmatch(text, -1) {
		if c := len(m[1]) + len(m[2]); col == -1 {
			col = c
		} else if c != col {
			t.Errorf("the numbers are not aligned: %q", m[0])
		}
	}
	if col == -1 {
		t.Fatalf("no numbered list:\n%s", text)
	}
}

// TestAccessibleYesNo: the consent question and the last confirmation take
// y/n, yes/no and the words of their choices in any case, and answer
// anything else with our own hint, never huh's "invalid input"; the
// uninstaller's Confirm does the same, and its "cancel" cancels.
func TestAccessibleYesNo(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	cfg := Config{Selected: []string{"claude"}, Accessible: true, AskConsent: true, ShareDefault: true}
	got, err := Run(context.Background(), cfg, strings.NewReader("\n\nmaybe\nNO\nwhat\nInstall\n"), &out)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	if got.ShareUsage == nil || *got.ShareUsage {
		t.Errorf("ShareUsage = %v, want a stored No\n%s", got.ShareUsage, out.String())
	}
	text := out.String()
	for _, want := range []string{
		`"maybe" is not an answer here. Type y for Yes or n for No, or press Enter for Yes.`,
		`"what" is not an answer here. Type y for Install or n for Cancel, or press Enter for Install.`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "invalid input") {
		t.Errorf("huh's own message is shown:\n%s", text)
	}

	out.Reset()
	err = Confirm(context.Background(), ConfirmOptions{Title: "Remove codegraph?", Yes: "Remove", No: "Cancel", Accessible: true}, strings.NewReader("x\ncancel\n"), &out)
	if err != ErrCancelled {
		t.Errorf("Confirm after cancel = %v, want ErrCancelled\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), `"x" is not an answer here. Type y for Remove or n for Cancel`) {
		t.Errorf("no hint for a typo:\n%s", out.String())
	}
	out.Reset()
	if err := Confirm(context.Background(), ConfirmOptions{Title: "Remove codegraph?", Yes: "Remove", No: "Cancel", Accessible: true}, strings.NewReader("REMOVE\n"), &out); err != nil {
		t.Errorf("Confirm after REMOVE = %v\n%s", err, out.String())
	}
}
