package cluster

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
)

// The lock check can fail: with the planted skipWaitDeletes, lockers take
// the mutex without waiting for the holder's key to go, and the check
// reports holders that overlap while both leases live.
func TestLockCheckCatchesSkippedWait(t *testing.T) {
	const seed = 1
	cfg := DefaultConfig()
	cfg.skipWaitDeletes = true
	c, res := playChecked(t, seed, cfg)
	require.Equal(t, linearizability.Linearizable, res.Verdict, "seed %d", seed)
	lc := CheckLocks(c.History(), c.LockHolds())
	t.Logf("seed %d with skipWaitDeletes planted: %d holds, %d violations", seed, lc.Holds,
		len(lc.Violations))
	require.NotEmpty(t, lc.Violations, "seed %d", seed)
	require.Equal(t, LockOverlap, lc.Violations[0].Kind, "seed %d", seed)

	cfg.skipWaitDeletes = false
	c, res = playChecked(t, seed, cfg)
	require.Equal(t, linearizability.Linearizable, res.Verdict, "seed %d without the bug", seed)
	require.Empty(t, CheckLocks(c.History(), c.LockHolds()).Violations, "seed %d without the bug", seed)
}
