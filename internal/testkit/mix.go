package testkit

// NamedFile is a file's name and content, for building test trees.
type NamedFile struct{ Name, Content string }

// RepositoryMix is the kinds of files a real repository holds: mostly
// unambiguous source, some names that need a content read (.h, .ts, .yml,
// .rs), and files that do not count. The census's and langdetect's
// benchmarks build their trees from it, so their figures compare.
var RepositoryMix = []NamedFile{
	{"main.go", "package main\n\nfunc main() {}\n"},
	{"util.go", "package util\n"},
	{"app.ts", "export const a: number = 1;\n"},
	{"view.tsx", "export const V = () => <div/>;\n"},
	{"index.js", "module.exports = {};\n"},
	{"tool.py", "print('hi')\n"},
	{"lib.rs", "fn main() {}\n"},
	{"Main.java", "class Main {}\n"},
	{"lib.h", "int f(void);\n"},
	{"lib.c", "int f(void) { return 0; }\n"},
	{"Thing.cs", "class Thing {}\n"},
	{"config.yml", "a: 1\n"},
	{"README.md", "# readme\n"},
	{"data.json", "{}\n"},
	{"logo.png", "\x89PNG"},
	{"debug.log", "ignored\n"},
}
