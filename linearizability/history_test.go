package linearizability_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	lin "etcdsim/linearizability"
)

func TestCheckRejectsMalformedHistories(t *testing.T) {
	tests := []struct {
		name string
		h    lin.History
		want error
	}{
		{"return before call", (&builder{}).op(0, 5, 4, kvGet("x"), kvRead("")).h,
			lin.ErrReturnBeforeCall},
		{"duplicate id", lin.History{Ops: []lin.Operation{
			{ID: 1, Call: 1, Return: 2, Input: kvGet("x"), Output: kvRead("")},
			{ID: 1, Call: 3, Return: 4, Input: kvGet("x"), Output: kvRead("")},
		}}, lin.ErrDuplicateID},
		{"nil input", (&builder{}).op(0, 1, 2, nil, kvRead("")).h, lin.ErrUnknownKind},
		{"unknown kv kind", (&builder{}).op(0, 1, 2, lin.KVInput{Kind: 42, Key: "x"}, kvRead("")).h,
			lin.ErrUnknownKind},
		{"output of the wrong model", (&builder{}).op(0, 1, 2, kvGet("x"), putOK(2)).h,
			lin.ErrUnknownKind},
		{"etcd request with two kinds", (&builder{}).op(0, 1, 2,
			lin.EtcdRequest{Put: &lin.PutRequest{Key: "a"}, Range: &lin.RangeRequest{Key: "a"}},
			putOK(2)).h, lin.ErrUnknownKind},
		{"empty etcd request", (&builder{}).op(0, 1, 2, lin.EtcdRequest{}, putOK(2)).h,
			lin.ErrUnknownKind},
		{"put answered without its result", (&builder{}).op(0, 1, 2, put("a", "1"),
			lin.EtcdResponse{Revision: 2}).h, lin.ErrUnknownKind},
		{"empty key", (&builder{}).op(0, 1, 2, put("", "1"), putOK(2)).h, lin.ErrBadOperation},
		{"indeterminate with an output", lin.History{Ops: []lin.Operation{
			{ID: 0, Call: 1, Unknown: true, Input: put("a", "1"), Output: putOK(2)},
		}}, lin.ErrBadOperation},
		{"mixed models", (&builder{}).op(0, 1, 2, kvGet("x"), kvRead("")).
			op(1, 1, 2, get("x"), got(1)).h, lin.ErrMixedModels},
		{"watches without the etcd model", lin.History{
			Ops:     []lin.Operation{{ID: 0, Call: 1, Return: 2, Input: kvGet("x"), Output: kvRead("")}},
			Watches: []lin.WatchStream{{Key: "x"}},
		}, lin.ErrBadWatch},
		{"watch without a key", lin.History{
			Ops:     []lin.Operation{{ID: 0, Call: 1, Return: 2, Input: get("x"), Output: got(1)}},
			Watches: []lin.WatchStream{{}},
		}, lin.ErrBadWatch},
		{"negative client", lin.History{Ops: []lin.Operation{
			{ID: 0, Client: -1, Call: 1, Return: 2, Input: kvGet("x"), Output: kvRead("")},
		}}, lin.ErrBadOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lin.Check(tt.h, lin.Options{})
			require.ErrorIs(t, err, tt.want)
			require.Nil(t, res)
		})
	}
}

func TestCheckForcedModelMustFitInputs(t *testing.T) {
	h := (&builder{}).op(0, 1, 2, kvGet("x"), kvRead("")).h
	_, err := lin.Check(h, lin.Options{Model: lin.ModelEtcd})
	require.ErrorIs(t, err, lin.ErrMixedModels)
}

func TestEmptyHistoryIsLinearizable(t *testing.T) {
	res, err := lin.Check(lin.History{}, lin.Options{})
	require.NoError(t, err)
	require.Equal(t, lin.Linearizable, res.Verdict)
	require.Zero(t, res.Ops)
}
