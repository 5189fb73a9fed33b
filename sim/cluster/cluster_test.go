package cluster_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/nemesis"
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

func TestFaultyRunsStayLinearizable(t *testing.T) {
	mix := nemesis.Mix{Partition: true, Crash: true, Reorder: true, Duplicate: true, Drop: true, Skew: true}
	faults := nemesis.DefaultConfig(mix)
	for seed := uint64(1); seed <= 10; seed++ {
		out, err := cluster.Run(seed, cluster.RunConfig{Cluster: cluster.DefaultConfig(), Faults: &faults,
			Duration: 15 * time.Second, Settle: 5 * time.Second})
		require.NoError(t, err)
		t.Log(out, out.Faults)
		require.False(t, out.Failed(), "replay: seed %d: %v", seed, out)
	}
}

// TestRunsReplayFromTheSeed runs the busiest fault mix twice per seed and
// requires the same trace hash, event count and history.
func TestRunsReplayFromTheSeed(t *testing.T) {
	mix := nemesis.Mix{Partition: true, Crash: true, Reorder: true, Duplicate: true, Skew: true}
	faults := nemesis.DefaultConfig(mix)
	rc := cluster.DefaultRun()
	rc.Faults = &faults
	for seed := uint64(1); seed <= 3; seed++ {
		a, err := cluster.Run(seed, rc)
		require.NoError(t, err)
		b, err := cluster.Run(seed, rc)
		require.NoError(t, err)
		require.Equal(t, a.TraceHash, b.TraceHash, "seed %d diverged on replay", seed)
		require.Equal(t, a.Events, b.Events)
		require.Equal(t, a.History, b.History)
	}
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

// Serializable ranges are served by any member from its own store: a
// member cut off from the leader keeps answering from a state the others
// have moved past, and the checker shows the stale read. The same seeds
// with linearizable ranges stay linearizable.
func TestSerializableReadsAreStaleAndTheCheckerShowsIt(t *testing.T) {
	const seedsMax = 20
	run := func(serializable int) cluster.RunConfig {
		rc := cluster.DefaultRun()
		f := nemesis.DefaultConfig(nemesis.Mix{Partition: true})
		rc.Faults = &f
		rc.Cluster.Workload.SerializablePct = serializable
		return rc
	}
	caught := uint64(0)
	for seed := uint64(1); seed <= seedsMax && caught == 0; seed++ {
		out, err := cluster.Run(seed, run(100))
		require.NoError(t, err)
		require.NoError(t, out.Violation)
		if out.Unsafe() {
			caught = seed
			t.Logf("seed %d: %v", seed, out.Check)
			require.Equal(t, linearizability.AnomalyStaleRead, out.Check.Explanation.Anomaly)
		}
	}
	require.NotZero(t, caught, "no stale serializable read in %d seeds", seedsMax)
	for seed := uint64(1); seed <= caught; seed++ {
		out, err := cluster.Run(seed, run(0))
		require.NoError(t, err)
		require.False(t, out.Failed(), "seed %d with linearizable reads: %v", seed, out)
	}
}
