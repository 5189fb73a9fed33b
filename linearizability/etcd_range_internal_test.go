package linearizability

import (
	"bytes"
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc/etcdapi"
)

func TestRangeLimitCountAndKeysOnly(t *testing.T) {
	st := apply(t, putReq("a", "1"), putReq("b", "2"), putReq("c", "3"))
	resp, _ := stepEtcd(st, rangeReq(etcdapi.RangeRequest{Key: []byte("a"), RangeEnd: everyKey,
		Limit: 2, KeysOnly: true}))
	require.Equal(t, int64(3), resp.Range.Count)
	require.True(t, resp.Range.More)
	require.Equal(t, []string{"a", "b"}, keysOf(resp.Range))
	require.Empty(t, resp.Range.Kvs[0].Value)
	require.Equal(t, int64(2), resp.Range.Kvs[0].CreateRevision)
	// KeysOnly copied the key-values: the store still has the values.
	resp, _ = stepEtcd(st, rangeReq(etcdapi.RangeRequest{Key: []byte("a")}))
	require.Equal(t, "1", string(resp.Range.Kvs[0].Value))

	resp, _ = stepEtcd(st, rangeReq(etcdapi.RangeRequest{Key: []byte("a"), RangeEnd: []byte("c"),
		CountOnly: true, Limit: 1}))
	require.Equal(t, int64(2), resp.Range.Count)
	require.False(t, resp.Range.More)
	require.Empty(t, resp.Range.Kvs)
	// The value read at a revision is the one current then.
	resp, _ = stepEtcd(apply(t, putReq("a", "1"), putReq("a", "2")),
		rangeReq(etcdapi.RangeRequest{Key: []byte("a"), Revision: 2}))
	require.Equal(t, "1", string(resp.Range.Kvs[0].Value))
	require.Equal(t, Revision(3), resp.Revision, "the header says the current revision")
}

// sortStore holds a..e with versions 3,1,2,1,3 and values z,y,y,x,w.
func sortStore(t *testing.T) *etcdState {
	return apply(t, putReq("a", "z"), putReq("b", "y"), putReq("c", "y"), putReq("d", "x"),
		putReq("e", "w"), putReq("a", "z"), putReq("c", "y"), putReq("a", "z"), putReq("e", "w"),
		putReq("e", "w"))
}

// Every RangeRequest field, with etcd's rules (etcd_range.go).
func TestRangeSortAndFilters(t *testing.T) {
	st := sortStore(t)
	all := func(r etcdapi.RangeRequest) etcdapi.RangeRequest {
		r.Key, r.RangeEnd = []byte("a"), everyKey
		return r
	}
	tests := []struct {
		name  string
		r     etcdapi.RangeRequest
		keys  []string
		count int64
		more  bool
	}{
		{"key order", all(etcdapi.RangeRequest{}), []string{"a", "b", "c", "d", "e"}, 5, false},
		{"key descending", all(etcdapi.RangeRequest{SortOrder: etcdapi.RangeRequest_DESCEND}),
			[]string{"e", "d", "c", "b", "a"}, 5, false},
		{"value ascending", all(etcdapi.RangeRequest{SortOrder: etcdapi.RangeRequest_ASCEND,
			SortTarget: etcdapi.RangeRequest_VALUE}), []string{"e", "d", "b", "c", "a"}, 5, false},
		{"target without order ascends", all(etcdapi.RangeRequest{
			SortTarget: etcdapi.RangeRequest_VALUE}), []string{"e", "d", "b", "c", "a"}, 5, false},
		{"create descending, limited", all(etcdapi.RangeRequest{Limit: 2,
			SortOrder: etcdapi.RangeRequest_DESCEND, SortTarget: etcdapi.RangeRequest_CREATE}),
			[]string{"e", "d"}, 5, true},
		// Order NONE: the first Limit+1 keys (a, b, c) are sorted by value,
		// not the whole range: e and d, the smallest, are not in the answer.
		{"order none sorts the limited fetch", all(etcdapi.RangeRequest{Limit: 2,
			SortTarget: etcdapi.RangeRequest_VALUE}), []string{"b", "c"}, 5, true},
		{"order ascend sorts everything", all(etcdapi.RangeRequest{Limit: 2,
			SortOrder: etcdapi.RangeRequest_ASCEND, SortTarget: etcdapi.RangeRequest_VALUE}),
			[]string{"e", "d"}, 5, true},
		// Count is taken before the filters.
		{"min mod", all(etcdapi.RangeRequest{MinModRevision: 9}), []string{"a", "e"}, 5, false},
		{"max mod", all(etcdapi.RangeRequest{MaxModRevision: 5}), []string{"b", "d"}, 5, false},
		{"min create", all(etcdapi.RangeRequest{MinCreateRevision: 5}), []string{"d", "e"}, 5, false},
		{"max create", all(etcdapi.RangeRequest{MaxCreateRevision: 3}), []string{"a", "b"}, 5, false},
		{"filter and limit", all(etcdapi.RangeRequest{MinCreateRevision: 3, Limit: 2}),
			[]string{"b", "c"}, 5, true},
		{"filtered point read", etcdapi.RangeRequest{Key: []byte("b"), MinModRevision: 4}, nil, 1, false},
		{"version descending at a revision", all(etcdapi.RangeRequest{Revision: 7,
			SortOrder: etcdapi.RangeRequest_DESCEND, SortTarget: etcdapi.RangeRequest_VERSION}),
			[]string{"a", "b", "c", "d", "e"}, 5, false},
		{"negative limit is none", all(etcdapi.RangeRequest{Limit: -1}),
			[]string{"a", "b", "c", "d", "e"}, 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := stepEtcd(st, rangeReq(tt.r))
			require.NoError(t, resp.Err)
			require.Equal(t, tt.keys, keysOf(resp.Range))
			require.Equal(t, tt.count, resp.Range.Count)
			require.Equal(t, tt.more, resp.Range.More)
		})
	}
}

