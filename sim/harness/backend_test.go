package harness_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/nemesis"
	"etcdsim/sim/cluster"
	"etcdsim/sim/harness"
)

// With the bbolt backend each member's store is a file that outlives its
// crashes: a restarted member reopens it (losing only the batch not yet
// committed) and replays the log from the store's consistent index. Runs
// under crashes and partitions stay linearizable, the members' HashKV
// agree at the end, and the same seed replays the same run.
func TestBoltBackendSurvivesCrashes(t *testing.T) {
	f := nemesis.DefaultConfig(nemesis.Mix{Crash: true, Partition: true})
	for seed := uint64(1); seed <= 3; seed++ {
		rc := harness.DefaultRun()
		rc.Faults, rc.Cluster.Backend = &f, cluster.BackendBolt
		rc.Cluster.Members, rc.Cluster.Clients, rc.Cluster.Workload.Rate = 3, 5, 500
		a, err := harness.Run(seed, rc)
		require.NoError(t, err)
		t.Logf("seed %d: %v %v", seed, a, a.Faults)
		require.False(t, a.Failed(), "replay: go run ./cmd/etcdsim run --backend bbolt --faults crash,partition --members 3 --clients 5 --rate 500 --seed %d", seed)
		require.True(t, a.HashKVChecked)
		require.Positive(t, a.Faults["crash"])
		b, err := harness.Run(seed, rc)
		require.NoError(t, err)
		require.Equal(t, a.TraceHash, b.TraceHash, "seed %d diverged on replay", seed)
	}
}

// The same seed gives the same history on either backend: the backend is
// where the store lives, not what it answers.
func TestBackendsAnswerAlike(t *testing.T) {
	rc := harness.DefaultRun()
	rc.Duration = 5 * time.Second
	mem, err := harness.Run(7, rc)
	require.NoError(t, err)
	rc.Cluster.Backend = cluster.BackendBolt
	bolt, err := harness.Run(7, rc)
	require.NoError(t, err)
	require.Equal(t, mem.History.Ops, bolt.History.Ops)
	require.Equal(t, mem.TraceHash, bolt.TraceHash)
}
