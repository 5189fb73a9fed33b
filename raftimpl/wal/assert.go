package wal

import "fmt"

// assertf panics with a formatted message when cond is false. A failed
// assertion is a bug in etcdsim, never bad input.
func assertf(cond bool, format string, args ...any) {
	if !cond {
		panic(fmt.Sprintf("wal: assertion failed: "+format, args...))
	}
}
