package linearizability

import (
	"bytes"
	"math"
	"sort"

	"etcdsim/mvcc/etcdapi"
)

// This file reads a range with every RangeRequest field as etcd v3.7 does
// in server/etcdserver/txn/range.go (executeRange: rangeLimit, then mvcc's
// rangeKeys, filterRangeResults, sortRangeResults, asembleRangeResponse;
// etcd v3.6's txn.go executeRange is the same). Serializable changes
// which member answers, not the answer, and is ignored.

// rangeResult is a RangeResponse with room for a one-key answer, so that a
// point read costs one allocation.
type rangeResult struct {
	resp etcdapi.RangeResponse
	one  [1]*etcdapi.KeyValue
}

// readRange answers r from the view st, whose current revision is cur. It
// returns ErrFutureRev or ErrCompacted for a revision out of reach. The
// key-values point into the model's immutable versions.
func readRange(st *etcdState, cur Revision,
	r *etcdapi.RangeRequest) (*etcdapi.RangeResponse, error) {
	rev := Revision(r.Revision)
	if rev > cur {
		return nil, etcdapi.ErrFutureRev
	}
	if rev <= 0 {
		rev = cur
	}
	if rev < st.compactRev {
		return nil, etcdapi.ErrCompacted
	}
	res := &rangeResult{}
	if r.CountOnly {
		_, res.resp.Count = st.rangeAt(nil, r.Key, r.RangeEnd, rev, -1)
		return &res.resp, nil
	}
	var kvs []*etcdapi.KeyValue
	if len(r.RangeEnd) == 0 {
		kvs = res.one[:0]
	}
	// Count is every live key of the range, taken before the filters.
	kvs, res.resp.Count = st.rangeAt(kvs, r.Key, r.RangeEnd, rev, fetchLimit(r))
	kvs = pruneKVs(kvs, r)
	sortKVs(kvs, r.SortOrder, r.SortTarget)
	if r.Limit > 0 && int64(len(kvs)) > r.Limit {
		kvs = kvs[:r.Limit]
		res.resp.More = true
	}
	if r.KeysOnly {
		keysOnly(kvs, r.SortTarget != etcdapi.RangeRequest_VALUE)
	}
	if int64(len(kvs)) > res.resp.Count {
		assertf(false, "range returns %d of %d key-values", len(kvs), res.resp.Count)
	}
	if len(kvs) > 0 {
		res.resp.Kvs = kvs
	}
	return &res.resp, nil
}

// fetchLimit is etcd's rangeLimit: how many key-values to fetch in key
// order before filtering and sorting (0: all). A sort order other than
// NONE or a revision filter fetches all; otherwise one more than Limit is
// fetched, to tell More. So with order NONE and a target other than KEY,
// which sorts ascending, etcd sorts the first Limit+1 keys in key order,
// not the whole range: the answer need not hold the smallest values.
func fetchLimit(r *etcdapi.RangeRequest) int64 {
	limit := max(r.Limit, 0) // a negative limit is none
	if r.SortOrder != etcdapi.RangeRequest_NONE || hasRevisionFilters(r) {
		limit = 0
	}
	if limit > 0 && limit < math.MaxInt64 {
		limit++
	}
	return limit
}

func hasRevisionFilters(r *etcdapi.RangeRequest) bool {
	return r.MinModRevision != 0 || r.MaxModRevision != 0 ||
		r.MinCreateRevision != 0 || r.MaxCreateRevision != 0
}

// pruneKVs drops, in place, the key-values outside the request's revision
// filters (etcd's filterRangeResults; a zero bound is no bound).
func pruneKVs(kvs []*etcdapi.KeyValue, r *etcdapi.RangeRequest) []*etcdapi.KeyValue {
	if !hasRevisionFilters(r) {
		return kvs
	}
	out := kvs[:0]
	for _, kv := range kvs {
		switch {
		case r.MaxModRevision != 0 && kv.ModRevision > r.MaxModRevision:
		case r.MinModRevision != 0 && kv.ModRevision < r.MinModRevision:
		case r.MaxCreateRevision != 0 && kv.CreateRevision > r.MaxCreateRevision:
		case r.MinCreateRevision != 0 && kv.CreateRevision < r.MinCreateRevision:
		default:
			out = append(out, kv)
		}
	}
	return out
}

