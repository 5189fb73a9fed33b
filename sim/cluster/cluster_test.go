package cluster_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

func newCluster(t *testing.T, seed uint64, cfg cluster.Config) (*sim.World, *cluster.Cluster) {
	t.Helper()
	w := sim.New(seed, sim.Options{Paranoid: true})
	c, err := cluster.New(w, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })
	return w, c
}

func checkLinearizable(t *testing.T, c *cluster.Cluster) *linearizability.Result {
	t.Helper()
	res, err := linearizability.Check(c.History(), linearizability.Options{})
	require.NoError(t, err)
	return res
}

func TestHealthyClusterElectsAndServes(t *testing.T) {
	w, c := newCluster(t, 1, cluster.DefaultConfig())
	require.NoError(t, w.RunFor(10*time.Second))
	require.NoError(t, c.Violation())
	leader, ok := c.Leader()
	require.True(t, ok, "a healthy cluster has a leader")
	t.Logf("leader %s, %d ops, %d entries applied, %d events", leader, len(c.History().Ops), c.Applied(), w.Events())
	require.Greater(t, len(c.History().Ops), 500)
	res := checkLinearizable(t, c)
	require.Equal(t, linearizability.Linearizable, res.Verdict)
}

// A client that gives a write up after refusals records it as
// indeterminate: each refusal answers one attempt, and a copy of an
// earlier one that the network delayed or duplicated may still apply.
// Here every member is cut off from the others, so no leader remains and
// each attempt is refused at once.
func TestWriteGivenUpAfterRefusalsIsIndeterminate(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Clients = 1
	cfg.Workload = cluster.Workload{Keys: 1, PutPct: 100, Rate: 1000}
	w, c := newCluster(t, 1, cfg)
	require.NoError(t, w.RunFor(3*time.Second))
	_, ok := c.Leader()
	require.True(t, ok)
	for _, id := range c.Members() {
		for _, other := range c.Members() {
			if id != other {
				require.NoError(t, w.Network().Block(id, other))
			}
		}
	}
	before := len(c.History().Ops)
	require.NoError(t, w.RunFor(5*time.Second))
	_, ok = c.Leader()
	require.False(t, ok, "CheckQuorum deposes the cut-off leader")
	var unknown int
	for _, op := range c.History().Ops[before:] {
		require.True(t, op.Unknown, "no write can succeed without a leader: %v", op)
		unknown++
	}
	t.Logf("%d writes given up", unknown)
	// Each is refused and retried every 25ms until its 1s deadline.
	require.GreaterOrEqual(t, unknown, 3, "the writes given up are recorded")
}
