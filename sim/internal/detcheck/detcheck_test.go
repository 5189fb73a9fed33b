package detcheck_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/sim/internal/detcheck"
)

// simulatedPackages are the packages whose code runs inside a world. The
// cluster code lives under sim/, so it is covered too.
var simulatedPackages = []string{"./sim/...", "./raftimpl/...", "./mvcc/...", "./nemesis/..."}

func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

// TestSimulatedCodeIsDeterministic is the rule DESIGN.md promises: any
// goroutine, channel, select, sync primitive, wall-clock read, global
// randomness, environment read or unmarked map range in simulated code
// fails here with its file:line.
func TestSimulatedCodeIsDeterministic(t *testing.T) {
	root := repoRoot(t)
	var patterns []string
	for _, p := range simulatedPackages {
		if hasGoFiles(root, strings.TrimSuffix(p, "/...")) {
			patterns = append(patterns, p)
		}
	}
	found, err := detcheck.Check(root, patterns...)
	require.NoError(t, err)
	for _, f := range found {
		t.Errorf("%s", f)
	}
}

func hasGoFiles(root, dir string) bool {
	matches, _ := filepath.Glob(filepath.Join(root, dir, "*.go"))
	deeper, _ := filepath.Glob(filepath.Join(root, dir, "*", "*.go"))
	return len(matches)+len(deeper) > 0
}

// TestCheckerFlagsEachConstruct proves the checker can fail: every banned
// construct in the fixture is reported at its line, and nothing else is.
func TestCheckerFlagsEachConstruct(t *testing.T) {
	found, err := detcheck.Check(".", "./testdata/bad")
	require.NoError(t, err)
	var got []string
	for _, f := range found {
		got = append(got, fmt.Sprintf("%d %s", f.Pos.Line, strings.SplitN(f.Message, ":", 2)[0]))
	}
	require.Equal(t, []string{
		"6 import of crypto/rand",
		"7 import of math/rand",
		"11 import of sync primitives",
		"17 channel type",
		"18 go statement",
		"19 select statement",
		"20 channel send",
		"21 channel receive",
		"22 time.Now reads the outside world",
		"23 time.Sleep reads the outside world",
		"24 os.Getenv reads the outside world",
		"26 rand.IntN draws from a global source",
		"29 range over a map",
	}, got)
	require.Contains(t, found[0].String(), filepath.Join("testdata", "bad", "bad.go")+":6:")
}
