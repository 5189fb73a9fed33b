package main

import (
	"bytes"
	"encoding/json"
	"fmt"
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

func decodeRun(t *testing.T, out string) map[string]any {
	t.Helper()
	var rep map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	return rep
}

func TestRunJSONHasContractFieldsAndReplays(t *testing.T) {
	for _, scenario := range []string{"raft", "gossip"} {
		args := []string{"run", "--scenario", scenario, "--seed", "3", "--json", "--duration", "3s"}
		code, out := runCLI(t, args...)
		require.Equal(t, exitOK, code, out)
		first := decodeRun(t, out)
		for _, field := range []string{"seed", "trace_hash", "events", "sim_seconds", "wall_seconds"} {
			require.Contains(t, first, field, scenario)
		}
		require.EqualValues(t, 3, first["seed"])
		require.Len(t, first["trace_hash"], 16)

		_, again := runCLI(t, args...)
		second := decodeRun(t, again)
		require.Equal(t, first["trace_hash"], second["trace_hash"], "%s: the same seed must replay", scenario)
		require.Equal(t, first["events"], second["events"])

		args[4] = "4"
		_, other := runCLI(t, args...)
		require.NotEqual(t, first["trace_hash"], decodeRun(t, other)["trace_hash"], scenario)
	}
}

func TestRunRaftReportsVerdict(t *testing.T) {
	code, out := runCLI(t, "run", "--seed", "2", "--json")
	require.Equal(t, exitOK, code, out)
	rep := decodeRun(t, out)
	require.Equal(t, "raft", rep["scenario"])
	require.Equal(t, "linearizable", rep["verdict"])
	require.Greater(t, rep["ops"], 500.0)
	require.Equal(t, "etcdsim run --seed 2", rep["replay"])
}

// TestRunCatchesPlantedBug checks the CLI end to end: the replay line the
// sweeps print reproduces the violation and exits 1.
func TestRunCatchesPlantedBug(t *testing.T) {
	code, out := runCLI(t, "run", "--bug", "apply-uncommitted", "--seed", "1", "--json")
	require.Equal(t, exitFailed, code, out)
	rep := decodeRun(t, out)
	require.Contains(t, rep["violation"], "state machine safety")
	require.Equal(t, []any{"apply-uncommitted"}, rep["bugs"])
	require.Equal(t, "etcdsim run --seed 1 --bug apply-uncommitted", rep["replay"])
	require.Equal(t, []any{"apply-uncommitted: 3 members, 5 clients at 250 requests/s"}, rep["setup"],
		"apply-uncommitted's sweep changes only the cluster's size and load")

	// figure8-commit's setup turns off the leader's no-op: the report must
	// say so, and its sweep's first seed must still be caught here.
	code, out = runCLI(t, "run", "--bug", "figure8-commit", "--seed", "16", "--json")
	require.Equal(t, exitFailed, code, out)
	rep = decodeRun(t, out)
	require.Contains(t, rep["violation"], "leader completeness")
	require.Equal(t, []any{"figure8-commit: 3 members, 5 clients at 250 requests/s, " +
		"no leader no-op entry, 10ms ticks"}, rep["setup"])
	require.Equal(t, map[string]any{"flap": rep["faults"].(map[string]any)["flap"]}, rep["faults"])
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct{ flag, value, says string }{
		{"--members", "0", "--members/--clients"},
		{"--duration", "-1s", "--duration -1s must be positive"},
		{"--seed", "x", `invalid argument "x" for "--seed"`},
		{"--bug", "nope", `--bug: raftimpl: unknown bug "nope" (valid: figure8-commit`},
		{"--faults", "partition,flood", `--faults: unknown fault "flood"`},
		{"--scenario", "paxos", `--scenario "paxos": want raft or gossip`},
		{"--reads", "fast", `--reads "fast": want safe, lease or lease-bounded`},
		{"--faults", "partition,none", "none cannot be combined with other faults"},
		{"--faults", "partition,,crash", "empty fault name"},
		{"--settle", "-1s", "--settle -1s must not be negative"},
		{"--settle", "1000h", "more than 24h0m0s of simulated time"},
		{"--settle", "9223372036854775807ns", "more than 24h0m0s of simulated time"},
		{"--budget", "10s", `invalid argument "10s" for "--budget"`},
		{"--budget", "0", "want a positive number of model steps"},
	} {
		code, out := runCLI(t, "run", tc.flag, tc.value)
		require.Equal(t, exitUsage, code, tc.flag)
		require.Contains(t, out, tc.says, "the error names the flag")
	}
	// read-without-quorum turns CheckQuorum off, which lease reads need.
	code, out := runCLI(t, "run", "--reads", "lease", "--bug", "read-without-quorum")
	require.Equal(t, exitUsage, code, out)
	require.Contains(t, out, "lease reads need CheckQuorum")
}

func TestRunFaultsSelection(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		kinds []string // fault kinds that may appear
	}{
		{nil, []string{"partition", "crash"}},
		{[]string{"--faults", "none"}, nil},
		{[]string{"--bug", "apply-uncommitted", "--faults", "skew"}, []string{"skew"}},
		{[]string{"--bug", "read-without-quorum", "--bug", "reply-before-fsync", "--duration", "60s"},
			[]string{"partition", "crash"}},
	} {
		args := append([]string{"run", "--seed", "5", "--json"}, tc.args...)
		_, out := runCLI(t, args...)
		rep := decodeRun(t, out)
		faults, _ := rep["faults"].(map[string]any)
		if tc.kinds == nil {
			require.Empty(t, faults, "%v", tc.args)
			continue
		}
		require.NotEmpty(t, faults, "%v", tc.args)
		for kind := range faults {
			require.Contains(t, tc.kinds, kind, "%v", tc.args)
		}
	}
}

