package linearizability

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc/etcdapi"
)

// apply runs requests from the empty store, failing on none.
func apply(t *testing.T, reqs ...EtcdRequest) *etcdState {
	st := initialEtcdState
	for _, r := range reqs {
		var resp EtcdResponse
		resp, st = stepEtcd(st, r)
		require.NoError(t, resp.Err, "%v", r)
		st.checkInvariants()
	}
	return st
}

func putReq(k, v string) EtcdRequest {
	return EtcdRequest{Put: &etcdapi.PutRequest{Key: []byte(k), Value: []byte(v)}}
}

func rangeReq(r etcdapi.RangeRequest) EtcdRequest { return EtcdRequest{Range: &r} }

// keysOf lists the keys of a range response, in its order.
func keysOf(rr *etcdapi.RangeResponse) []string {
	var keys []string
	for _, kv := range rr.Kvs {
		keys = append(keys, string(kv.Key))
	}
	return keys
}

func TestEqualStatesComparesContentNotPointers(t *testing.T) {
	a := apply(t, putReq("a", "1"), putReq("b", "2"), putReq("a", "3"))
	b := apply(t, putReq("a", "1"), putReq("b", "2"), putReq("a", "3"))
	require.NotSame(t, a, b)
	require.True(t, equalStates(a, b))
	require.Equal(t, a.hash, b.hash)

	// Same final values, different histories: not equal (older revisions
	// stay readable).
	c := apply(t, putReq("b", "2"), putReq("a", "1"), putReq("a", "3"))
	require.False(t, equalStates(a, c))
	require.False(t, equalStates(a, a.end()), "the end marker is part of the state")

	// A read changes nothing and keeps the very same state.
	resp, same := stepEtcd(a, rangeReq(etcdapi.RangeRequest{Key: []byte("a")}))
	require.Same(t, a, same)
	require.Equal(t, Revision(4), resp.Revision)
}

func TestCompareKVFollowsMvcc(t *testing.T) {
	kv := &etcdapi.KeyValue{Key: []byte("k"), Value: []byte("m"), CreateRevision: 2,
		ModRevision: 5, Version: 3, Lease: 7}
	value, version, create := etcdapi.Compare_VALUE, etcdapi.Compare_VERSION, etcdapi.Compare_CREATE
	mod, lease := etcdapi.Compare_MOD, etcdapi.Compare_LEASE
	eq, gt, lt, ne := etcdapi.Compare_EQUAL, etcdapi.Compare_GREATER, etcdapi.Compare_LESS,
		etcdapi.Compare_NOT_EQUAL
	type cmp = etcdapi.Compare
	tests := []struct {
		c    cmp
		want bool
	}{
		{cmp{Target: value, Result: eq, Value: []byte("m")}, true},
		{cmp{Target: value, Result: gt, Value: []byte("a")}, true},
		{cmp{Target: value, Result: lt, Value: []byte("a")}, false},
		{cmp{Target: version, Result: eq, Version: 3}, true},
		{cmp{Target: version, Result: ne, Version: 3}, false},
		{cmp{Target: create, Result: lt, CreateRevision: 3}, true},
		{cmp{Target: mod, Result: gt, ModRevision: 4}, true},
		{cmp{Target: mod, Result: eq, ModRevision: 4}, false},
		{cmp{Target: lease, Result: eq, Lease: 7}, true},
		{cmp{Target: lease, Result: ne, Lease: 0}, true},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, compareKV(&tt.c, kv), describeCompare(&tt.c))
	}
}

func TestComparesOnMissingKeys(t *testing.T) {
	cmp := func(key, end string, target etcdapi.Compare_CompareTarget,
		value string) *etcdapi.Compare {
		return &etcdapi.Compare{Key: []byte(key), RangeEnd: []byte(end), Target: target,
			Value: []byte(value)}
	}
	st := apply(t, putReq("a", "1"))
	// A missing key compares as the zero key-value, except by value.
	require.True(t, comparesHold(st, []*etcdapi.Compare{cmp("x", "", etcdapi.Compare_VERSION, "")}))
	require.True(t, comparesHold(st, []*etcdapi.Compare{cmp("x", "", etcdapi.Compare_CREATE, "")}))
	require.False(t, comparesHold(st, []*etcdapi.Compare{cmp("x", "", etcdapi.Compare_VALUE, "")}))
	// A range guard must hold for every key in it.
	st = apply(t, putReq("a", "1"), putReq("b", "1"), putReq("c", "2"))
	ones := cmp("a", "c", etcdapi.Compare_VALUE, "1")
	require.True(t, comparesHold(st, []*etcdapi.Compare{ones}))
	ones.RangeEnd = everyKey
	require.False(t, comparesHold(st, []*etcdapi.Compare{ones}))
}

