// Package release makes what users download: reproducible builds of
// codegraph-install (with its codegraph name) and codegraph-ingest for six
// platforms, one archive each (tar.gz; zip for Windows), a SHA256SUMS file,
// and the npm packages that let `npx codegraph-install` run without Go: one
// package per platform holding the binary (npm picks it by its os and cpu
// fields) and a small wrapper package whose bins start it. Nothing is
// downloaded at install time: no postinstall script.
//
// Reproducible means the same source, version and commit give the same
// bytes: -trimpath, no build ID, no VCS stamping beyond the commit passed
// in, CGO off, and archives with sorted entries, fixed times and owners.
package release

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Platform is one GOOS/GOARCH pair we ship.
type Platform struct{ OS, Arch string }

// Platforms are the six release targets.
var Platforms = []Platform{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// Host is the platform this process runs on.
func Host() Platform { return Platform{runtime.GOOS, runtime.GOARCH} }

func (p Platform) String() string { return p.OS + "_" + p.Arch }

func (p Platform) exe() string {
	if p.OS == "windows" {
		return ".exe"
	}
	return ""
}

// NPMOS and NPMCPU are the platform as npm's os and cpu fields spell it.
func (p Platform) NPMOS() string {
	if p.OS == "windows" {
		return "win32"
	}
	return p.OS
}

func (p Platform) NPMCPU() string {
	if p.Arch == "amd64" {
		return "x64"
	}
	return p.Arch
}

// Options say what to build and where.
type Options struct {
	// Root is the module's root directory (where go build runs).
	Root string
	// Out is the output directory, e.g. dist/.
	Out string
	// Version and Commit are stamped into the binaries (buildinfo) and name
	// the archives; Version has no leading "v".
	Version, Commit string
	// Time is every archive entry's modification time: the commit's time,
	// so the same commit always packs to the same bytes.
	Time      time.Time
	Platforms []Platform
	// Log receives one line per step; nil is silent.
	Log io.Writer
}

const (
	modulePath = "github.com/getcodegraph/codegraph-install"
	// ArchivePrefix starts every archive's name:
	// codegraph-install_<version>_<os>_<arch>.tar.gz (or .zip).
	ArchivePrefix = "codegraph-install"
	// ChecksumsFile lists every archive's SHA-256, in sha256sum's format.
	ChecksumsFile = "SHA256SUMS"
)

// ArchiveName is the file name of a platform's archive.
func ArchiveName(version string, p Platform) string {
	ext := ".tar.gz"
	if p.OS == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("%s_%s_%s_%s%s", ArchivePrefix, version, p.OS, p.Arch, ext)
}

// Artifact is one platform's build.
type Artifact struct {
	Platform Platform
	// BinDir holds codegraph-install, codegraph-ingest (with .exe on
	// Windows), unpacked: the npm packages are made from it.
	BinDir  string
	Archive string
}

// Dist builds every platform, writes the archives and the checksums file,
// and returns the artifacts in Options.Platforms order.
func Dist(ctx context.Context, o Options) ([]Artifact, error) {
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	var arts []Artifact
	for _, p := range o.Platforms {
		a, err := buildPlatform(ctx, o, p)
		if err != nil {
			return nil, err
		}
		arts = append(arts, a)
	}
	if err := writeChecksums(o.Out, arts); err != nil {
		return nil, err
	}
	return arts, nil
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}

func buildPlatform(ctx context.Context, o Options, p Platform) (Artifact, error) {
	a := Artifact{Platform: p, BinDir: filepath.Join(o.Out, "bin", p.String())}
	if err := os.MkdirAll(a.BinDir, 0o755); err != nil {
		return a, err
	}
	for _, cmd := range []string{"codegraph-install", "codegraph-ingest"} {
		out := filepath.Join(a.BinDir, cmd+p.exe())
		o.logf("build %s %s", p, cmd)
		if err := goBuild(ctx, o, p, out, "./cmd/"+cmd); err != nil {
			return a, err
		}
	}
	files, err := archiveFiles(o.Root, a.BinDir, p)
	if err != nil {
		return a, err
	}
	a.Archive = filepath.Join(o.Out, ArchiveName(o.Version, p))
	o.logf("pack %s", filepath.Base(a.Archive))
	if p.OS == "windows" {
		err = writeZip(a.Archive, files, o.Time)
	} else {
		err = writeTarGz(a.Archive, files, o.Time)
	}
	return a, err
}

func goBuild(ctx context.Context, o Options, p Platform, out, pkg string) error {
	ldflags := strings.Join([]string{
		"-s", "-w", "-buildid=",
		"-X", modulePath + "/internal/buildinfo.Version=" + o.Version,
		"-X", modulePath + "/internal/buildinfo.Commit=" + o.Commit,
	}, " ")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, pkg)
	cmd.Dir = o.Root
	cmd.Env = append(os.Environ(), "GOOS="+p.OS, "GOARCH="+p.Arch, "CGO_ENABLED=0", "GOFLAGS=-mod=readonly")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s for %s: %v\n%s", pkg, p, err, b)
	}
	return nil
}