func TestRunTracePrintsRecords(t *testing.T) {
	code, out := runCLI(t, "run", "--scenario", "gossip", "--seed", "1", "--members", "2",
		"--duration", "50ms", "--trace")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "0s n1 start\n")
	require.Contains(t, out, "deliver <-n")
	require.Contains(t, out, "trace hash ")
}

// A report file that cannot be written is a usage error found before the
// run: no verdict is printed, so none is hidden behind the error.
func TestRunUnwritableHTMLFailsBeforeTheRun(t *testing.T) {
	code, out := runCLI(t, "run", "--bug", "read-without-quorum", "--seed", "3",
		"--html", "/nonexistent/x.html")
	require.Equal(t, exitUsage, code, out)
	require.Contains(t, out, "--html /nonexistent/x.html")
	require.NotContains(t, out, "history:")
}

// The verdict comes first; the report is written after it.
func TestRunWritesHTMLAfterTheVerdict(t *testing.T) {
	path := t.TempDir() + "/run.html"
	code, out := runCLI(t, "run", "--seed", "2", "--duration", "2s", "--html", path)
	require.Equal(t, exitOK, code, out)
	require.Contains(t, out, "verdict: linearizable")
	require.FileExists(t, path)
}

// The check's budget counts model steps: the same seed and budget give
// the same verdict and steps, and a budget too small is unknown (exit 3).
func TestRunBudgetIsDeterministic(t *testing.T) {
	code, out := runCLI(t, "run", "--seed", "4", "--duration", "3s", "--json")
	require.Equal(t, exitOK, code, out)
	rep := decodeRun(t, out)
	steps := rep["check_steps"].(float64)
	require.Positive(t, steps)
	require.EqualValues(t, 20_000_000, rep["check_budget"])

	budget := fmt.Sprint(int64(steps) - 1)
	for range 2 {
		code, out = runCLI(t, "run", "--seed", "4", "--duration", "3s", "--json", "--budget", budget)
		require.Equal(t, exitUnknown, code, out)
		rep = decodeRun(t, out)
		require.Equal(t, "unknown", rep["verdict"])
		require.Contains(t, rep["replay"], "--budget "+budget)
	}
}

// A planted bug that floods the network is a liveness failure, not a
// safety violation: exit 1, its own verdict, its own label.
func TestRunNamesAMessageStorm(t *testing.T) {
	code, out := runCLI(t, "run", "--bug", "truncate-on-stale-append", "--seed", "5")
	require.Equal(t, exitFailed, code, out)
	require.Contains(t, out, "LIVENESS FAILURE: ")
	require.Contains(t, out, "message storm")
	require.Contains(t, out, "verdict: liveness-failure")
}

// With --nemesis none every request completes and none is indeterminate;
// the Kubernetes profile runs and is checked; bad values of the new flags
// name the flag and exit 2.
func TestRunProfilesAndNemesisNone(t *testing.T) {
	code, out := runCLI(t, "run", "--nemesis", "none", "--seed", "1", "--json")
	require.Equal(t, 0, code, out)
	rep := decodeRun(t, out)
	require.Equal(t, "linearizable", rep["verdict"])
	require.Equal(t, 0.0, rep["ops_unknown"])
	require.Equal(t, 0.0, rep["ops_failed"])
	require.Greater(t, rep["ops_per_second"], 600.0, "about 1,000 requests a second were asked")
	require.Equal(t, "ok", rep["checks"].(map[string]any)["acked_writes"])
	require.Equal(t, "etcdsim run --seed 1 --nemesis none", rep["replay"])

	code, out = runCLI(t, "run", "--profile", "kubernetes", "--seed", "2", "--json")
	require.Equal(t, 0, code, out)
	require.Equal(t, "linearizable", decodeRun(t, out)["verdict"])

	for _, args := range [][]string{{"--profile", "k8s"}, {"--nemesis", "sometimes"},
		{"--etcd-version", "3.5"}, {"--nemesis", "none", "--faults", "crash"},
		{"--backend", "rocksdb"}, {"--max-request-bytes", "0"}, {"--quota-backend-bytes", "-1"}} {
		code, out = runCLI(t, append([]string{"run"}, args...)...)
		require.Equal(t, exitUsage, code, out)
		require.Contains(t, out, args[0], "the error names the flag")
	}
}
