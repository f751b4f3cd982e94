package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/getcodegraph/codegraph-install/internal/census"
)

// StatusToolName is the tool that reports the project's census.
const StatusToolName = "codegraph_status"

const statusToolDescription = "Report codegraph's index of the current project: " +
	"files per language, the total, and when the index was taken (by `codegraph init`)."

// StatusInput is codegraph_status's arguments: none.
type StatusInput struct{}

// StatusOutput is codegraph_status's structured result. It carries language
// names and counts only, never a path.
type StatusOutput struct {
	Languages       map[string]int `json:"languages" jsonschema:"files per language, as GitHub linguist names them"`
	TotalFiles      int            `json:"total_files" jsonschema:"number of files counted"`
	IndexedAt       string         `json:"indexed_at" jsonschema:"when the index was taken (RFC 3339, UTC)"`
	IndexDurationMS int64          `json:"index_duration_ms" jsonschema:"how long taking the index took, in milliseconds"`
}

// NotInitialised starts the error text of codegraph_status when the project
// has no census yet.
const NotInitialised = "not initialised: run `codegraph init`"

// The tool's schemas, exactly as tools/list sends them. They are written
// out rather than inferred from StatusInput and StatusOutput when the server
// starts: the SDK's inference, resolution and re-marshalling of a
// *jsonschema.Schema cost every `serve --mcp` about a millisecond before it
// could answer initialize (BENCHMARKS.md, "Instant start"). The types stay
// the owner: TestStatusSchemasAreTheInferredOnes compares these with what
// the SDK infers from them.
var (
	statusInputSchema  = json.RawMessage(`{"type":"object","additionalProperties":false}`)
	statusOutputSchema = json.RawMessage(`{"type":"object","properties":{` +
		`"languages":{"type":"object","description":"files per language, as GitHub linguist names them","additionalProperties":{"type":"integer"}},` +
		`"total_files":{"type":"integer","description":"number of files counted"},` +
		`"indexed_at":{"type":"string","description":"when the index was taken (RFC 3339, UTC)"},` +
		`"index_duration_ms":{"type":"integer","description":"how long taking the index took, in milliseconds"}},` +
		`"required":["languages","total_files","indexed_at","index_duration_ms"],"additionalProperties":false}`)
)

func addStatusTool(s *mcp.Server, dir string, now func() time.Time) {
	s.AddTool(&mcp.Tool{
		Name:         StatusToolName,
		Title:        "codegraph status",
		Description:  statusToolDescription,
		Annotations:  &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: new(false)},
		InputSchema:  statusInputSchema,
		OutputSchema: statusOutputSchema,
	}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if err := noArguments(req.Params.Arguments); err != nil {
			return toolError(fmt.Errorf("validating \"arguments\": %w", err)), nil
		}
		res, out, err := status(dir, now)
		if err != nil {
			return toolError(err), nil
		}
		res.StructuredContent = out
		return res, nil
	})
}

// noArguments accepts what statusInputSchema allows: no arguments, null, or
// an empty object.
func noArguments(args json.RawMessage) error {
	if len(bytes.TrimSpace(args)) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(args, &m); err != nil {
		return errors.New("arguments must be an object")
	}
	for k := range m {
		return fmt.Errorf("%s takes no arguments, got %q", StatusToolName, k)
	}
	return nil
}

// toolError is a failed call as MCP reports it: a result with IsError set and
// the error's text, for the agent to show its user.
func toolError(err error) *mcp.CallToolResult {
	var res mcp.CallToolResult
	res.SetError(err)
	return &res
}

// status reads the census. An error becomes a result with IsError set and
// the error's text (toolError), which is what the agent should show its user.
func status(dir string, now func() time.Time) (*mcp.CallToolResult, StatusOutput, error) {
	r, err := census.Read(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, StatusOutput{}, fmt.Errorf("%s (no census in %s)", NotInitialised, census.Path(dir))
	}
	if err != nil {
		return nil, StatusOutput{}, fmt.Errorf("census unreadable, run `codegraph init` again: %w", err)
	}
	out := StatusOutput{
		Languages:       r.Languages,
		TotalFiles:      r.Total,
		IndexedAt:       r.TakenAt.UTC().Format(time.RFC3339),
		IndexDurationMS: r.Duration.Milliseconds(),
	}
	// The SDK puts out in structuredContent; the text block is for clients
	// and models that read content only.
	return &mcp.CallToolResult{
		Content: []mcp.Content{&mcp.TextContent{Text: summary(out, r.TakenAt, now())}},
	}, out, nil
}

// summary is the one-paragraph text of a status.
func summary(out StatusOutput, takenAt, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "codegraph index: %d files, taken %s (%s ago, in %s).",
		out.TotalFiles, out.IndexedAt, age(now.Sub(takenAt)), time.Duration(out.IndexDurationMS)*time.Millisecond)
	names := census.Ranked(out.Languages)
	if len(names) > 0 {
		b.WriteString("\nLanguages:")
		for _, name := range names {
			fmt.Fprintf(&b, "\n- %s: %d", name, out.Languages[name])
		}
	}
	return b.String()
}

// age rounds a duration for people: seconds, minutes, hours or days.
func age(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}
