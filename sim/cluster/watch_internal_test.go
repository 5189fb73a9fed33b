package cluster

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The run's watch check can fail: with the planted dropWatchEvent each
// member loses one response of events on its way to a watcher, and the
// check names the missing events, while the operations stay linearizable.
// The same seed without the bug passes.
func TestWatchCheckCatchesADroppedEvent(t *testing.T) {
	const seed = 1
	rc := DefaultRun()
	rc.Faults = nil
	rc.Cluster.dropWatchEvent = true
	out, err := Run(seed, rc)
	require.NoError(t, err)
	t.Logf("with a dropped event: %v", out)
	require.True(t, out.WatchChecked)
	require.Equal(t, "linearizable", out.Verdict.String())
	require.NotEmpty(t, out.WatchViolations, "seed %d: the dropped event went unnoticed", seed)
	kinds := map[string]bool{}
	for _, v := range out.WatchViolations {
		kinds[v.Kind] = true
	}
	require.True(t, kinds["missing-event"] || kinds["progress-ahead"], "%v", out.WatchViolations)
	require.Equal(t, VerdictWatchViolation, out.VerdictName())
	require.True(t, out.Unsafe())
	require.True(t, out.Failed())

	rc.Cluster.dropWatchEvent = false
	out, err = Run(seed, rc)
	require.NoError(t, err)
	t.Logf("without: %v", out)
	require.True(t, out.WatchChecked)
	require.Empty(t, out.WatchViolations)
	require.False(t, out.Failed())
	require.Equal(t, "linearizable", out.VerdictName())
}
