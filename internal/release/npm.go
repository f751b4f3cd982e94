package release

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// npm package names. The wrapper is what people run (`npx
// codegraph-install`); each platform package holds one binary and is
// installed only where its os and cpu match, as an optional dependency of
// the wrapper, the way esbuild, turbo and biome ship native binaries.
const (
	NPMWrapper = "codegraph-install"
	npmScope   = "@getcodegraph"
)

// NPMPlatformName is the platform package's name, e.g.
// @getcodegraph/codegraph-install-linux-x64.
func NPMPlatformName(p Platform) string {
	return fmt.Sprintf("%s/codegraph-install-%s-%s", npmScope, p.NPMOS(), p.NPMCPU())
}

// NPMPackages writes the wrapper and one package per artifact under
// out/npm/, ready for `npm pack`, and returns their directories (wrapper
// first).
func NPMPackages(o Options, arts []Artifact) ([]string, error) {
	base := filepath.Join(o.Out, "npm")
	var dirs []string
	wrapper := filepath.Join(base, NPMWrapper)
	optional := map[string]string{}
	for _, p := range Platforms {
		optional[NPMPlatformName(p)] = o.Version
	}
	if err := writePackage(wrapper, map[string]any{
		"name":                 NPMWrapper,
		"version":              o.Version,
		"description":          "Register codegraph's MCP server with your AI coding agents; codegraph's consent manager and telemetry CLI.",
		"license":              "MIT",
		"homepage":             "https://github.com/getcodegraph/codegraph-install",
		"bin":                  map[string]string{"codegraph-install": "bin/codegraph-install.js", "codegraph": "bin/codegraph.js"},
		"files":                []string{"bin/", "lib/", "README.md", "TELEMETRY.md"},
		"engines":              map[string]string{"node": ">=18"},
		"optionalDependencies": optional,
	}); err != nil {
		return nil, err
	}
	for name, body := range map[string]string{
		"lib/run.js":               runJS,
		"bin/codegraph-install.js": binJS("codegraph-install"),
		"bin/codegraph.js":         binJS("codegraph"),
	} {
		if err := writeFile(filepath.Join(wrapper, name), body, 0o755); err != nil {
			return nil, err
		}
	}
	for _, doc := range []string{"README.md", "TELEMETRY.md"} {
		if err := copyFile(filepath.Join(o.Root, doc), filepath.Join(wrapper, doc), 0o644); err != nil {
			return nil, err
		}
	}
	dirs = append(dirs, wrapper)
	for _, a := range arts {
		p := a.Platform
		dir := filepath.Join(base, "codegraph-install-"+p.NPMOS()+"-"+p.NPMCPU())
		exe := "codegraph-install" + p.exe()
		if err := writePackage(dir, map[string]any{
			"name":            NPMPlatformName(p),
			"version":         o.Version,
			"description":     fmt.Sprintf("The codegraph-install binary for %s/%s (installed by the codegraph-install package).", p.OS, p.Arch),
			"license":         "MIT",
			"os":              []string{p.NPMOS()},
			"cpu":             []string{p.NPMCPU()},
			"files":           []string{"bin/"},
			"preferUnplugged": true,
		}); err != nil {
			return nil, err
		}
		if err := copyFile(filepath.Join(a.BinDir, exe), filepath.Join(dir, "bin", exe), 0o755); err != nil {
			return nil, err
		}
		dirs = append(dirs, dir)
	}
	return dirs, nil
}

func writePackage(dir string, pkg map[string]any) error {
	data, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "package.json"), string(data)+"\n", 0o644)
}

func writeFile(path, body string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(body), mode)
}

func copyFile(src, dst string, mode os.FileMode) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, mode)
}

// binJS is a bin script of the wrapper: it runs the platform binary under
// the name it was called by, so `codegraph` answers as codegraph.
func binJS(name string) string {
	return "#!/usr/bin/env node\n\"use strict\";\nrequire(\"../lib/run.js\").run(" + fmt.Sprintf("%q", name) + ");\n"
}

// runJS finds the platform package's binary and runs it with the caller's
// arguments, standard streams and exit code. argv0 carries the command's
// name (codegraph or codegraph-install), which the binary answers to. The
// binary's real path is what the installer writes into agents' configs, so
// the agents never go through node.
const runJS = `"use strict";
// Runs the codegraph-install binary of this platform's package (installed
// by npm as an optional dependency: only the one matching os and cpu is).
const { spawnSync } = require("child_process");
const path = require("path");

const platforms = {
  "linux x64": "linux-x64", "linux arm64": "linux-arm64",
  "darwin x64": "darwin-x64", "darwin arm64": "darwin-arm64",
  "win32 x64": "win32-x64", "win32 arm64": "win32-arm64",
};

function binaryPath() {
  const key = process.platform + " " + process.arch;
  const suffix = platforms[key];
  if (!suffix) {
    throw new Error("codegraph-install has no binary for " + key + ": see https://github.com/getcodegraph/codegraph-install#install");
  }
  const pkg = "@getcodegraph/codegraph-install-" + suffix;
  const exe = process.platform === "win32" ? "codegraph-install.exe" : "codegraph-install";
  try {
    return require.resolve(pkg + "/bin/" + exe);
  } catch (e) {
    throw new Error("the package " + pkg + " is missing (it is an optional dependency of codegraph-install: was it installed with --no-optional or --omit=optional?)");
  }
}

exports.run = function run(name) {
  let bin;
  try {
    bin = binaryPath();
  } catch (e) {
    process.stderr.write(name + ": " + e.message + "\n");
    process.exit(1);
  }
  const r = spawnSync(bin, process.argv.slice(2), { stdio: "inherit", argv0: name });
  if (r.error) {
    process.stderr.write(name + ": " + r.error.message + "\n");
    process.exit(1);
  }
  if (r.signal) {
    process.kill(process.pid, r.signal);
  }
  process.exit(r.status === null ? 1 : r.status);
};
`
