package linearizability_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	lin "etcdsim/linearizability"
	"etcdsim/mvcc/etcdapi"
)

func txnIfMod(key string, mod int64, then *etcdapi.RequestOp) lin.EtcdRequest {
	return lin.EtcdRequest{Txn: &etcdapi.TxnRequest{
		Compare: []*etcdapi.Compare{{Key: []byte(key), Target: etcdapi.Compare_MOD,
			Result: etcdapi.Compare_EQUAL, ModRevision: mod}},
		Success: []*etcdapi.RequestOp{then},
		Failure: []*etcdapi.RequestOp{{RequestRange: &etcdapi.RangeRequest{Key: []byte(key)}}},
	}}
}

func putOp(k, v string) *etcdapi.RequestOp {
	return &etcdapi.RequestOp{RequestPut: &etcdapi.PutRequest{Key: []byte(k), Value: []byte(v)}}
}

func txnOK(rev lin.Revision, succeeded bool, results ...*etcdapi.ResponseOp) lin.EtcdResponse {
	return lin.EtcdResponse{Revision: rev, Txn: &etcdapi.TxnResponse{Succeeded: succeeded,
		Responses: results}}
}

func putResult() *etcdapi.ResponseOp {
	return &etcdapi.ResponseOp{ResponsePut: &etcdapi.PutResponse{}}
}

// verdictCase is a history with its known verdict.
type verdictCase struct {
	name string
	h    lin.History
	want lin.Verdict
}

func TestEtcdModelVerdicts(t *testing.T) {
	for _, tt := range append(etcdBasicCases(), etcdIndeterminateCases()...) {
		t.Run(tt.name, func(t *testing.T) {
			res, err := lin.Check(tt.h, lin.Options{})
			require.NoError(t, err)
			require.Equal(t, tt.want, res.Verdict)
			require.Equal(t, lin.ModelEtcd, res.Model)
		})
	}
}

func etcdBasicCases() []verdictCase {
	return []verdictCase{
		{"revisions, versions and re-creation", (&builder{}).
			op(0, 1, 2, put("a", "1"), putOK(2)).
			op(0, 3, 4, get("a"), got(2, kv("a", "1", 2, 2, 1))).
			op(0, 5, 6, put("a", "2"), putOK(3)).
			op(0, 7, 8, get("a"), got(3, kv("a", "2", 2, 3, 2))).
			op(0, 9, 10, del("a"), deleted(4, 1)).
			op(0, 11, 12, del("a"), deleted(4, 0)).
			op(0, 13, 14, get("a"), got(4)).
			op(0, 15, 16, put("a", "3"), putOK(5)).
			op(0, 17, 18, get("a"), got(5, kv("a", "3", 5, 5, 1))).h, lin.Linearizable},
		{"version must count puts", (&builder{}).
			op(0, 1, 2, put("a", "1"), putOK(2)).
			op(0, 3, 4, put("a", "2"), putOK(3)).
			op(0, 5, 6, get("a"), got(3, kv("a", "2", 2, 3, 1))).h, lin.NotLinearizable},
		{"a delete of nothing keeps the revision", (&builder{}).
			op(0, 1, 2, del("a"), deleted(2, 0)).h, lin.NotLinearizable},
		{"stale read of an older revision", (&builder{}).
			op(0, 1, 2, put("a", "1"), putOK(2)).
			op(0, 3, 4, put("a", "2"), putOK(3)).
			op(1, 5, 6, get("a"), got(2, kv("a", "1", 2, 2, 1))).h, lin.NotLinearizable},
		{"two writes cannot share a revision", (&builder{}).
			op(0, 1, 2, put("a", "1"), putOK(2)).
			op(1, 3, 4, put("b", "1"), putOK(2)).h, lin.NotLinearizable},
		{"concurrent writes in either order", (&builder{}).
			op(0, 1, 10, put("a", "1"), putOK(3)).
			op(1, 2, 9, put("b", "1"), putOK(2)).
			op(2, 11, 12, getRange("a", "c"),
				got(3, kv("a", "1", 3, 3, 1), kv("b", "1", 2, 2, 1))).h, lin.Linearizable},
		{"txn compare on mod revision", (&builder{}).
			op(0, 1, 2, txnIfMod("a", 0, putOp("a", "1")), txnOK(2, true, putResult())).
			op(1, 3, 4, txnIfMod("a", 0, putOp("a", "2")), txnOK(2, false,
				&etcdapi.ResponseOp{ResponseRange: rangeResp(kv("a", "1", 2, 2, 1))})).h,
			lin.Linearizable},
		{"txn cannot succeed twice on one guard", (&builder{}).
			op(0, 1, 2, txnIfMod("a", 0, putOp("a", "1")), txnOK(2, true, putResult())).
			op(1, 3, 4, txnIfMod("a", 0, putOp("a", "2")), txnOK(3, true, putResult())).h,
			lin.NotLinearizable},
	}
}

