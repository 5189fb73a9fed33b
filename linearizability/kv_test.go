package linearizability_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	lin "etcdsim/linearizability"
)

func TestPerKeyModelVerdicts(t *testing.T) {
	tests := []struct {
		name string
		h    lin.History
		want lin.Verdict
	}{
		{"reads cannot go back in time", (&builder{}).
			op(0, 1, 10, kvPut("x", "1"), lin.KVOutput{}).
			op(1, 2, 3, kvGet("x"), kvRead("1")).
			op(2, 4, 5, kvGet("x"), kvRead("")).h, lin.NotLinearizable},
		{"read after write sees it", (&builder{}).
			op(0, 1, 2, kvPut("x", "1"), lin.KVOutput{}).
			op(1, 3, 4, kvGet("x"), kvRead("1")).h, lin.Linearizable},
		{"stale read", (&builder{}).
			op(0, 1, 2, kvPut("x", "1"), lin.KVOutput{}).
			op(0, 3, 4, kvPut("x", "2"), lin.KVOutput{}).
			op(1, 5, 6, kvGet("x"), kvRead("1")).h, lin.NotLinearizable},
		{"cas applies on the expected value", (&builder{}).
			op(0, 1, 2, kvPut("x", "1"), lin.KVOutput{}).
			op(1, 3, 4, kvCAS("x", "1", "2"), lin.KVOutput{OK: true}).
			op(2, 5, 6, kvCAS("x", "1", "3"), lin.KVOutput{OK: false}).
			op(0, 7, 8, kvGet("x"), kvRead("2")).h, lin.Linearizable},
		{"cas on an absent key fails", (&builder{}).
			op(0, 1, 2, kvCAS("x", "", "2"), lin.KVOutput{OK: true}).h, lin.NotLinearizable},
		{"append concatenates", (&builder{}).
			op(0, 1, 2, lin.KVInput{Kind: lin.KVAppend, Key: "x", Value: "a"}, lin.KVOutput{}).
			op(0, 3, 4, lin.KVInput{Kind: lin.KVAppend, Key: "x", Value: "b"}, lin.KVOutput{}).
			op(1, 5, 6, kvGet("x"), kvRead("ab")).h, lin.Linearizable},
		{"delete empties the key", (&builder{}).
			op(0, 1, 2, kvPut("x", "1"), lin.KVOutput{}).
			op(0, 3, 4, lin.KVInput{Kind: lin.KVDelete, Key: "x"}, lin.KVOutput{}).
			op(1, 5, 6, kvGet("x"), kvRead("")).h, lin.Linearizable},
		{"indeterminate write may take effect late", (&builder{}).
			unknown(0, 1, kvPut("x", "1")).
			op(1, 5, 6, kvGet("x"), kvRead("")).
			op(1, 7, 8, kvGet("x"), kvRead("1")).h, lin.Linearizable},
		{"indeterminate write cannot act before its call", (&builder{}).
			op(1, 1, 2, kvGet("x"), kvRead("1")).
			unknown(0, 3, kvPut("x", "1")).h, lin.NotLinearizable},
		{"indeterminate write cannot be undone", (&builder{}).
			unknown(0, 1, kvPut("x", "1")).
			op(1, 5, 6, kvGet("x"), kvRead("1")).
			op(1, 7, 8, kvGet("x"), kvRead("")).h, lin.NotLinearizable},
		{"keys are independent", (&builder{}).
			op(0, 1, 2, kvPut("x", "1"), lin.KVOutput{}).
			op(1, 3, 4, kvGet("y"), kvRead("")).h, lin.Linearizable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lin.Check(tt.h, lin.Options{})
			require.NoError(t, err)
			require.Equal(t, tt.want, res.Verdict)
			require.Equal(t, lin.ModelPerKey, res.Model)
		})
	}
}

func TestPerKeyVerdictPerKey(t *testing.T) {
	h := (&builder{}).
		op(0, 1, 2, kvPut("a", "1"), lin.KVOutput{}).
		op(0, 3, 4, kvGet("a"), kvRead("1")).
		op(1, 1, 2, kvPut("b", "1"), lin.KVOutput{}).
		op(1, 3, 4, kvGet("b"), kvRead("2")).h
	res, err := lin.Check(h, lin.Options{})
	require.NoError(t, err)
	require.Equal(t, lin.NotLinearizable, res.Verdict)
	require.Equal(t, []lin.PartitionResult{
		// a: put, get, end marker; b: put, then the get fails.
		{Key: "a", Verdict: lin.Linearizable, Ops: 2, Steps: 3},
		{Key: "b", Verdict: lin.NotLinearizable, Ops: 2, Steps: 2},
	}, res.Partitions)
	require.Equal(t, lin.Steps(5), res.Steps)
	require.Equal(t, "b", res.Explanation.Partition)
}
