package mvcc

import (
	"bytes"
	"sort"

	"etcdsim/mvcc/etcdapi"
)

// rangeOptions are etcd's mvcc.RangeOptions.
type rangeOptions struct {
	limit int64
	rev   int64
	count bool
}

// rangeKeys reads the range at ro.rev (curRev when <= 0), as etcd's
// storeTxnRead.rangeKeys. end nil is one key; end empty is every key from
// key on. It returns the key-values, the number of live keys in the range
// and etcdapi.ErrFutureRev or etcdapi.ErrCompacted.
func (s *Store) rangeKeys(key, end []byte, curRev int64, ro rangeOptions) (
	[]*etcdapi.KeyValue, int64, error) {
	rev := ro.rev
	if rev > curRev {
		return nil, -1, etcdapi.ErrFutureRev
	}
	if rev <= 0 {
		rev = curRev
	}
	if rev < s.compactRev {
		return nil, -1, etcdapi.ErrCompacted
	}
	if ro.count {
		return nil, int64(s.ix.countRevisions(key, end, rev)), nil
	}
	if end == nil {
		return s.rangeOne(key, rev)
	}
	revs, total := s.ix.revisions(key, end, rev, int(ro.limit))
	if len(revs) == 0 {
		return nil, int64(total), nil
	}
	vals := make([]etcdapi.KeyValue, len(revs))
	kvs := make([]*etcdapi.KeyValue, len(revs))
	for i, r := range revs {
		kv, ok, err := s.be.get(r)
		if err != nil {
			return nil, -1, err
		}
		if !(ok) {
			panicf("index revision %v of range missing from backend", r)
		}
		vals[i] = kv
		kvs[i] = &vals[i]
	}
	return kvs, int64(total), nil
}

// pointResult holds a point read's key-value and its one-element slice in
// a single allocation.
type pointResult struct {
	kv  etcdapi.KeyValue
	ptr [1]*etcdapi.KeyValue
}

// rangeOne is rangeKeys for a single key.
func (s *Store) rangeOne(key []byte, rev int64) ([]*etcdapi.KeyValue, int64, error) {
	r, _, _, ok := s.ix.get(key, rev)
	if !ok {
		return nil, 0, nil
	}
	kv, found, err := s.be.get(r)
	if err != nil {
		return nil, -1, err
	}
	if !(found) {
		panicf("index revision %v of %q missing from backend", r, key)
	}
	p := &pointResult{kv: kv}
	p.ptr[0] = &p.kv
	return p.ptr[:], 1, nil
}

// mkGteRange maps etcd's "\x00" range end (every key from Key on) to the
// index's empty end, and an absent range end to nil (one key).
func mkGteRange(rangeEnd []byte) []byte {
	if len(rangeEnd) == 1 && rangeEnd[0] == 0 {
		return []byte{}
	}
	if len(rangeEnd) == 0 {
		return nil
	}
	return rangeEnd
}

// rangeResult is a RangeResponse and its header in one allocation.
type rangeResult struct {
	resp etcdapi.RangeResponse
	hdr  etcdapi.ResponseHeader
}

// applyRange is etcd's applierV3backend.Range: fetch (one extra for More, or
// everything when sorting or filtering), prune by revision filters, sort,
// truncate. Count is the number of live keys before the filters, as etcd's.
// "Sorting" means a sort order other than NONE: with order NONE and a
// non-KEY target, etcd fetches limit+1 keys in key order and sorts only
// those (v3.6.16 server/etcdserver/txn/txn.go executeRange; v3.7.3
// txn/range.go rangeLimit), so the answer need not hold the smallest.
func (s *Store) applyRange(r *etcdapi.RangeRequest, curRev int64) (*etcdapi.RangeResponse, error) {
	if len(r.RangeEnd) == 0 && !r.CountOnly {
		return s.applyRangePoint(r, curRev)
	}
	limit := r.Limit
	if r.SortOrder != etcdapi.RangeRequest_NONE || r.MinModRevision != 0 || r.MaxModRevision != 0 ||
		r.MinCreateRevision != 0 || r.MaxCreateRevision != 0 {
		limit = 0
	}
	if limit > 0 {
		limit++
	}
	kvs, count, err := s.rangeKeys(r.Key, mkGteRange(r.RangeEnd), curRev,
		rangeOptions{limit: limit, rev: r.Revision, count: r.CountOnly})
	if err != nil {
		return nil, err
	}
	kvs = pruneKVs(kvs, r)
	sortKVs(kvs, r.SortOrder, r.SortTarget)
	res := &rangeResult{hdr: etcdapi.ResponseHeader{Revision: curRev}}
	res.resp.Header = &res.hdr
	if r.Limit > 0 && int64(len(kvs)) > r.Limit {
		kvs = kvs[:r.Limit]
		res.resp.More = true
	}
	if r.KeysOnly {
		s.keysOnly(kvs, r.SortTarget)
	}
	if len(kvs) == 0 {
		kvs = nil // what an etcd client sees for an empty repeated field
	}
	res.resp.Kvs = kvs
	res.resp.Count = count
	return &res.resp, nil
}

