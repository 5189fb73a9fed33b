package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The default run's watchers are checked: the JSON counts their events
// and names the watch check's verdict.
func TestRunReportsWatches(t *testing.T) {
	code, out := runCLI(t, "run", "--seed", "2", "--json", "--duration", "3s")
	require.Equal(t, exitOK, code, out)
	rep := decodeRun(t, out)
	require.Positive(t, rep["watch_events"])
	checks := rep["checks"].(map[string]any)
	require.Equal(t, "ok", checks["watch"])

	code, out = runCLI(t, "run", "--seed", "2", "--duration", "3s")
	require.Equal(t, exitOK, code, out)
	require.Contains(t, out, "watch ok")
	require.Contains(t, out, "events delivered")
}
