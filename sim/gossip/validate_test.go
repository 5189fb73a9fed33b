package gossip_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/sim"
	"etcdsim/sim/gossip"
)

func TestValidateBounds(t *testing.T) {
	with := func(nodes int, d time.Duration) gossip.Config {
		c := gossip.DefaultConfig()
		c.Nodes, c.Duration, c.IncrementsStop = nodes, d, d*8/10
		return c
	}
	tests := []struct {
		name string
		cfg  gossip.Config
		want error
		says string
	}{
		{"default", gossip.DefaultConfig(), nil, ""},
		{"fewest nodes", with(gossip.NodesMin, time.Second), nil, ""},
		{"most nodes", with(gossip.NodesMax, 10*time.Second), nil, ""},
		{"longest", with(2, gossip.DurationMax), nil, ""},
		{"one node", with(1, time.Second), gossip.ErrNodes, "1 nodes, want 2 to 256"},
		{"too many nodes", with(1_000_000, time.Second), gossip.ErrNodes, "want 2 to 256"},
		{"zero duration", with(3, 0), gossip.ErrDuration, "want more than 0s"},
		{"1000h", with(3, 1000*time.Hour), gossip.ErrDuration, "at most 1h0m0s"},
		{"just over", with(2, gossip.DurationMax+1), gossip.ErrDuration, "at most 1h0m0s"},
		{"stop after end", func() gossip.Config {
			c := with(3, time.Second)
			c.IncrementsStop = 2 * time.Second
			return c
		}(), gossip.ErrDuration, "increments stop at 2s"},
		{"zero period", func() gossip.Config {
			c := with(3, time.Second)
			c.Period = 0
			return c
		}(), gossip.ErrPeriod, "want more than 0s"},
		{"many nodes for long", with(gossip.NodesMax, gossip.DurationMax), gossip.ErrRunTooLong,
			"256 nodes for 1h0m0s could take 276481288 events, over the limit of 20000000"},
		{"tiny period", func() gossip.Config {
			c := with(2, time.Second)
			c.Period = time.Nanosecond
			return c
		}(), gossip.ErrRunTooLong, "over the limit of 20000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorContains(t, err, tt.says)
		})
	}
}

// TestRunRejectsBeforeRunning: a run that would take forever (1000 hours
// of 10ms gossip) is an error at once, not a hang.
func TestRunRejectsBeforeRunning(t *testing.T) {
	cfg := gossip.DefaultConfig()
	cfg.Duration = 1000 * time.Hour
	_, err := gossip.Run(1, cfg, sim.Options{}, nil)
	require.ErrorIs(t, err, gossip.ErrDuration)

	cfg = gossip.DefaultConfig()
	cfg.Nodes = 1 << 30 // a vector of a billion counters per node
	_, err = gossip.Run(1, cfg, sim.Options{}, nil)
	require.ErrorIs(t, err, gossip.ErrNodes)
}
