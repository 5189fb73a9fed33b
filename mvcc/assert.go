package mvcc

import "fmt"

// assertf panics with a formatted message when cond is false. A failed
// assertion is a bug in etcdsim, never bad input.
func assertf(cond bool, format string, args ...any) {
	if !cond {
		panic(fmt.Sprintf("mvcc: assertion failed: "+format, args...))
	}
}

// panicf reports a broken invariant. Hot paths call it behind an explicit
// if, so that the arguments are not boxed when all is well.
func panicf(format string, args ...any) {
	panic(fmt.Sprintf("mvcc: assertion failed: "+format, args...))
}
