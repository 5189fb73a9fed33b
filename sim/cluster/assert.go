package cluster

import "fmt"

// assertf panics with a formatted message when cond is false. A failed
// assertion is a bug in etcdsim, never bad input.
//
// Its arguments are boxed before cond is tested, which allocates: on hot
// paths write `if !cond { failf(...) }` instead.
func assertf(cond bool, format string, args ...any) {
	if !cond {
		panic(fmt.Sprintf("cluster: assertion failed: "+format, args...))
	}
}

// failf panics with a formatted assertion message. Hot paths call it under
// their own if, so that the arguments are boxed only on failure.
func failf(format string, args ...any) {
	panic(fmt.Sprintf("cluster: assertion failed: "+format, args...))
}
