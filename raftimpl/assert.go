package raftimpl

import "fmt"

// panicf reports a failed assertion: a bug in etcdsim, never bad input.
// Assertions are written "if !cond { panicf(...) }" rather than through an
// assertf(cond, ...) helper, because Go boxes a helper's variadic
// arguments (and allocates) even when the condition holds, and Step and the
// Ready path must not allocate needlessly.
func panicf(format string, args ...any) {
	panic(fmt.Sprintf("raftimpl: assertion failed: "+format, args...))
}
