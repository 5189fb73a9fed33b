package harness_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/nemesis"
	"etcdsim/raftimpl"
	"etcdsim/sim/harness"
)

// partitionRun is a run with the given read mode under partitions alone
// (every clock exact), with five clients at 250 requests per simulated
// second: a stale read shows as well as with the default load, at a
// quarter of the cost.
func partitionRun(mode raftimpl.ReadOnlyOption, members int) harness.RunConfig {
	rc := harness.DefaultRun()
	f := nemesis.DefaultConfig(nemesis.Mix{Partition: true})
	rc.Faults = &f
	rc.Cluster.ReadOnly, rc.Cluster.Members = mode, members
	rc.Cluster.Clients, rc.Cluster.Workload.Rate = 5, 250
	return rc
}

// etcd-raft's lease rests on CheckQuorum: a leader cut off from its quorum
// steps down only at the first quorum check that finds no quorum, up to
// two election timeouts after it last heard from one, while the others
// elect a new leader one election timeout after they last heard from it.
// In between it serves stale reads, with every clock exact
// (etcd-io/raft#166). The sweep finds such a seed; the thesis' lease
// (lease-bounded) and ReadIndex stay linearizable on the same seeds.
func TestEtcdLeaseReadsAreStaleWithExactClocks(t *testing.T) {
	const seedsMax = 60
	caught := uint64(0)
	for seed := uint64(1); seed <= seedsMax && caught == 0; seed++ {
		out, err := harness.Run(seed, partitionRun(raftimpl.ReadOnlyLeaseBased, 3))
		require.NoError(t, err)
		require.NoError(t, out.Violation, "lease reads break linearizability, not Raft's safety")
		if out.Unsafe() {
			caught = seed
			t.Logf("stale lease read: %v", out)
			t.Logf("replay: go run ./cmd/etcdsim run --reads lease --faults partition --members 3 --clients 5 --rate 250 --seed %d", seed)
			require.Equal(t, linearizability.AnomalyStaleRead, out.Check.Explanation.Anomaly)
		}
	}
	require.NotZero(t, caught, "no stale lease read in %d seeds", seedsMax)
	for seed := uint64(1); seed <= caught; seed++ {
		for _, mode := range []raftimpl.ReadOnlyOption{raftimpl.ReadOnlyLeaseBounded, raftimpl.ReadOnlySafe} {
			out, err := harness.Run(seed, partitionRun(mode, 3))
			require.NoError(t, err)
			require.False(t, out.Failed(), "--reads %v --seed %d: %v", mode, seed, out)
		}
	}
}

// The thesis' lease holds with exact clocks over a sweep of 3 and 5
// members under partitions.
func TestBoundedLeaseReadsHoldWithExactClocks(t *testing.T) {
	for _, members := range []int{3, 5} {
		for seed := uint64(1); seed <= 25; seed++ {
			out, err := harness.Run(seed, partitionRun(raftimpl.ReadOnlyLeaseBounded, members))
			require.NoError(t, err)
			require.False(t, out.Failed(),
				"replay: go run ./cmd/etcdsim run --reads lease-bounded --faults partition --members %d --clients 5 --rate 250 --seed %d: %v",
				members, seed, out)
		}
	}
}
