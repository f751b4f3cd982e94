// Command linked is a lower bound under codegraph's start-up: a program that
// links and initialises every package codegraph's own code imports (the
// dependencies the contract names among them) and runs none of that code.
// It is a bound, not the exact floor: with blank imports the linker drops
// the map tables of package variables nothing reads, which codegraph, using
// those packages, initialises. BenchmarkLinkedDependencies times it;
// TestLinkedListIsCurrent keeps the imports equal to what
// ./cmd/codegraph-install's packages import from outside the module.
package main

import (
	_ "bufio"
	_ "bytes"
	_ "cmp"
	_ "context"
	_ "crypto/sha256"
	_ "encoding/hex"
	_ "encoding/json"
	_ "errors"
	_ "fmt"
	_ "io"
	_ "io/fs"
	_ "maps"
	_ "math"
	_ "math/rand/v2"
	_ "net"
	_ "net/http"
	_ "net/http/httptrace"
	"os"
	_ "os/exec"
	_ "os/signal"
	_ "path"
	_ "path/filepath"
	_ "reflect"
	_ "regexp"
	_ "runtime"
	_ "runtime/debug"
	_ "slices"
	_ "sort"
	_ "strconv"
	_ "strings"
	_ "sync"
	_ "sync/atomic"
	_ "syscall"
	_ "text/tabwriter"
	_ "time"
	_ "unicode"
	_ "unicode/utf16"
	_ "unicode/utf8"

	_ "charm.land/bubbletea/v2"
	_ "charm.land/huh/v2"
	_ "charm.land/lipgloss/v2"
	_ "github.com/BurntSushi/toml"
	_ "github.com/aymanbagabas/go-udiff"
	_ "github.com/charmbracelet/colorprofile"
	_ "github.com/charmbracelet/x/ansi"
	_ "github.com/charmbracelet/x/term"
	_ "github.com/go-git/go-git/v5/plumbing/format/gitignore"
	_ "github.com/google/uuid"
	_ "github.com/mattn/go-isatty"
	_ "github.com/modelcontextprotocol/go-sdk/jsonrpc"
	_ "github.com/modelcontextprotocol/go-sdk/mcp"
	_ "github.com/spf13/cobra"
	_ "go.yaml.in/yaml/v3"
)

func main() { os.Stdout.WriteString("linked\n") }
