package census

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/getcodegraph/codegraph-install/internal/testkit"
)

func makeBenchTree(b *testing.B, root string, n int) {
	b.Helper()
	perDir := 50
	for i := 0; i < n; i++ {
		dir := filepath.Join(root, fmt.Sprintf("pkg%03d", i/perDir/20), fmt.Sprintf("sub%02d", i/perDir%20))
		if i%perDir == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("*.log\n"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		f := testkit.RepositoryMix[i%len(testkit.RepositoryMix)]
		name := fmt.Sprintf("f%d_%s", i, f.Name)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(f.Content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, ".gitignore"), []byte("node_modules/\n*.tmp\n!keep.tmp\n"), 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCensus takes the census of 50,000 small files; the target is
// 100k files/s on 2 cores with a warm page cache.
func BenchmarkCensus(b *testing.B) {
	const n = 50_000
	root := b.TempDir()
	makeBenchTree(b, root, n)
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		r, err := Take(context.Background(), root, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if r.Total == 0 {
			b.Fatal("nothing counted")
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
	// On a shared or loaded machine wall time says little; CPU time per file
	// is what the census itself costs.
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "files/cpu-s")
	}
}