// With more than 12 key-values sort.Sort is no longer an insertion sort
// and leaves ties out of key order: the model must leave them where etcd's
// sort.Sort does, which the naive store's sort.Sort on the same key-ordered
// input shows. Some answer must differ from a stable sort's, or this test
// would not tell them apart.
func TestRangeSortTiesFallAsSortSort(t *testing.T) {
	ref, st := newRefStore(), initialEtcdState
	for i := range 40 {
		// Values and versions repeat, so that most sort keys tie.
		k := fmt.Sprintf("k%02d", i*7%40)
		req := EtcdRequest{Put: &etcdapi.PutRequest{Key: []byte(k), Value: []byte(fmt.Sprint(i % 3))}}
		for range 1 + i%2 {
			ref.apply(req)
			_, st = stepEtcd(st, req)
		}
	}
	unstable := 0
	for target := etcdapi.RangeRequest_KEY; target <= etcdapi.RangeRequest_VALUE; target++ {
		for order := etcdapi.RangeRequest_NONE; order <= etcdapi.RangeRequest_DESCEND; order++ {
			for _, limit := range []int64{0, 5, 20} {
				r := &etcdapi.RangeRequest{Key: []byte("k"), RangeEnd: []byte("l"), Limit: limit,
					SortOrder: order, SortTarget: target}
				want := ref.apply(EtcdRequest{Range: r})
				got, _ := stepEtcd(st, EtcdRequest{Range: r})
				require.True(t, equalResponses(&want, &got), "%v: model %s, naive %s",
					EtcdRequest{Range: r}, describeResponse(&got), describeResponse(&want))
				if !sortedStably(got.Range.Kvs, r) {
					unstable++
				}
			}
		}
	}
	require.Positive(t, unstable, "no answer tells sort.Sort from a stable sort")
}

// sortedStably reports whether kvs, sorted for r, keep ties in key order.
func sortedStably(kvs []*etcdapi.KeyValue, r *etcdapi.RangeRequest) bool {
	c := append([]*etcdapi.KeyValue(nil), kvs...)
	sort.SliceStable(c, func(i, j int) bool { return bytes.Compare(c[i].Key, c[j].Key) < 0 })
	order := r.SortOrder
	if order == etcdapi.RangeRequest_NONE && r.SortTarget != etcdapi.RangeRequest_KEY {
		order = etcdapi.RangeRequest_ASCEND
	}
	if order != etcdapi.RangeRequest_NONE {
		sort.SliceStable(c, func(i, j int) bool {
			a, b := c[i], c[j]
			if order == etcdapi.RangeRequest_DESCEND {
				a, b = b, a
			}
			return sortKey(a, r.SortTarget) < sortKey(b, r.SortTarget)
		})
	}
	return equalKVs(c, kvs)
}

// sortKey is a key-value's sort target, as a string that orders alike.
func sortKey(kv *etcdapi.KeyValue, target etcdapi.RangeRequest_SortTarget) string {
	switch target {
	case etcdapi.RangeRequest_KEY:
		return string(kv.Key)
	case etcdapi.RangeRequest_VALUE:
		return string(kv.Value)
	case etcdapi.RangeRequest_VERSION:
		return fmt.Sprintf("%020d", kv.Version)
	case etcdapi.RangeRequest_CREATE:
		return fmt.Sprintf("%020d", kv.CreateRevision)
	}
	return fmt.Sprintf("%020d", kv.ModRevision)
}
