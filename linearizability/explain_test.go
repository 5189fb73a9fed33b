package linearizability_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	lin "etcdsim/linearizability"
)

func TestExplanationNamesTheAnomaly(t *testing.T) {
	tests := []struct {
		name string
		h    lin.History
		want string
	}{
		{"stale read", (&builder{}).
			op(0, 1, 2, kvPut("x", "1"), lin.KVOutput{}).
			op(0, 3, 4, kvPut("x", "2"), lin.KVOutput{}).
			op(1, 5, 6, kvGet("x"), kvRead("1")).h, lin.AnomalyStaleRead},
		{"lost write", (&builder{}).
			op(0, 1, 2, kvPut("x", "1"), lin.KVOutput{}).
			op(1, 3, 4, kvGet("x"), kvRead("")).h, lin.AnomalyLostWrite},
		{"read from the future", (&builder{}).
			op(1, 1, 2, kvGet("x"), kvRead("1")).
			op(0, 3, 4, kvPut("x", "1"), lin.KVOutput{}).h, lin.AnomalyFutureRead},
		{"phantom read", (&builder{}).
			op(0, 1, 2, kvPut("x", "1"), lin.KVOutput{}).
			op(1, 3, 4, kvGet("x"), kvRead("7")).h, lin.AnomalyPhantomRead},
		{"cas on stale value", (&builder{}).
			op(0, 1, 2, kvPut("x", "1"), lin.KVOutput{}).
			op(0, 3, 4, kvCAS("x", "1", "2"), lin.KVOutput{OK: true}).
			op(1, 5, 6, kvCAS("x", "1", "3"), lin.KVOutput{OK: true}).h, lin.AnomalyStaleCAS},
		{"etcd stale read", (&builder{}).
			op(0, 1, 2, put("a", "1"), putOK(2)).
			op(0, 3, 4, put("a", "2"), putOK(3)).
			op(1, 5, 6, get("a"), got(2, kv("a", "1", 2, 2, 1))).h, lin.AnomalyStaleRead},
		{"etcd duplicate revision", (&builder{}).
			op(0, 1, 2, put("a", "1"), putOK(2)).
			op(1, 3, 4, put("b", "1"), putOK(2)).h, lin.AnomalyDuplicateRev},
		{"etcd lost write", (&builder{}).
			op(0, 1, 2, put("a", "1"), putOK(2)).
			op(0, 3, 4, put("a", "2"), putOK(3)).
			op(1, 5, 6, get("a"), got(3, kv("a", "1", 2, 2, 1))).h, lin.AnomalyLostWrite},
		{"etcd unexplained revision", (&builder{}).
			op(1, 1, 2, put("b", "1"), putOK(3)).h, lin.AnomalyUnexplained},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lin.Check(tt.h, lin.Options{})
			require.NoError(t, err)
			require.Equal(t, lin.NotLinearizable, res.Verdict)
			e := res.Explanation
			require.NotNil(t, e)
			require.Equal(t, tt.want, e.Anomaly, "%v", e)
			require.NotEmpty(t, e.Stuck)
			require.Contains(t, e.String(), tt.want)
			require.Contains(t, res.String(), "not-linearizable: "+tt.want)
		})
	}
}

func TestExplanationShowsPrefixStuckOpsAndFaults(t *testing.T) {
	h := (&builder{}).
		op(0, 10, 20, kvPut("x", "1"), lin.KVOutput{}).
		op(0, 30, 40, kvPut("x", "2"), lin.KVOutput{}).
		op(1, 50, 60, kvGet("x"), kvRead("1")).
		op(0, 1, 2, kvPut("y", "1"), lin.KVOutput{}).
		op(0, 3, 4, kvPut("y", "2"), lin.KVOutput{}).
		op(0, 5, 6, kvPut("y", "3"), lin.KVOutput{}).
		op(1, 70, 80, kvGet("y"), kvRead("1")).h
	h.Annotations = []lin.Annotation{
		{Start: 25, End: 45, Node: "n1", Kind: lin.AnnotationFault, Text: "partition {n1} | {n2,n3}"},
		{Start: 1000, End: 1000, Node: "n2", Kind: lin.AnnotationLeader, Text: "n2 leads term 3"},
	}
	res, err := lin.Check(h, lin.Options{})
	require.NoError(t, err)
	e := res.Explanation
	require.Equal(t, "x", e.Partition, "the smallest failing partition")
	require.Equal(t, 3, e.PartitionOps)
	require.Equal(t, 2, e.Linearized)
	require.Len(t, e.Before, 2)
	require.Equal(t, `"2"`, e.State)
	require.Equal(t, lin.OpID(2), e.Stuck[0].ID)
	require.Len(t, e.Faults, 1)
	require.Equal(t, "partition {n1} | {n2,n3}", e.Faults[0].Text)
}