// sortKVs sorts key-ordered kvs as etcd's sortRangeResults: a target other
// than KEY with order NONE sorts ascending, and KEY ascending is the order
// they are in. It calls sort.Sort with etcd's Less functions (comparisons
// by subtraction included) on the same key-ordered input, so that ties,
// which the unstable sort leaves in no promised order, fall as in etcd.
// A later revision of etcd's range.go, on its main branch, sorts with
// slices.SortFunc instead, whose ties may fall otherwise.
func sortKVs(kvs []*etcdapi.KeyValue, order etcdapi.RangeRequest_SortOrder,
	target etcdapi.RangeRequest_SortTarget) {
	if target != etcdapi.RangeRequest_KEY && order == etcdapi.RangeRequest_NONE {
		order = etcdapi.RangeRequest_ASCEND
	} else if target == etcdapi.RangeRequest_KEY && order == etcdapi.RangeRequest_ASCEND {
		order = etcdapi.RangeRequest_NONE
	}
	if order == etcdapi.RangeRequest_NONE || len(kvs) < 2 {
		return
	}
	var sorter sort.Interface
	switch target {
	case etcdapi.RangeRequest_KEY:
		sorter = kvSortByKey{kvs}
	case etcdapi.RangeRequest_VERSION:
		sorter = kvSortByVersion{kvs}
	case etcdapi.RangeRequest_CREATE:
		sorter = kvSortByCreate{kvs}
	case etcdapi.RangeRequest_MOD:
		sorter = kvSortByMod{kvs}
	default:
		assertf(target == etcdapi.RangeRequest_VALUE, "sort target %d passed validation", target)
		sorter = kvSortByValue{kvs}
	}
	if order == etcdapi.RangeRequest_DESCEND {
		sorter = sort.Reverse(sorter)
	}
	sort.Sort(sorter)
}

type kvSort []*etcdapi.KeyValue

func (s kvSort) Len() int      { return len(s) }
func (s kvSort) Swap(i, j int) { s[i], s[j] = s[j], s[i] }

type kvSortByKey struct{ kvSort }

func (s kvSortByKey) Less(i, j int) bool {
	return bytes.Compare(s.kvSort[i].Key, s.kvSort[j].Key) < 0
}

type kvSortByVersion struct{ kvSort }

func (s kvSortByVersion) Less(i, j int) bool { return s.kvSort[i].Version-s.kvSort[j].Version < 0 }

type kvSortByCreate struct{ kvSort }

func (s kvSortByCreate) Less(i, j int) bool {
	return s.kvSort[i].CreateRevision-s.kvSort[j].CreateRevision < 0
}

type kvSortByMod struct{ kvSort }

func (s kvSortByMod) Less(i, j int) bool {
	return s.kvSort[i].ModRevision-s.kvSort[j].ModRevision < 0
}

type kvSortByValue struct{ kvSort }

func (s kvSortByValue) Less(i, j int) bool {
	return bytes.Compare(s.kvSort[i].Value, s.kvSort[j].Value) < 0
}

// keysOnly replaces, in place, each key-value by a copy without its value
// (the originals are the model's immutable versions), and without its
// lease when dropLease is set. etcd v3.7 serves a keys_only range that
// does not sort by value from its key index, which holds no lease, so the
// lease comes back 0 (v3.7.3 server/etcdserver/txn/range.go executeRange,
// FastKeysOnly; v3.6 kept it). The model follows v3.7, as the store does
// by default.
func keysOnly(kvs []*etcdapi.KeyValue, dropLease bool) {
	vals := make([]etcdapi.KeyValue, len(kvs))
	for i, kv := range kvs {
		vals[i] = *kv
		vals[i].Value = nil
		if dropLease {
			vals[i].Lease = 0
		}
		kvs[i] = &vals[i]
	}
}
