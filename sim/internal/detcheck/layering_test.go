package detcheck_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// layers are README's one-way import rules: each package (with its tests)
// may depend on these etcdsim packages and no others. A package not listed
// here is not bound (cmd/etcdsim sits on top of everything).
var layers = map[string][]string{
	"etcdsim/mvcc/etcdapi":      {},
	"etcdsim/testdata/proptest": {},
	"etcdsim/sim":               {"etcdsim/testdata/proptest"},
	"etcdsim/sim/gossip":        {"etcdsim/sim"},
	"etcdsim/raftimpl": {"etcdsim/raftimpl/wal", "etcdsim/raftimpl/rafttest",
		"etcdsim/testdata/proptest"},
	"etcdsim/raftimpl/wal": {"etcdsim/raftimpl"},
	"etcdsim/raftimpl/rafttest": {"etcdsim/raftimpl", "etcdsim/raftimpl/wal",
		"etcdsim/testdata/proptest"},
	"etcdsim/mvcc":            {"etcdsim/mvcc/etcdapi", "etcdsim/testdata/proptest"},
	"etcdsim/linearizability": {"etcdsim/mvcc/etcdapi", "etcdsim/testdata/proptest"},
	"etcdsim/nemesis":         {"etcdsim/sim"},
	"etcdsim/sim/cluster": {"etcdsim/sim", "etcdsim/raftimpl", "etcdsim/raftimpl/wal",
		"etcdsim/mvcc", "etcdsim/mvcc/etcdapi", "etcdsim/linearizability",
		"etcdsim/testdata/proptest"},
	"etcdsim/sim/harness": {"etcdsim/sim", "etcdsim/sim/cluster", "etcdsim/nemesis",
		"etcdsim/raftimpl", "etcdsim/raftimpl/wal", "etcdsim/mvcc", "etcdsim/mvcc/etcdapi",
		"etcdsim/linearizability", "etcdsim/testdata/proptest"},
}

// TestImportsPointOneWay fails when a package, or one of its tests,
// depends on an etcdsim package its layer does not allow (go list -deps
// -test follows every import, direct or not).
func TestImportsPointOneWay(t *testing.T) {
	root := repoRoot(t)
	for pkg, allowed := range layers { //det:ok each package is checked alone
		cmd := exec.Command("go", "list", "-deps", "-test", "-f", "{{.ImportPath}}", pkg)
		cmd.Dir = root
		out, err := cmd.Output()
		require.NoError(t, err, "go list %s", pkg)
		ok := map[string]bool{pkg: true}
		for _, a := range allowed {
			ok[a] = true
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			dep, _, _ := strings.Cut(line, " ") // "p [p.test]" is p built for its tests
			if !strings.HasPrefix(dep, "etcdsim/") || dep == pkg+".test" || dep == pkg+"_test" {
				continue
			}
			require.True(t, ok[dep], "%s depends on %s, which README's map does not allow", pkg, dep)
		}
	}
}