// pointRangeResult is a one-key RangeResponse, its header and key-value
// in a single allocation: the hot path of reads.
type pointRangeResult struct {
	resp etcdapi.RangeResponse
	hdr  etcdapi.ResponseHeader
	kv   etcdapi.KeyValue
	ptr  [1]*etcdapi.KeyValue
}

// applyRangePoint is applyRange for one key, where limit, sort and More
// cannot matter.
func (s *Store) applyRangePoint(r *etcdapi.RangeRequest,
	curRev int64) (*etcdapi.RangeResponse, error) {
	rev := r.Revision
	if rev > curRev {
		return nil, etcdapi.ErrFutureRev
	}
	if rev <= 0 {
		rev = curRev
	}
	if rev < s.compactRev {
		return nil, etcdapi.ErrCompacted
	}
	res := &pointRangeResult{hdr: etcdapi.ResponseHeader{Revision: curRev}}
	res.resp.Header = &res.hdr
	at, _, _, ok := s.ix.get(r.Key, rev)
	if !ok {
		return &res.resp, nil
	}
	kv, found, err := s.be.get(at)
	if err != nil {
		return nil, err
	}
	if !found {
		panicf("index revision %v of %q missing from backend", at, r.Key)
	}
	res.resp.Count = 1
	res.kv = kv
	res.ptr[0] = &res.kv
	if kvs := pruneKVs(res.ptr[:], r); len(kvs) == 1 {
		res.resp.Kvs = kvs
	}
	if r.KeysOnly {
		s.keysOnly(res.ptr[:], r.SortTarget)
	}
	return &res.resp, nil
}

// keysOnly strips the key-values of a keys_only answer, which are the
// range's own copies: the value always; the lease too where etcd v3.7
// answers from its key index alone, that is unless the range sorts by VALUE
// (etcdRules.keysOnlyDropsLease; etcd v3.7.3
// server/etcdserver/txn/range.go executeRange sets FastKeysOnly).
func (s *Store) keysOnly(kvs []*etcdapi.KeyValue, target etcdapi.RangeRequest_SortTarget) {
	dropLease := s.rules.keysOnlyDropsLease && target != etcdapi.RangeRequest_VALUE
	for _, kv := range kvs {
		kv.Value = nil
		if dropLease {
			kv.Lease = 0
		}
	}
}

// pruneKVs drops the key-values outside the request's revision filters,
// keeping order.
func pruneKVs(kvs []*etcdapi.KeyValue, r *etcdapi.RangeRequest) []*etcdapi.KeyValue {
	if r.MinModRevision == 0 && r.MaxModRevision == 0 &&
		r.MinCreateRevision == 0 && r.MaxCreateRevision == 0 {
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

// sortKVs sorts as etcd (v3.5 to v3.7) does, with the same unstable
// sort.Sort and the same comparisons, so that ties land in the same order: a
// non-KEY target with order NONE sorts ascending; KEY ascending is already
// the index order.
func sortKVs(kvs []*etcdapi.KeyValue, order etcdapi.RangeRequest_SortOrder,
	target etcdapi.RangeRequest_SortTarget) {
	if target != etcdapi.RangeRequest_KEY && order == etcdapi.RangeRequest_NONE {
		order = etcdapi.RangeRequest_ASCEND
	} else if target == etcdapi.RangeRequest_KEY && order == etcdapi.RangeRequest_ASCEND {
		order = etcdapi.RangeRequest_NONE
	}
	if order == etcdapi.RangeRequest_NONE {
		return
	}
	var sorter sort.Interface
	base := kvSort(kvs)
	switch target {
	case etcdapi.RangeRequest_KEY:
		sorter = kvSortByKey{base}
	case etcdapi.RangeRequest_VERSION:
		sorter = kvSortByVersion{base}
	case etcdapi.RangeRequest_CREATE:
		sorter = kvSortByCreate{base}
	case etcdapi.RangeRequest_MOD:
		sorter = kvSortByMod{base}
	case etcdapi.RangeRequest_VALUE:
		sorter = kvSortByValue{base}
	default:
		if !(false) {
			panicf("unvalidated sort target %d", target)
		}
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
