package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// runCLI runs the command line in-process and returns its status and output.
func runCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := execute(args, &out, &out)
	return code, out.String()
}

func TestRunJSONHasContractFieldsAndReplays(t *testing.T) {
	code, out := runCLI(t, "run", "--seed", "3", "--json")
	require.Equal(t, exitOK, code, out)
	var first map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &first))
	for _, field := range []string{"seed", "trace_hash", "events", "sim_seconds", "wall_seconds"} {
		require.Contains(t, first, field)
	}
	require.EqualValues(t, 3, first["seed"])
	require.Len(t, first["trace_hash"], 16)
	require.EqualValues(t, 10, first["sim_seconds"])

	_, again := runCLI(t, "run", "--seed", "3", "--json")
	var second map[string]any
	require.NoError(t, json.Unmarshal([]byte(again), &second))
	require.Equal(t, first["trace_hash"], second["trace_hash"], "the same seed must replay")
	require.Equal(t, first["events"], second["events"])

	_, other := runCLI(t, "run", "--seed", "4", "--json")
	var third map[string]any
	require.NoError(t, json.Unmarshal([]byte(other), &third))
	require.NotEqual(t, first["trace_hash"], third["trace_hash"])
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct{ flag, value, says string }{
		{"--nodes", "1", "--nodes 1: need at least 2"},
		{"--duration", "-1s", "--duration -1s: must be positive"},
		{"--seed", "x", `invalid argument "x" for "--seed"`},
	} {
		code, out := runCLI(t, "run", tc.flag, tc.value)
		require.Equal(t, exitUsage, code, tc.flag)
		require.Contains(t, out, tc.says, "the error names the flag")
	}
}

func TestRunTracePrintsRecords(t *testing.T) {
	code, out := runCLI(t, "run", "--seed", "1", "--nodes", "2", "--duration", "50ms", "--trace")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "0s n1 start\n")
	require.Contains(t, out, "deliver <-n")
	require.Contains(t, out, "trace hash ")
}
