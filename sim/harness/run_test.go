package harness_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/nemesis"
	"etcdsim/sim/cluster"
	"etcdsim/sim/harness"
)

func TestFaultyRunsStayLinearizable(t *testing.T) {
	mix := nemesis.Mix{Partition: true, Crash: true, Reorder: true, Duplicate: true, Drop: true, Skew: true}
	faults := nemesis.DefaultConfig(mix)
	for seed := uint64(1); seed <= 10; seed++ {
		out, err := harness.Run(seed, harness.RunConfig{Cluster: cluster.DefaultConfig(), Faults: &faults,
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
	rc := harness.DefaultRun()
	rc.Faults = &faults
	for seed := uint64(1); seed <= 3; seed++ {
		a, err := harness.Run(seed, rc)
		require.NoError(t, err)
		b, err := harness.Run(seed, rc)
		require.NoError(t, err)
		require.Equal(t, a.TraceHash, b.TraceHash, "seed %d diverged on replay", seed)
		require.Equal(t, a.Events, b.Events)
		require.Equal(t, a.History, b.History)
	}
}

// Serializable ranges are served by any member from its own store: a
// member cut off from the leader keeps answering from a state the others
// have moved past, and the checker shows the stale read. The same seeds
// with linearizable ranges stay linearizable.
func TestSerializableReadsAreStaleAndTheCheckerShowsIt(t *testing.T) {
	const seedsMax = 20
	run := func(serializable int) harness.RunConfig {
		rc := harness.DefaultRun()
		f := nemesis.DefaultConfig(nemesis.Mix{Partition: true})
		rc.Faults = &f
		rc.Cluster.Workload.SerializablePct = serializable
		return rc
	}
	caught := uint64(0)
	for seed := uint64(1); seed <= seedsMax && caught == 0; seed++ {
		out, err := harness.Run(seed, run(100))
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
		out, err := harness.Run(seed, run(0))
		require.NoError(t, err)
		require.False(t, out.Failed(), "seed %d with linearizable reads: %v", seed, out)
	}
}

// Runs under every network and node fault keep their watchers' deliveries
// true to the linearized writes, and replay from the seed: same trace
// hash, same history, watches included.
func TestFaultyRunsKeepWatchesAndReplay(t *testing.T) {
	mix := nemesis.Mix{Partition: true, Crash: true, Reorder: true, Duplicate: true, Drop: true,
		Skew: true}
	faults := nemesis.DefaultConfig(mix)
	rc := harness.DefaultRun()
	rc.Faults = &faults
	for seed := uint64(1); seed <= 10; seed++ {
		a, err := harness.Run(seed, rc)
		require.NoError(t, err)
		t.Logf("%v, %d watch events", a, a.WatchEvents)
		require.False(t, a.Failed(), "replay: etcdsim run --seed %d --faults "+
			"partition,crash,reorder,duplicate,drop,skew: %v", seed, a)
		require.True(t, a.WatchChecked, "seed %d: watches checked", seed)
		require.Positive(t, a.WatchEvents, "seed %d", seed)
		b, err := harness.Run(seed, rc)
		require.NoError(t, err)
		require.Equal(t, a.TraceHash, b.TraceHash, "seed %d diverged on replay", seed)
		require.Equal(t, a.History, b.History, "seed %d", seed)
	}
}
