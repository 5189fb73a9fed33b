package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/sim"
)

// playChecked plays seed on cfg without faults for a default run's times
// (10 s with clients, then 5 s to settle) and checks its history, as
// harness.Run does for a run without a nemesis. The harness sits above the
// cluster, so the tests that plant the cluster's own defects (unexported
// Config fields) play their runs here.
func playChecked(t *testing.T, seed uint64, cfg Config) (*Cluster, *linearizability.Result) {
	t.Helper()
	w := sim.New(seed, sim.Options{})
	c, err := New(w, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })
	require.NoError(t, w.RunFor(10*time.Second))
	c.StopClients()
	require.NoError(t, w.RunFor(5*time.Second))
	require.NoError(t, c.Violation(), "seed %d", seed)
	c.DropUnseenRevokes()
	res, err := linearizability.Check(c.History(), linearizability.Options{})
	require.NoError(t, err)
	return c, res
}
