package gossip_test

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/sim"
	"etcdsim/sim/gossip"
)

// childEnv makes the test binary, re-run as a child, print one hash.
const childEnv = "ETCDSIM_DETERMINISM_CHILD_SEED"

func run(t *testing.T, seed uint64) gossip.Result {
	t.Helper()
	res, err := gossip.Run(seed, gossip.DefaultConfig(), sim.Options{Paranoid: true}, nil)
	require.NoError(t, err)
	return res
}

func TestSameSeedSameHashInOneProcess(t *testing.T) {
	for _, seed := range []uint64{1, 2, 99} {
		a, b := run(t, seed), run(t, seed)
		require.Equal(t, a.TraceHash, b.TraceHash, "seed %d", seed)
		require.Equal(t, a.Events, b.Events, "seed %d", seed)
		require.True(t, a.Converged, "seed %d: gossip must converge after the heal", seed)
	}
}

func TestDifferentSeedsDifferentHashes(t *testing.T) {
	seen := map[uint64]uint64{}
	for seed := uint64(1); seed <= 20; seed++ {
		h := run(t, seed).TraceHash
		if prev, dup := seen[h]; dup {
			t.Fatalf("seeds %d and %d share trace hash %016x", prev, seed, h)
		}
		seen[h] = seed
	}
}

// TestSameSeedSameHashAcrossProcesses runs the demo in child processes
// under GOMAXPROCS=1 and 4 and compares their hashes with this process's.
func TestSameSeedSameHashAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const seed = 7
	want := fmt.Sprintf("%016x", run(t, seed).TraceHash)
	for _, procs := range []string{"1", "4"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDeterminismChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"="+strconv.Itoa(seed), "GOMAXPROCS="+procs)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "child output:\n%s", out)
		got := ""
		for _, line := range strings.Split(string(out), "\n") {
			if h, ok := strings.CutPrefix(line, "hash "); ok {
				got = h
			}
		}
		require.Equal(t, want, got, "GOMAXPROCS=%s child printed:\n%s", procs, out)
	}
}

// TestDeterminismChild is the child's half of the test above; run directly,
// it does nothing.
func TestDeterminismChild(t *testing.T) {
	s := os.Getenv(childEnv)
	if s == "" {
		return
	}
	seed, err := strconv.ParseUint(s, 10, 64)
	require.NoError(t, err)
	fmt.Printf("hash %016x\n", run(t, seed).TraceHash)
}
