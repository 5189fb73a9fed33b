package cluster

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The lock check can fail: with the planted skipWaitDeletes, lockers take
// the mutex without waiting for the holder's key to go, and the run
// reports holders that overlap while both leases live.
func TestLockCheckCatchesSkippedWait(t *testing.T) {
	const seed = 1
	rc := DefaultRun()
	rc.Cluster.skipWaitDeletes = true
	out, err := Run(seed, rc)
	require.NoError(t, err)
	t.Logf("seed %d with skipWaitDeletes planted: %v", seed, out)
	require.True(t, out.LocksChecked, "seed %d", seed)
	require.Equal(t, LocksViolated, out.LocksVerdict(), "seed %d", seed)
	require.Equal(t, VerdictLockViolation, out.VerdictName(), "seed %d", seed)
	require.True(t, out.Failed(), "seed %d", seed)
	require.Equal(t, LockOverlap, out.LockViolations[0].Kind, "seed %d", seed)

	rc.Cluster.skipWaitDeletes = false
	out, err = Run(seed, rc)
	require.NoError(t, err)
	require.Equal(t, LocksOK, out.LocksVerdict(), "seed %d without the bug", seed)
}