// A range in a txn is checked against the store before the txn, as etcd's
// checkRequestRange does: a revision the txn itself creates is in the
// future; the first failing op fails the txn.
func TestTxnChecksOpsBeforeRunning(t *testing.T) {
	st := apply(t, putReq("a", "1"))
	txn := func(ops ...*etcdapi.RequestOp) EtcdRequest {
		return EtcdRequest{Txn: &etcdapi.TxnRequest{Success: ops}}
	}
	put := &etcdapi.RequestOp{RequestPut: &etcdapi.PutRequest{Key: []byte("a"), Value: []byte("2")}}
	at := func(rev int64) *etcdapi.RequestOp {
		return &etcdapi.RequestOp{RequestRange: &etcdapi.RangeRequest{Key: []byte("a"), Revision: rev}}
	}
	leased := &etcdapi.RequestOp{RequestPut: &etcdapi.PutRequest{Key: []byte("b"), Lease: 9}}
	resp, next := stepEtcd(st, txn(put, at(3)))
	require.ErrorIs(t, resp.Err, etcdapi.ErrFutureRev)
	require.Same(t, st, next)
	resp, _ = stepEtcd(st, txn(put, at(2), leased))
	require.ErrorIs(t, resp.Err, etcdapi.ErrLeaseNotFound)
	resp, _ = stepEtcd(st, txn(at(3), leased))
	require.ErrorIs(t, resp.Err, etcdapi.ErrFutureRev, "the first failing op decides")

	resp, _ = stepEtcd(st, txn(put, at(2), at(0)))
	require.NoError(t, resp.Err)
	require.Equal(t, "1", string(resp.Txn.Responses[1].ResponseRange.Kvs[0].Value))
	require.Equal(t, "2", string(resp.Txn.Responses[2].ResponseRange.Kvs[0].Value))
}

// Compaction revisions follow etcd's: -1 before any compaction, so that
// compacting to 0 succeeds once.
func TestCompactFromMinusOne(t *testing.T) {
	compact := func(rev int64) EtcdRequest {
		return EtcdRequest{Compact: &etcdapi.CompactionRequest{Revision: rev}}
	}
	resp, st := stepEtcd(initialEtcdState, compact(0))
	require.NoError(t, resp.Err)
	require.Equal(t, Revision(0), st.compactRev)
	resp, _ = stepEtcd(st, compact(0))
	require.ErrorIs(t, resp.Err, etcdapi.ErrCompacted)
	resp, _ = stepEtcd(st, compact(2))
	require.ErrorIs(t, resp.Err, etcdapi.ErrFutureRev)
}

func TestTxnReadsItsOwnWrites(t *testing.T) {
	st := apply(t, putReq("a", "1"))
	a := []byte("a")
	resp, next := stepEtcd(st, EtcdRequest{Txn: &etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{
		{RequestPut: &etcdapi.PutRequest{Key: a, Value: []byte("2"), PrevKv: true}},
		{RequestRange: &etcdapi.RangeRequest{Key: a}},
		{RequestDeleteRange: &etcdapi.DeleteRangeRequest{Key: a, PrevKv: true}},
		{RequestRange: &etcdapi.RangeRequest{Key: a}},
	}}})
	require.True(t, resp.Txn.Succeeded)
	require.Equal(t, Revision(3), resp.Revision)
	rs := resp.Txn.Responses
	require.Equal(t, "1", string(rs[0].ResponsePut.PrevKv.Value))
	require.Equal(t, "2", string(rs[1].ResponseRange.Kvs[0].Value))
	require.Equal(t, int64(1), rs[2].ResponseDeleteRange.Deleted)
	require.Empty(t, rs[3].ResponseRange.Kvs)
	require.Equal(t, Revision(3), next.rev, "all writes of a txn share one revision")
}

func TestWatchWithoutStartRevisionStartsAtFirstEvent(t *testing.T) {
	ev := func(rev int64) *etcdapi.Event {
		kv := &etcdapi.KeyValue{Key: []byte("a"), ModRevision: rev}
		return &etcdapi.Event{Type: etcdapi.PUT, Kv: kv}
	}
	writes := []revisionWrite{
		{rev: 2, events: []*etcdapi.Event{ev(2)}},
		{rev: 3, events: []*etcdapi.Event{ev(3)}},
	}
	got := &etcdapi.WatchResponse{Events: []*etcdapi.Event{ev(3)}}
	ws := []WatchStream{{Request: &etcdapi.WatchCreateRequest{Key: []byte("a")},
		Responses: []WatchDelivery{{Response: got}}}}
	for i := range writes {
		writes[i].loose = func([]byte) bool { return true }
	}
	require.Empty(t, checkWatches(ws, writes, nil, true))
	v := WatchViolation{Watch: 1, Client: 2, Revision: 3, Kind: "missing-event", Detail: "x"}
	require.Equal(t, "watch 1 (c2) at r3: missing-event: x", v.String())
}
