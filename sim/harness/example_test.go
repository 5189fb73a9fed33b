package harness_test

import (
	"fmt"

	"etcdsim/raftimpl"
	"etcdsim/sim/harness"
)

// ExampleRun plays a sweep's run for a planted bug and reports what caught
// it; the same seed always gives the same answer.
func ExampleRun() {
	out, err := harness.Run(1, harness.BugRun(raftimpl.BugApplyUncommitted, true))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("caught:", out.Unsafe())
	fmt.Println("history:", out.VerdictName())
	// Output:
	// caught: true
	// history: invariant-violation
}
