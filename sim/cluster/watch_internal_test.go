package cluster

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
)

// The watch check can fail: with the planted dropWatchEvent each member
// loses one response of events on its way to a watcher, and the check
// names the missing events, while the operations stay linearizable. The
// same seed without the bug passes.
func TestWatchCheckCatchesADroppedEvent(t *testing.T) {
	const seed = 1
	cfg := DefaultConfig()
	cfg.dropWatchEvent = true
	c, res := playChecked(t, seed, cfg)
	t.Logf("with a dropped event: %d watch violations", len(res.WatchViolations))
	require.NotEmpty(t, c.History().Watches)
	require.Equal(t, linearizability.Linearizable, res.Verdict)
	require.NotEmpty(t, res.WatchViolations, "seed %d: the dropped event went unnoticed", seed)
	kinds := map[string]bool{}
	for _, v := range res.WatchViolations {
		kinds[v.Kind] = true
	}
	require.True(t, kinds["missing-event"] || kinds["progress-ahead"], "%v", res.WatchViolations)

	cfg.dropWatchEvent = false
	_, res = playChecked(t, seed, cfg)
	require.Equal(t, linearizability.Linearizable, res.Verdict)
	require.Empty(t, res.WatchViolations)
}
