package harness

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/nemesis"
	"etcdsim/raftimpl"
)

// The storm bound is twenty times expectedEventRate: healthy runs under
// every fault kind must stay below the estimate itself, so that no busy
// or long run is ever taken for a storm.
func TestPeakEventRateStaysBelowTheEstimate(t *testing.T) {
	all := nemesis.Mix{Partition: true, Crash: true, Reorder: true, Duplicate: true, Drop: true,
		Skew: true, Churn: true, Flap: true}
	for _, members := range []int{1, 3, 5} {
		for _, clients := range []int{0, 5, 20} {
			t.Run(fmt.Sprintf("%d members %d clients", members, clients), func(t *testing.T) {
				for seed := uint64(1); seed <= 3; seed++ {
					rc := DefaultRun()
					faults := nemesis.DefaultConfig(all)
					rc.Faults, rc.Duration, rc.Settle = &faults, 5*time.Second, time.Second
					rc.Cluster.Members, rc.Cluster.Clients = members, clients
					rc.CheckBudget = 1 // the history is not what this test is about
					o, err := Run(seed, rc)
					require.NoError(t, err)
					require.NoError(t, o.Storm, "seed %d", seed)
					require.LessOrEqual(t, o.PeakEventRate, expectedEventRate(rc.Cluster), "seed %d", seed)
				}
			})
		}
	}
}

// A planted bug that makes members exchange messages without end is a
// liveness failure, named as such, not a safety violation.
func TestMessageStormIsALivenessFailure(t *testing.T) {
	rc := DefaultRun()
	rc.Cluster.Bugs = rc.Cluster.Bugs.With(raftimpl.BugTruncateOnStaleAppend)
	mix, _ := BugSetup(raftimpl.BugTruncateOnStaleAppend, &rc.Cluster)
	faults := nemesis.DefaultConfig(mix)
	rc.Faults = &faults
	o, err := Run(5, rc)
	require.NoError(t, err)
	t.Logf("replay: etcdsim run --bug truncate-on-stale-append --seed 5: %v", o)
	require.True(t, errors.Is(o.Storm, ErrMessageStorm), "%v", o)
	require.Nil(t, o.Violation)
	require.True(t, o.Failed())
	require.False(t, o.Unsafe())
	require.Equal(t, "liveness-failure", o.VerdictName())
	require.False(t, o.Checked, "a stormed run's history is not checked")
}
