package harness_test

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/raftimpl"
	"etcdsim/sim/harness"
)

// sweepSeeds bounds how many seeds a planted-bug sweep may try before it
// declares the bug missed. -sweep.seeds raises it for deeper hunts.
var sweepSeeds = flag.Int("sweep.seeds", 40, "seeds each planted-bug sweep may try")

// TestPlantedBugsAreCaught sweeps seeds 1, 2, ... with each planted bug and
// its default fault mix until the invariant observer or the linearizability
// checker catches it, prints the seed, then replays every seed of the sweep
// with the bug off and requires them all to pass.
func TestPlantedBugsAreCaught(t *testing.T) {
	for _, bug := range raftimpl.AllBugs() {
		t.Run(bug.String(), func(t *testing.T) {
			t.Parallel()
			caught := uint64(0)
			for seed := uint64(1); seed <= uint64(*sweepSeeds); seed++ {
				out, err := harness.Run(seed, harness.BugRun(bug, true))
				require.NoError(t, err)
				if out.Unsafe() {
					caught = seed
					t.Logf("%s caught: %v", bug, out)
					t.Logf("replay: go run ./cmd/etcdsim run --bug %s --seed %d", bug, seed)
					break
				}
			}
			require.NotZero(t, caught, "%s not caught in %d seeds", bug, *sweepSeeds)
			for seed := uint64(1); seed <= caught; seed++ {
				out, err := harness.Run(seed, harness.BugRun(bug, false))
				require.NoError(t, err)
				require.False(t, out.Failed(), "without %s, %v", bug, out)
				require.Equal(t, linearizability.Linearizable, out.Verdict,
					"without %s, seed %d must check linearizable, not %s", bug, seed, out.VerdictName())
			}
		})
	}
}
