package linearizability

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// apply runs requests from the empty store, failing on none.
func apply(t *testing.T, reqs ...EtcdRequest) *etcdState {
	st := initialEtcdState
	for _, r := range reqs {
		_, st = stepEtcd(st, r)
		st.checkInvariants()
	}
	return st
}

func putReq(k, v string) EtcdRequest { return EtcdRequest{Put: &PutRequest{Key: k, Value: v}} }

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
	resp, same := stepEtcd(a, EtcdRequest{Range: &RangeRequest{Key: "a"}})
	require.Same(t, a, same)
	require.Equal(t, Revision(4), resp.Revision)
}

func TestCompareKVFollowsMvcc(t *testing.T) {
	kv := KeyValue{Key: "k", Value: "m", CreateRevision: 2, ModRevision: 5, Version: 3, Lease: 7}
	tests := []struct {
		c    Compare
		want bool
	}{
		{Compare{Target: CompareValue, Result: CompareEqual, Value: "m"}, true},
		{Compare{Target: CompareValue, Result: CompareGreater, Value: "a"}, true},
		{Compare{Target: CompareValue, Result: CompareLess, Value: "a"}, false},
		{Compare{Target: CompareVersion, Result: CompareEqual, Version: 3}, true},
		{Compare{Target: CompareVersion, Result: CompareNotEqual, Version: 3}, false},
		{Compare{Target: CompareCreate, Result: CompareLess, CreateRevision: 3}, true},
		{Compare{Target: CompareMod, Result: CompareGreater, ModRevision: 4}, true},
		{Compare{Target: CompareMod, Result: CompareEqual, ModRevision: 4}, false},
		{Compare{Target: CompareLease, Result: CompareEqual, Lease: 7}, true},
		{Compare{Target: CompareLease, Result: CompareNotEqual, Lease: 0}, true},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, compareKV(tt.c, kv), describeCompare(tt.c))
	}
}

func TestComparesOnMissingKeys(t *testing.T) {
	st := apply(t, putReq("a", "1"))
	// A missing key compares as the zero key-value, except by value.
	require.True(t, comparesHold(st, []Compare{{Key: "x", Target: CompareVersion, Version: 0}}))
	require.True(t, comparesHold(st, []Compare{{Key: "x", Target: CompareCreate}}))
	require.False(t, comparesHold(st, []Compare{{Key: "x", Target: CompareValue, Value: ""}}))
	// A range guard must hold for every key in it.
	st = apply(t, putReq("a", "1"), putReq("b", "1"), putReq("c", "2"))
	ones := Compare{Key: "a", RangeEnd: "c", Target: CompareValue, Value: "1"}
	require.True(t, comparesHold(st, []Compare{ones}))
	ones.RangeEnd = "\x00"
	require.False(t, comparesHold(st, []Compare{ones}))
}

func TestRangeLimitCountAndKeysOnly(t *testing.T) {
	st := apply(t, putReq("a", "1"), putReq("b", "2"), putReq("c", "3"))
	all := &RangeRequest{Key: "a", RangeEnd: "\x00", Limit: 2, KeysOnly: true}
	resp, _ := stepEtcd(st, EtcdRequest{Range: all})
	require.Equal(t, int64(3), resp.Range.Count)
	require.True(t, resp.Range.More)
	require.Len(t, resp.Range.KVs, 2)
	require.Empty(t, resp.Range.KVs[0].Value)
	resp, _ = stepEtcd(st, EtcdRequest{Range: &RangeRequest{Key: "a", RangeEnd: "c", CountOnly: true}})
	require.Equal(t, int64(2), resp.Range.Count)
	require.Empty(t, resp.Range.KVs)
	// The value read at a revision is the one current then.
	resp, _ = stepEtcd(apply(t, putReq("a", "1"), putReq("a", "2")),
		EtcdRequest{Range: &RangeRequest{Key: "a", Revision: 2}})
	require.Equal(t, "1", resp.Range.KVs[0].Value)
	require.Equal(t, Revision(3), resp.Revision, "the header says the current revision")
}

func TestTxnReadsItsOwnWrites(t *testing.T) {
	st := apply(t, putReq("a", "1"))
	resp, next := stepEtcd(st, EtcdRequest{Txn: &TxnRequest{Success: []TxnOp{
		{Put: &PutRequest{Key: "a", Value: "2", PrevKv: true}},
		{Range: &RangeRequest{Key: "a"}},
		{DeleteRange: &DeleteRangeRequest{Key: "a", PrevKv: true}},
		{Range: &RangeRequest{Key: "a"}},
	}}})
	require.True(t, resp.Txn.Succeeded)
	require.Equal(t, Revision(3), resp.Revision)
	require.Equal(t, "1", resp.Txn.Responses[0].Put.PrevKv.Value)
	require.Equal(t, "2", resp.Txn.Responses[1].Range.KVs[0].Value)
	require.Equal(t, int64(1), resp.Txn.Responses[2].DeleteRange.Deleted)
	require.Empty(t, resp.Txn.Responses[3].Range.KVs)
	require.Equal(t, Revision(3), next.rev, "all writes of a txn share one revision")
}

func TestWatchWithoutStartRevisionStartsAtFirstEvent(t *testing.T) {
	writes := []revisionWrite{
		{rev: 2, events: []WatchEvent{{Type: EventPut, KV: KeyValue{Key: "a", ModRevision: 2}}}},
		{rev: 3, events: []WatchEvent{{Type: EventPut, KV: KeyValue{Key: "a", ModRevision: 3}}}},
	}
	ws := []WatchStream{{Key: "a", Responses: []WatchResponse{{Events: []WatchEvent{
		{Type: EventPut, KV: KeyValue{Key: "a", ModRevision: 3}}}}}}}
	for i := range writes {
		writes[i].loose = func(string) bool { return true }
	}
	require.Empty(t, checkWatches(ws, writes, nil, true))
	v := WatchViolation{Watch: 1, Client: 2, Revision: 3, Kind: "missing-event", Detail: "x"}
	require.Equal(t, "watch 1 (c2) at r3: missing-event: x", v.String())
}
