package rafttest_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"etcdsim/raftimpl/rafttest"
)

// TestInteraction runs every scenario script in testdata/raft. Regenerate
// expected output with -rewrite and read the diff.
func TestInteraction(t *testing.T) {
	datadriven.Walk(t, "../../testdata/raft", func(t *testing.T, path string) {
		env := rafttest.NewEnv()
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return env.Handle(t, d)
		})
	})
}

// lenientTB records mismatches against the expected output instead of
// failing: the bug scenarios' expected output shows the bug, and with the
// bug switched off the output differs by design.
type lenientTB struct{ testing.TB }

func (lenientTB) Fatal(...any)          {}
func (lenientTB) Fatalf(string, ...any) {}
func (lenientTB) Error(...any)          {}
func (lenientTB) Errorf(string, ...any) {}

// noViolationWithBug lists bug scenarios whose damage no checker sees: a
// single node losing an entry it applied (the trace shows it instead).
var noViolationWithBug = map[string]bool{"wal_torn.txt": true}

// TestBugScenariosPassWithoutBug replays every scenario that plants a bug
// with the bug switched off: the same schedule must then break no
// invariant and serve no stale read.
func TestBugScenariosPassWithoutBug(t *testing.T) {
	files, err := filepath.Glob("../../testdata/raft/*.txt")
	require.NoError(t, err)
	planted := regexp.MustCompile(` bugs=\([a-z0-9,-]+\)`)
	n := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		if !planted.Match(data) {
			continue
		}
		n++
		t.Run(filepath.Base(path), func(t *testing.T) {
			run := func(script string) error {
				env := rafttest.NewEnv()
				datadriven.RunTestFromStringAny(lenientTB{t}, script,
					func(tb testing.TB, d *datadriven.TestData) string { return env.Handle(tb, d) })
				return env.Violation()
			}
			if !noViolationWithBug[filepath.Base(path)] {
				require.Error(t, run(string(data)), "the bug must show")
			}
			require.NoError(t, run(planted.ReplaceAllString(string(data), "")))
		})
	}
	require.GreaterOrEqual(t, n, 6, "one scenario per planted bug at least")
}
