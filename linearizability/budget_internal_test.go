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
		res, err := Check(h, Options{Budget: 1})
		require.NoError(t, err)
		require.Equal(t, Unknown, res.Verdict)
		require.False(t, res.Failed())
		require.Equal(t, 500, res.Ops)
		require.LessOrEqual(t, res.Steps, res.Budget)
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

// The verdict is a function of the history and the budget: a budget one
// step short of what the search needs is Unknown every time, and the
// exact need decides every time, whatever the machine is doing.
func TestBudgetDecidesAtAFixedStep(t *testing.T) {
	for _, h := range []History{
		genEtcd(genConfig{seed: 3, clients: 6, ops: 300, keys: 4, unknownPct: 5}),
		genKV(genConfig{seed: 3, clients: 6, ops: 300, keys: 1}),
	} {
		full, err := Check(h, Options{})
		require.NoError(t, err)
		require.NotEqual(t, Unknown, full.Verdict)
		require.Len(t, full.Partitions, 1)
		need := full.Steps
		for range 3 {
			res, err := Check(h, Options{Budget: need})
			require.NoError(t, err)
			require.Equal(t, full.Verdict, res.Verdict)
			require.Equal(t, need, res.Steps)
			short, err := Check(h, Options{Budget: need - 1})
			require.NoError(t, err)
			require.Equal(t, Unknown, short.Verdict)
			require.Equal(t, need-1, short.Steps)
		}
	}
}

// Several partitions share the budget in rounds of doubling slices; the
// steps spent never pass the budget.
func TestPartitionsShareTheBudget(t *testing.T) {
	h := genKV(genConfig{seed: 5, clients: 8, ops: 2000, keys: 6})
	full, err := Check(h, Options{})
	require.NoError(t, err)
	require.Equal(t, Linearizable, full.Verdict)
	for _, budget := range []Steps{full.Steps / 4, full.Steps, 3 * full.Steps} {
		res, err := Check(h, Options{Budget: budget})
		require.NoError(t, err)
		require.LessOrEqual(t, res.Steps, budget)
		again, err := Check(h, Options{Budget: budget})
		require.NoError(t, err)
		require.Equal(t, res.Verdict, again.Verdict)
		require.Equal(t, res.Partitions, again.Partitions)
	}
}

func TestParseSteps(t *testing.T) {
	for text, want := range map[string]Steps{
		"1": 1, "1000": 1000, "50M": 50_000_000, "2.5M": 2_500_000, "1G": 1_000_000_000,
		"3k": 3000, "1e6": 1_000_000,
	} {
		got, err := ParseSteps(text)
		require.NoError(t, err, text)
		require.Equal(t, want, got, text)
	}
	for _, bad := range []string{"", "0", "-5", "10s", "1.5", "M", "1e30", "abc", "0.0001k"} {
		_, err := ParseSteps(bad)
		require.ErrorIs(t, err, ErrBadBudget, bad)
	}
	require.Equal(t, "20M", BudgetDefault.String())
	require.Equal(t, "2.5M", Steps(2_500_000).String())
	require.Equal(t, "1234567", Steps(1_234_567).String())
}
