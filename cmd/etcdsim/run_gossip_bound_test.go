package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestRunGossipBoundsAreUsageErrors: out-of-bounds gossip flags exit 2 at
// once, naming the flag and the limit, instead of running forever or
// exhausting memory.
func TestRunGossipBoundsAreUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--duration", "1000h"},
			"--duration 1000h0m0s: gossip: duration out of range: 1000h0m0s, " +
				"want more than 0s and at most 1h0m0s"},
		{[]string{"--duration", "-1s"}, "--duration -1s: gossip: duration out of range"},
		{[]string{"--members", "1"},
			"--members 1: gossip: node count out of range: 1 nodes, want 2 to 256"},
		{[]string{"--members", "1000000"}, "--members 1000000: gossip: node count out of range"},
		{[]string{"--members", "256", "--duration", "1h"},
			"--duration 1h0m0s: gossip: run too long: 256 nodes for 1h0m0s could take"},
	} {
		start := time.Now()
		code, out := runCLI(t, append([]string{"run", "--scenario", "gossip"}, tc.args...)...)
		require.Equal(t, exitUsage, code, "%v: %s", tc.args, out)
		require.Contains(t, out, tc.says, "%v", tc.args)
		require.Less(t, time.Since(start), time.Second, "%v", tc.args)
	}
}
