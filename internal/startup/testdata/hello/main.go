// Command hello is the yardstick of the start-up benchmarks: the least a Go
// process can cost on this machine.
package main

import "os"

func main() { os.Stdout.WriteString("hello\n") }