func etcdIndeterminateCases() []verdictCase {
	return []verdictCase{
		{"indeterminate put seen later", (&builder{}).
			unknown(0, 1, put("a", "1")).
			op(1, 5, 6, put("b", "1"), putOK(3)).
			op(1, 7, 8, get("a"), got(3, kv("a", "1", 2, 2, 1))).h, lin.Linearizable},
		{"indeterminate put that never happened", (&builder{}).
			unknown(0, 1, put("a", "1")).
			op(1, 5, 6, put("b", "1"), putOK(2)).
			op(1, 7, 8, get("a"), got(2)).h, lin.Linearizable},
		{"indeterminate put fills a revision gap", (&builder{}).
			unknown(0, 1, put("a", "1")).
			op(1, 5, 6, put("b", "1"), putOK(3)).h, lin.Linearizable},
		{"a revision gap nothing can fill", (&builder{}).
			op(1, 5, 6, put("b", "1"), putOK(3)).h, lin.NotLinearizable},
		{"indeterminate put seen before its call", (&builder{}).
			op(1, 1, 2, get("a"), got(2, kv("a", "1", 2, 2, 1))).
			unknown(0, 3, put("a", "1")).h, lin.NotLinearizable},
		{"keys-only reads do not identify writers", (&builder{}).
			op(0, 1, 2, put("a", "x"), putOK(2)).
			unknown(1, 3, put("a", "")).
			op(2, 4, 5, lin.EtcdRequest{Range: &etcdapi.RangeRequest{Key: []byte("a"), KeysOnly: true}},
				got(2, kv("a", "", 2, 2, 1))).h, lin.Linearizable},
		{"indeterminate read is dropped", (&builder{}).
			unknown(0, 1, get("a")).
			op(1, 2, 3, put("a", "1"), putOK(2)).h, lin.Linearizable},
	}
}

func TestEtcdLeasesAndCompaction(t *testing.T) {
	grant := lin.EtcdRequest{LeaseGrant: &etcdapi.LeaseGrantRequest{ID: 5, TTL: 10}}
	revoke := lin.EtcdRequest{LeaseRevoke: &etcdapi.LeaseRevokeRequest{ID: 5}}
	revoked := func(rev lin.Revision) lin.EtcdResponse {
		return lin.EtcdResponse{Revision: rev, LeaseRevoke: &etcdapi.LeaseRevokeResponse{}}
	}
	putL := func(k string, l int64) lin.EtcdRequest {
		return lin.EtcdRequest{Put: &etcdapi.PutRequest{Key: []byte(k), Value: []byte("v"), Lease: l}}
	}
	compact := func(r int64) lin.EtcdRequest {
		return lin.EtcdRequest{Compact: &etcdapi.CompactionRequest{Revision: r}}
	}
	compacted := func(rev lin.Revision) lin.EtcdResponse {
		return lin.EtcdResponse{Revision: rev, Compact: &etcdapi.CompactionResponse{}}
	}
	at := func(k string, r int64) lin.EtcdRequest {
		return lin.EtcdRequest{Range: &etcdapi.RangeRequest{Key: []byte(k), Revision: r}}
	}
	lkv := kv("a", "v", 2, 2, 1)
	lkv.Lease = 5
	h := (&builder{}).
		op(0, 1, 2, putL("a", 5), fail(etcdapi.ErrLeaseNotFound)).
		op(0, 3, 4, grant, lin.EtcdResponse{Revision: 1, LeaseGrant: &etcdapi.LeaseGrantResponse{ID: 5}}).
		op(0, 5, 6, grant, fail(etcdapi.ErrLeaseExist)).
		op(0, 7, 8, putL("a", 5), putOK(2)).
		op(0, 9, 10, putL("b", 5), putOK(3)).
		op(0, 11, 12, get("a"), got(3, lkv)).
		op(0, 13, 14, revoke, revoked(4)).
		op(0, 15, 16, get("a"), got(4)).
		op(0, 17, 18, get("b"), got(4)).
		op(0, 19, 20, revoke, fail(etcdapi.ErrLeaseNotFound)).
		op(0, 21, 22, at("a", 2), got(4, lkv)).
		op(0, 23, 24, compact(3), compacted(4)).
		op(0, 25, 26, at("a", 2), fail(etcdapi.ErrCompacted)).
		op(0, 27, 28, at("a", 3), got(4, lkv)).
		op(0, 29, 30, compact(3), fail(etcdapi.ErrCompacted)).
		op(0, 31, 32, compact(9), fail(etcdapi.ErrFutureRev)).
		// A wrapped error is the error it wraps.
		op(0, 33, 34, at("a", 9), fail(fmt.Errorf("range: %w", etcdapi.ErrFutureRev))).h
	res, err := lin.Check(h, lin.Options{})
	require.NoError(t, err)
	require.Equal(t, lin.Linearizable, res.Verdict, "%v", res.Explanation)

	// Revoking must delete the lease's keys: a read still seeing one fails.
	bad := h
	bad.Ops = append([]lin.Operation(nil), h.Ops...)
	bkv := kv("b", "v", 3, 3, 1)
	bkv.Lease = 5
	bad.Ops[8].Output = got(4, bkv)
	res, err = lin.Check(bad, lin.Options{})
	require.NoError(t, err)
	require.Equal(t, lin.NotLinearizable, res.Verdict)

	// The error must be the one etcd returns.
	bad.Ops = append([]lin.Operation(nil), h.Ops...)
	bad.Ops[2].Output = fail(etcdapi.ErrLeaseNotFound)
	res, err = lin.Check(bad, lin.Options{})
	require.NoError(t, err)
	require.Equal(t, lin.NotLinearizable, res.Verdict)
}
