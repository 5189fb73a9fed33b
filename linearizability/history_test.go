package linearizability_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	lin "etcdsim/linearizability"
	"etcdsim/mvcc/etcdapi"
)

func TestCheckRejectsMalformedHistories(t *testing.T) {
	tests := []malformedCase{
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
			lin.EtcdRequest{Put: put("a", "").Put, Range: get("a").Range}, putOK(2)).h,
			lin.ErrUnknownKind},
		{"empty etcd request", (&builder{}).op(0, 1, 2, lin.EtcdRequest{}, putOK(2)).h,
			lin.ErrUnknownKind},
		{"put answered without its result", (&builder{}).op(0, 1, 2, put("a", "1"),
			lin.EtcdResponse{Revision: 2}).h, lin.ErrUnknownKind},
		{"indeterminate with an output", lin.History{Ops: []lin.Operation{
			{ID: 0, Call: 1, Unknown: true, Input: put("a", "1"), Output: putOK(2)},
		}}, lin.ErrBadOperation},
		{"mixed models", (&builder{}).op(0, 1, 2, kvGet("x"), kvRead("")).
			op(1, 1, 2, get("x"), got(1)).h, lin.ErrMixedModels},
		{"watches without the etcd model", lin.History{
			Ops:     []lin.Operation{{ID: 0, Call: 1, Return: 2, Input: kvGet("x"), Output: kvRead("")}},
			Watches: []lin.WatchStream{{Request: &etcdapi.WatchCreateRequest{Key: []byte("x")}}},
		}, lin.ErrBadWatch},
		{"negative client", lin.History{Ops: []lin.Operation{
			{ID: 0, Client: -1, Call: 1, Return: 2, Input: kvGet("x"), Output: kvRead("")},
		}}, lin.ErrBadOperation},
	}
	requireRejected(t, tests)
}

// malformedCase is a history Check must refuse with the error want.
type malformedCase struct {
	name string
	h    lin.History
	want error
}

func requireRejected(t *testing.T, tests []malformedCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lin.Check(tt.h, lin.Options{})
			require.ErrorIs(t, err, tt.want)
			require.Nil(t, res)
		})
	}
}

// etcd operations and watches are checked against what the model knows.
func TestCheckRejectsMalformedEtcdOperations(t *testing.T) {
	requireRejected(t, []malformedCase{
		{"put answered with a range", (&builder{}).op(0, 1, 2, put("a", "1"), got(2)).h,
			lin.ErrUnknownKind},
		{"empty key", (&builder{}).op(0, 1, 2, put("", "1"), putOK(2)).h, lin.ErrBadOperation},
		{"an error the model does not predict", (&builder{}).op(0, 1, 2, put("a", "1"),
			fail(etcdapi.ErrTimeout)).h, lin.ErrBadOperation},
		{"an error that is no etcd error", (&builder{}).op(0, 1, 2, put("a", "1"),
			fail(lin.ErrSyntax)).h, lin.ErrBadOperation},
		{"an error with a result", (&builder{}).op(0, 1, 2, get("a"), lin.EtcdResponse{
			Err: etcdapi.ErrCompacted, Range: &etcdapi.RangeResponse{}}).h, lin.ErrBadOperation},
		{"nested txn", (&builder{}).op(0, 1, 2, lin.EtcdRequest{Txn: &etcdapi.TxnRequest{
			Success: []*etcdapi.RequestOp{{RequestTxn: &etcdapi.TxnRequest{}}}}},
			txnOK(2, true, &etcdapi.ResponseOp{ResponseTxn: &etcdapi.TxnResponse{}})).h,
			lin.ErrBadOperation},
		{"nil txn op", (&builder{}).op(0, 1, 2, lin.EtcdRequest{Txn: &etcdapi.TxnRequest{
			Success: []*etcdapi.RequestOp{nil}}}, txnOK(2, true, nil)).h, lin.ErrUnknownKind},
		{"nil txn result", (&builder{}).op(0, 1, 2, txnIfMod("a", 0, putOp("a", "1")),
			txnOK(2, true, nil)).h, lin.ErrBadOperation},
		{"nil key-value", (&builder{}).op(0, 1, 2, get("a"), got(2, nil)).h, lin.ErrBadOperation},
		{"ignore value", (&builder{}).op(0, 1, 2, lin.EtcdRequest{Put: &etcdapi.PutRequest{
			Key: []byte("a"), IgnoreValue: true}}, putOK(2)).h, lin.ErrBadOperation},
		{"unknown sort target", (&builder{}).op(0, 1, 2, lin.EtcdRequest{Range: &etcdapi.RangeRequest{
			Key: []byte("a"), SortTarget: 9}}, got(1)).h, lin.ErrBadOperation},
		{"unknown compare result", (&builder{}).op(0, 1, 2, lin.EtcdRequest{Txn: &etcdapi.TxnRequest{
			Compare: []*etcdapi.Compare{{Key: []byte("a"), Result: -1}}}}, txnOK(1, true)).h,
			lin.ErrBadOperation},
		{"watch without a request", lin.History{
			Ops:     []lin.Operation{{ID: 0, Call: 1, Return: 2, Input: get("x"), Output: got(1)}},
			Watches: []lin.WatchStream{{}},
		}, lin.ErrBadWatch},
		{"watch without a key", lin.History{
			Ops:     []lin.Operation{{ID: 0, Call: 1, Return: 2, Input: get("x"), Output: got(1)}},
			Watches: []lin.WatchStream{{Request: &etcdapi.WatchCreateRequest{}}},
		}, lin.ErrBadWatch},
		{"watch response missing", lin.History{
			Ops: []lin.Operation{{ID: 0, Call: 1, Return: 2, Input: get("x"), Output: got(1)}},
			Watches: []lin.WatchStream{{Request: &etcdapi.WatchCreateRequest{Key: []byte("x")},
				Responses: []lin.WatchDelivery{{Time: 3}}}},
		}, lin.ErrBadWatch},
	})
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
