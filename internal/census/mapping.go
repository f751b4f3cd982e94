package census

import (
	"github.com/getcodegraph/codegraph-install/internal/langdetect"
	"github.com/getcodegraph/codegraph-install/telemetry/schema"
)

// Other is the schema id for every detected language codegraph has no
// extractor id for.
const Other = schema.LanguageOther

// SchemaLanguage maps a GitHub linguist language name to one of
// codegraph's schema language ids; see langdetect.SchemaID.
func SchemaLanguage(linguistName string) string { return langdetect.SchemaID(linguistName) }
