package cluster_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/nemesis"
	"etcdsim/raftimpl"
	"etcdsim/sim/cluster"
)

// leaseReadRun is a default run with the given read mode under partitions
// and clock skew, the faults that break lease reads (thesis §6.4.1).
func leaseReadRun(mode raftimpl.ReadOnlyOption) cluster.RunConfig {
	rc := cluster.DefaultRun()
	f := nemesis.DefaultConfig(nemesis.Mix{Partition: true, Skew: true})
	rc.Faults = &f
	rc.Cluster.ReadOnly = mode
	return rc
}

// TestClockSkewBreaksLeaseReads shows why etcd defaults to ReadIndex: a
// leader whose clock runs slow believes its lease outlives an election on
// the other side of a partition and serves stale reads. The sweep finds
// such a seed; the same seeds with ReadIndex reads stay linearizable.
func TestClockSkewBreaksLeaseReads(t *testing.T) {
	const seedsMax = 60
	caught := uint64(0)
	for seed := uint64(1); seed <= seedsMax && caught == 0; seed++ {
		out, err := cluster.Run(seed, leaseReadRun(raftimpl.ReadOnlyLeaseBased))
		require.NoError(t, err)
		require.NoError(t, out.Violation, "lease reads break linearizability, not Raft's safety")
		if out.Unsafe() {
			caught = seed
			t.Logf("lease reads broken: %v", out)
			t.Logf("replay: go run ./cmd/etcdsim run --reads lease --faults partition,skew --seed %d", seed)
		}
	}
	require.NotZero(t, caught, "no stale lease read in %d seeds", seedsMax)
	for seed := uint64(1); seed <= caught; seed++ {
		out, err := cluster.Run(seed, leaseReadRun(raftimpl.ReadOnlySafe))
		require.NoError(t, err)
		require.Equal(t, linearizability.Linearizable, out.Verdict, "ReadIndex reads, %v", out)
	}
}