// archiveFile is one entry: its name in the archive, its content on disk
// (or a symlink target), and its mode.
type archiveFile struct {
	name, src, link string
	mode            int64
}

// archiveFiles lists what every archive holds: both binaries, the codegraph
// name (a symlink in tar; a copy in zip, which Windows cannot link), and the
// documents a user or auditor wants next to them.
func archiveFiles(root, binDir string, p Platform) ([]archiveFile, error) {
	exe := p.exe()
	files := []archiveFile{
		{name: "codegraph-install" + exe, src: filepath.Join(binDir, "codegraph-install"+exe), mode: 0o755},
		{name: "codegraph-ingest" + exe, src: filepath.Join(binDir, "codegraph-ingest"+exe), mode: 0o755},
	}
	if p.OS == "windows" {
		files = append(files, archiveFile{name: "codegraph.exe", src: filepath.Join(binDir, "codegraph-install.exe"), mode: 0o755})
	} else {
		files = append(files, archiveFile{name: "codegraph", link: "codegraph-install", mode: 0o777})
	}
	for _, doc := range []string{"README.md", "TELEMETRY.md", "CHANGELOG.md"} {
		files = append(files, archiveFile{name: doc, src: filepath.Join(root, doc), mode: 0o644})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, nil
}

func writeTarGz(path string, files []archiveFile, mtime time.Time) error {
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	// No name and a zero time in the gzip header: the bytes depend on the
	// content alone.
	gz.Header.ModTime = time.Time{}
	tw := tar.NewWriter(gz)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, ModTime: mtime.UTC(), Uname: "root", Gname: "root", Format: tar.FormatPAX}
		var data []byte
		if f.link != "" {
			h.Typeflag, h.Linkname = tar.TypeSymlink, f.link
		} else {
			var err error
			if data, err = os.ReadFile(f.src); err != nil {
				return err
			}
			h.Typeflag, h.Size = tar.TypeReg, int64(len(data))
		}
		// PAX records would carry access times; keep the USTAR fields only.
		h.Format = tar.FormatUSTAR
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("pack %s: %w", f.name, err)
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func writeZip(path string, files []archiveFile, mtime time.Time) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		data, err := os.ReadFile(f.src)
		if err != nil {
			return err
		}
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: mtime.UTC()}
		h.SetMode(os.FileMode(f.mode))
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// writeChecksums writes SHA256SUMS: "<hex>  <file name>" per archive, the
// format `sha256sum -c` and `shasum -a 256 -c` read.
func writeChecksums(out string, arts []Artifact) error {
	var b strings.Builder
	for _, a := range arts {
		data, err := os.ReadFile(a.Archive)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), filepath.Base(a.Archive))
	}
	return os.WriteFile(filepath.Join(out, ChecksumsFile), []byte(b.String()), 0o644)
}
