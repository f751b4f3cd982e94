// Command initprobe links internal/langdetect and nothing else of the
// module, so that `GODEBUG=inittrace=1 initprobe` shows what the package
// costs at initialisation (TestInitCost runs it). With -detect it also
// detects one file, to show the lazy costs land on first use instead.
package main

import (
	"fmt"
	"os"

	"github.com/getcodegraph/codegraph-install/internal/langdetect"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-detect" {
		l, ok := langdetect.Detect("src/lib.h", []byte("#include <vector>\nclass A {};\n"))
		fmt.Println(l.Name, l.ID, ok)
		return
	}
	fmt.Println(langdetect.HeadSize)
}
