package gossip

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/sim"
)

// TestRunEventsBoundsRuns: the estimate Validate checks is an upper bound
// on the events real runs take, fault schedule and fast clock included.
func TestRunEventsBoundsRuns(t *testing.T) {
	for _, nodes := range []int{NodesMin, 3, 5, 16} {
		for _, d := range []time.Duration{50 * time.Millisecond, time.Second, 5 * time.Second} {
			for seed := uint64(1); seed <= 3; seed++ {
				cfg := DefaultConfig()
				cfg.Nodes, cfg.Duration, cfg.IncrementsStop = nodes, d, d*8/10
				res, err := Run(seed, cfg, sim.Options{}, nil)
				require.NoError(t, err)
				require.LessOrEqual(t, res.Events, cfg.runEvents(), "%d nodes, %v, seed %d",
					nodes, d, seed)
			}
		}
	}
}

// TestRunStopsAtItsEventBound: reaching the bound stops the run with an
// error that names it.
func TestRunStopsAtItsEventBound(t *testing.T) {
	_, err := run(1, DefaultConfig(), sim.Options{}, nil, 100)
	require.ErrorIs(t, err, sim.ErrEventBound)
	require.ErrorContains(t, err, "5 nodes for 10s took more than 100 events")
}

// TestDefaultDurationFitsEveryNodeCount: the CLI checks --members against
// DefaultConfig's duration before --duration, so every valid node count
// must validate with it.
func TestDefaultDurationFitsEveryNodeCount(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = NodesMax
	require.NoError(t, cfg.Validate())
}
