package linearizability

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSpentBudgetIsUnknownNotSuccess(t *testing.T) {
	for _, h := range []History{
		genEtcd(genConfig{seed: 7, clients: 8, ops: 500, keys: 5, unknownPct: 5}),
		genKV(genConfig{seed: 7, clients: 8, ops: 500, keys: 5}),
	} {
		res, err := Check(h, Options{Budget: 1}) // one nanosecond: spent before porcupine starts
		require.NoError(t, err)
		require.Equal(t, Unknown, res.Verdict)
		require.False(t, res.Failed())
		require.Equal(t, 500, res.Ops)
		for _, p := range res.Partitions {
			require.Equal(t, Unknown, p.Verdict)
		}
	}
}

func TestDefaultBudget(t *testing.T) {
	res, err := Check(History{}, Options{})
	require.NoError(t, err)
	require.Equal(t, BudgetDefault, res.Budget)
}
