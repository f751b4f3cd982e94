// Package configerr names the three ways an edit of an agent's config file
// is refused, the same for every format (jsonc, tomlcfg, yamlcfg): the file
// does not parse, it is of a size or shape no agent writes, or it parses
// but our entry cannot be placed without replacing the user's data. The
// installer tells them apart once, for all formats, and in every case
// leaves the file as it was.
package configerr

// SyntaxError reports a document that does not parse. Msg carries the
// parser's line and column.
type SyntaxError struct{ Msg string }

func (e *SyntaxError) Error() string { return e.Msg }

// LimitError reports a document refused before parsing, for a size, a
// nesting depth or a parsing cost no agent's config comes near.
type LimitError struct{ Msg string }

func (e *LimitError) Error() string { return e.Msg }

// ShapeError reports a document that parses but where our entry cannot be
// placed or removed without touching user data (e.g. "mcpServers" is not
// an object). Msg says what to do by hand.
type ShapeError struct{ Msg string }

func (e *ShapeError) Error() string { return e.Msg }
