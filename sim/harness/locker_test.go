package harness_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/nemesis"
	"etcdsim/sim/cluster"
	"etcdsim/sim/harness"
)

// The default run's lockers take their mutex in turn, with and without
// partitions and crashes: the lock check passes, and holders that kept
// their session held one after the other, each with a higher fencing
// token than every one before (a session that took its own key again
// keeps its token).
func TestLockersHoldInTurn(t *testing.T) {
	faults := nemesis.DefaultConfig(nemesis.Mix{Partition: true, Crash: true})
	for _, tc := range []struct {
		name   string
		faults *nemesis.Config
	}{{"no faults", nil}, {"partition,crash", &faults}} {
		for seed := uint64(1); seed <= 10; seed++ {
			rc := harness.DefaultRun()
			rc.Faults = tc.faults
			out, err := harness.Run(seed, rc)
			require.NoError(t, err)
			replay := fmt.Sprintf("seed %d, faults %s", seed, tc.name)
			t.Logf("%s: %d holdings, %d overlaps (%d fenced), locks %s", replay,
				len(out.LockHolds), out.LockOverlaps, out.LockFenced, out.LocksVerdict())
			require.False(t, out.Failed(), "%s: %v", replay, out)
			require.True(t, out.LocksChecked, replay)
			require.Equal(t, harness.LocksOK, out.LocksVerdict(), replay)
			require.GreaterOrEqual(t, len(out.LockHolds), 5, replay)
			requireTurns(t, out.LockHolds, replay)
		}
	}
}

// requireTurns requires the holdings that did not lose their session to
// follow one another with rising tokens.
func requireTurns(t *testing.T, holds []cluster.LockHold, replay string) {
	t.Helper()
	hs := append([]cluster.LockHold(nil), holds...)
	sort.Slice(hs, func(i, j int) bool { return hs[i].Acquired < hs[j].Acquired })
	var prev *cluster.LockHold
	for i := range hs {
		h := &hs[i]
		if h.Lost {
			continue
		}
		if prev != nil {
			require.LessOrEqual(t, prev.Released, h.Acquired, "%s: %+v overlaps %+v", replay,
				*prev, *h)
			if h.Key != prev.Key || h.Revision != prev.Revision {
				require.Greater(t, h.Revision, prev.Revision, "%s: %+v after %+v", replay,
					*h, *prev)
			}
		}
		prev = h
	}
}
