package linearizability

import (
	"bytes"
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"etcdsim/mvcc/etcdapi"
	"etcdsim/testdata/proptest"
)

// refStore is a deliberately naive etcd store (maps, full copies, a range
// that reads everything and then applies etcd's rules one by one) that the
// etcd model's persistent structure is compared against.
type refStore struct {
	rev, compactRev int64
	hist            map[string][]refVersion // oldest first
	leases          map[int64]bool
}

type refVersion struct {
	kv      etcdapi.KeyValue
	deleted bool
}

func newRefStore() *refStore {
	return &refStore{rev: 1, compactRev: -1, hist: map[string][]refVersion{}, leases: map[int64]bool{}}
}

func (s *refStore) get(key string, rev int64) (etcdapi.KeyValue, bool) {
	vs := s.hist[key]
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].kv.ModRevision <= rev {
			return vs[i].kv, !vs[i].deleted
		}
	}
	return etcdapi.KeyValue{}, false
}

// refInRange is etcd's range rule, on strings.
func refInRange(k, lo, end string) bool {
	switch end {
	case "":
		return k == lo
	case "\x00":
		return k >= lo
	}
	return k >= lo && k < end
}

// rangeAt returns copies of the live key-values of [lo, end) at rev, in
// key order.
func (s *refStore) rangeAt(lo, end []byte, rev int64) []*etcdapi.KeyValue {
	var keys []string
	for k := range s.hist { //det:ok sorted below
		if refInRange(k, string(lo), string(end)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []*etcdapi.KeyValue
	for _, k := range keys {
		if kv, ok := s.get(k, rev); ok {
			out = append(out, &kv)
		}
	}
	return out
}

// write records a version at rev, replacing one written at rev already.
func (s *refStore) write(v refVersion, rev int64) {
	k := string(v.kv.Key)
	vs := s.hist[k]
	if n := len(vs); n > 0 && vs[n-1].kv.ModRevision == rev {
		vs = vs[:n-1]
	}
	s.hist[k] = append(vs, v)
}

func (s *refStore) clone() *refStore {
	c := &refStore{rev: s.rev, compactRev: s.compactRev, hist: map[string][]refVersion{},
		leases: map[int64]bool{}}
	for k, v := range s.hist { //det:ok copying a map
		c.hist[k] = append([]refVersion(nil), v...)
	}
	for l := range s.leases { //det:ok copying a map
		c.leases[l] = true
	}
	return c
}

// apply runs req and returns the response, changing s unless it fails.
func (s *refStore) apply(req EtcdRequest) EtcdResponse {
	switch {
	case req.LeaseGrant != nil:
		if s.leases[req.LeaseGrant.ID] {
			return EtcdResponse{Err: etcdapi.ErrLeaseExist}
		}
		s.leases[req.LeaseGrant.ID] = true
		return EtcdResponse{Revision: Revision(s.rev),
			LeaseGrant: &etcdapi.LeaseGrantResponse{ID: req.LeaseGrant.ID}}
	case req.LeaseRevoke != nil:
		id := req.LeaseRevoke.ID
		if !s.leases[id] {
			return EtcdResponse{Err: etcdapi.ErrLeaseNotFound}
		}
		delete(s.leases, id)
		var ops []*etcdapi.RequestOp
		for _, kv := range s.rangeAt(nil, []byte{0}, s.rev) {
			if kv.Lease == id {
				ops = append(ops, &etcdapi.RequestOp{
					RequestDeleteRange: &etcdapi.DeleteRangeRequest{Key: kv.Key}})
			}
		}
		resp, _ := s.txn(ops)
		return EtcdResponse{Revision: resp.Revision, LeaseRevoke: &etcdapi.LeaseRevokeResponse{}}
	case req.Compact != nil:
		r := req.Compact.Revision
		if r <= s.compactRev {
			return EtcdResponse{Err: etcdapi.ErrCompacted}
		}
		if r > s.rev {
			return EtcdResponse{Err: etcdapi.ErrFutureRev}
		}
		s.compactRev = r
		return EtcdResponse{Revision: Revision(s.rev), Compact: &etcdapi.CompactionResponse{}}
	}
	return s.applyKV(req)
}

func (s *refStore) applyKV(req EtcdRequest) EtcdResponse {
	ops := []*etcdapi.RequestOp{{RequestRange: req.Range, RequestPut: req.Put,
		RequestDeleteRange: req.DeleteRange}}
	ok := true
	if req.Txn != nil {
		ok = comparesHoldRef(s, req.Txn.Compare)
		ops = req.Txn.Failure
		if ok {
			ops = req.Txn.Success
		}
		for _, op := range ops {
			if err := s.checkTxnOp(op); err != nil {
				return EtcdResponse{Err: err}
			}
		}
	}
	if p := req.Put; p != nil && p.Lease != 0 && !s.leases[p.Lease] {
		return EtcdResponse{Err: etcdapi.ErrLeaseNotFound}
	}
	resp, results := s.txn(ops)
	if resp.Err != nil {
		return resp
	}
	if req.Txn != nil {
		resp.Txn = &etcdapi.TxnResponse{Succeeded: ok, Responses: results}
		return resp
	}
	resp.Range, resp.Put = results[0].ResponseRange, results[0].ResponsePut
	resp.DeleteRange = results[0].ResponseDeleteRange
	return resp
}

// checkTxnOp is etcd's check of one txn op before the txn runs.
func (s *refStore) checkTxnOp(op *etcdapi.RequestOp) error {
	if p := op.RequestPut; p != nil && p.Lease != 0 && !s.leases[p.Lease] {
		return etcdapi.ErrLeaseNotFound
	}
	if r := op.RequestRange; r != nil && r.Revision != 0 {
		if r.Revision > s.rev {
			return etcdapi.ErrFutureRev
		}
		if r.Revision < s.compactRev {
			return etcdapi.ErrCompacted
		}
	}
	return nil
}

func comparesHoldRef(s *refStore, cmps []*etcdapi.Compare) bool {
	for _, c := range cmps {
		kvs := s.rangeAt(c.Key, c.RangeEnd, s.rev)
		if len(kvs) == 0 {
			kvs = []*etcdapi.KeyValue{{}}
			if c.Target == etcdapi.Compare_VALUE {
				return false
			}
		}
		for _, kv := range kvs {
			if !compareKV(c, kv) {
				return false
			}
		}
	}
	return true
}

// txn runs ops on a copy at rev+1 and keeps the copy unless an op fails.
func (s *refStore) txn(ops []*etcdapi.RequestOp) (EtcdResponse, []*etcdapi.ResponseOp) {
	c := s.clone()
	next, wrote := s.rev+1, false
	var results []*etcdapi.ResponseOp
	for _, op := range ops {
		cur := s.rev
		if wrote {
			cur = next
		}
		r := &etcdapi.ResponseOp{}
		switch {
		case op.RequestRange != nil:
			rr, err := refRange(c, cur, op.RequestRange)
			if err != nil {
				return EtcdResponse{Err: err}, nil
			}
			r.ResponseRange = rr
		case op.RequestPut != nil:
			p := op.RequestPut
			prev, had := c.get(string(p.Key), cur)
			kv := etcdapi.KeyValue{Key: p.Key, Value: p.Value, CreateRevision: next,
				ModRevision: next, Version: 1, Lease: p.Lease}
			if had {
				kv.CreateRevision, kv.Version = prev.CreateRevision, prev.Version+1
			}
			c.write(refVersion{kv: kv}, next)
			r.ResponsePut = &etcdapi.PutResponse{}
			if p.PrevKv && had {
				r.ResponsePut.PrevKv = &prev
			}
			wrote = true
		case op.RequestDeleteRange != nil:
			d := op.RequestDeleteRange
			victims := c.rangeAt(d.Key, d.RangeEnd, cur)
			for _, kv := range victims {
				c.write(refVersion{kv: etcdapi.KeyValue{Key: kv.Key, ModRevision: next}, deleted: true}, next)
			}
			r.ResponseDeleteRange = &etcdapi.DeleteRangeResponse{Deleted: int64(len(victims))}
			if d.PrevKv && len(victims) > 0 {
				r.ResponseDeleteRange.PrevKvs = victims
			}
			wrote = wrote || len(victims) > 0
		}
		results = append(results, r)
	}
	if wrote {
		c.rev = next
	}
	*s = *c
	return EtcdResponse{Revision: Revision(s.rev)}, results
}

// refRange reads everything, then applies etcd's rules in turn: Count
// before the filters; without a sort order or a filter only the first
// Limit+1 keys are kept; filters; a sort (ascending for a target without
// an order) with sort.Sort; the limit; keys only.
func refRange(s *refStore, cur int64, r *etcdapi.RangeRequest) (*etcdapi.RangeResponse, error) {
	rev := r.Revision
	if rev > cur {
		return nil, etcdapi.ErrFutureRev
	}
	if rev <= 0 {
		rev = cur
	}
	if rev < s.compactRev {
		return nil, etcdapi.ErrCompacted
	}
	kvs := s.rangeAt(r.Key, r.RangeEnd, rev)
	out := &etcdapi.RangeResponse{Count: int64(len(kvs))}
	if r.CountOnly {
		return out, nil
	}
	filtered := r.MinModRevision != 0 || r.MaxModRevision != 0 ||
		r.MinCreateRevision != 0 || r.MaxCreateRevision != 0
	if r.SortOrder == etcdapi.RangeRequest_NONE && !filtered && r.Limit > 0 &&
		int64(len(kvs)) > r.Limit+1 {
		kvs = kvs[:r.Limit+1]
	}
	var kept []*etcdapi.KeyValue
	for _, kv := range kvs {
		if (r.MinModRevision == 0 || kv.ModRevision >= r.MinModRevision) &&
			(r.MaxModRevision == 0 || kv.ModRevision <= r.MaxModRevision) &&
			(r.MinCreateRevision == 0 || kv.CreateRevision >= r.MinCreateRevision) &&
			(r.MaxCreateRevision == 0 || kv.CreateRevision <= r.MaxCreateRevision) {
			kept = append(kept, kv)
		}
	}
	refSort(kept, r)
	if r.Limit > 0 && int64(len(kept)) > r.Limit {
		kept, out.More = kept[:r.Limit], true
	}
	for _, kv := range kept {
		if r.KeysOnly {
			kv.Value = nil
			if r.SortTarget != etcdapi.RangeRequest_VALUE { // etcd v3.7: no lease from the index
				kv.Lease = 0
			}
		}
	}
	out.Kvs = kept
	return out, nil
}

// refSorter sorts kvs by less.
type refSorter struct {
	kvs  []*etcdapi.KeyValue
	less func(a, b *etcdapi.KeyValue) bool
}

func (s refSorter) Len() int           { return len(s.kvs) }
func (s refSorter) Swap(i, j int)      { s.kvs[i], s.kvs[j] = s.kvs[j], s.kvs[i] }
func (s refSorter) Less(i, j int) bool { return s.less(s.kvs[i], s.kvs[j]) }

// refLess orders key-values by each sort target, ascending.
var refLess = map[etcdapi.RangeRequest_SortTarget]func(a, b *etcdapi.KeyValue) bool{
	etcdapi.RangeRequest_KEY: func(a, b *etcdapi.KeyValue) bool {
		return bytes.Compare(a.Key, b.Key) < 0
	},
	etcdapi.RangeRequest_VERSION: func(a, b *etcdapi.KeyValue) bool { return a.Version < b.Version },
	etcdapi.RangeRequest_CREATE: func(a, b *etcdapi.KeyValue) bool {
		return a.CreateRevision < b.CreateRevision
	},
	etcdapi.RangeRequest_MOD: func(a, b *etcdapi.KeyValue) bool {
		return a.ModRevision < b.ModRevision
	},
	etcdapi.RangeRequest_VALUE: func(a, b *etcdapi.KeyValue) bool {
		return bytes.Compare(a.Value, b.Value) < 0
	},
}

func refSort(kvs []*etcdapi.KeyValue, r *etcdapi.RangeRequest) {
	order := r.SortOrder
	if order == etcdapi.RangeRequest_NONE && r.SortTarget != etcdapi.RangeRequest_KEY {
		order = etcdapi.RangeRequest_ASCEND
	}
	if order == etcdapi.RangeRequest_NONE {
		return
	}
	less := refLess[r.SortTarget]
	if order == etcdapi.RangeRequest_DESCEND {
		asc := less
		less = func(a, b *etcdapi.KeyValue) bool { return asc(b, a) }
	}
	sort.Sort(refSorter{kvs: kvs, less: less})
}

// drawRange draws a range over keys a..e with any of its options.
func drawRange(t *rapid.T, key, end []byte, rev int64) *etcdapi.RangeRequest {
	revAt := func(name string) int64 { return rapid.Int64Range(-1, rev+1).Draw(t, name) }
	filter := func(name string) int64 {
		if rapid.IntRange(0, 3).Draw(t, name+"?") > 0 {
			return 0
		}
		return revAt(name)
	}
	return &etcdapi.RangeRequest{Key: key, RangeEnd: end, Revision: revAt("rev"),
		Limit:          rapid.Int64Range(-1, 3).Draw(t, "limit"),
		SortOrder:      etcdapi.RangeRequest_SortOrder(rapid.IntRange(0, 2).Draw(t, "order")),
		SortTarget:     etcdapi.RangeRequest_SortTarget(rapid.IntRange(0, 4).Draw(t, "target")),
		KeysOnly:       rapid.IntRange(0, 4).Draw(t, "keysOnly") == 0,
		CountOnly:      rapid.IntRange(0, 4).Draw(t, "countOnly") == 0,
		MinModRevision: filter("minMod"), MaxModRevision: filter("maxMod"),
		MinCreateRevision: filter("minCreate"), MaxCreateRevision: filter("maxCreate"),
	}
}

// drawRequest draws a request over keys a..e: mostly puts, so that ranges
// (mostly over several keys) find enough keys to limit, filter and sort.
func drawRequest(t *rapid.T, rev int64) EtcdRequest {
	key := []byte(rapid.SampledFrom([]string{"a", "b", "c", "d", "e"}).Draw(t, "key"))
	end := []byte(rapid.SampledFrom([]string{"\x00", "", "c", "e", "\x00"}).Draw(t, "end"))
	val := []byte(fmt.Sprint(rapid.IntRange(0, 3).Draw(t, "val")))
	lease := int64(rapid.IntRange(0, 2).Draw(t, "lease"))
	at := rapid.Int64Range(-1, rev+1).Draw(t, "at")
	put := &etcdapi.PutRequest{Key: key, Value: val, Lease: lease, PrevKv: true}
	delEnd := []byte(rapid.SampledFrom([]string{"", "", "", "c", "\x00"}).Draw(t, "delEnd"))
	del := &etcdapi.DeleteRangeRequest{Key: key, RangeEnd: delEnd, PrevKv: true}
	op := func() *etcdapi.RequestOp {
		switch rapid.IntRange(0, 2).Draw(t, "txnop") {
		case 0:
			return &etcdapi.RequestOp{RequestRange: drawRange(t, key, end, rev)}
		case 1:
			return &etcdapi.RequestOp{RequestPut: put}
		}
		return &etcdapi.RequestOp{RequestDeleteRange: del}
	}
	kinds := []string{"put", "range", "put", "range", "put", "txn", "delete", "grant", "revoke",
		"compact"}
	switch rapid.SampledFrom(kinds).Draw(t, "kind") {
	case "range":
		return EtcdRequest{Range: drawRange(t, key, end, rev)}
	case "put":
		return EtcdRequest{Put: put}
	case "delete":
		return EtcdRequest{DeleteRange: del}
	case "txn":
		cmp := &etcdapi.Compare{Key: key,
			Target: etcdapi.Compare_CompareTarget(rapid.IntRange(0, 4).Draw(t, "target")),
			Result: etcdapi.Compare_CompareResult(rapid.IntRange(0, 3).Draw(t, "result")),
			Value:  val, Version: int64(rapid.IntRange(0, 2).Draw(t, "version")),
			ModRevision: at, CreateRevision: at}
		return EtcdRequest{Txn: &etcdapi.TxnRequest{Compare: []*etcdapi.Compare{cmp},
			Success: []*etcdapi.RequestOp{op(), op(), op()}, Failure: []*etcdapi.RequestOp{op()}}}
	case "grant":
		return EtcdRequest{LeaseGrant: &etcdapi.LeaseGrantRequest{ID: max(lease, 1)}}
	case "revoke":
		return EtcdRequest{LeaseRevoke: &etcdapi.LeaseRevokeRequest{ID: max(lease, 1)}}
	}
	return EtcdRequest{Compact: &etcdapi.CompactionRequest{Revision: at}}
}

// The persistent etcd model answers every request as the naive store does.
// Each case starts with a put of every key, so that ranges find keys to
// limit, filter and sort.
func TestEtcdModelMatchesNaiveStore(t *testing.T) {
	proptest.Check(t, 2000, func(t *rapid.T) {
		ref, st := newRefStore(), initialEtcdState
		var reqs []EtcdRequest
		for _, k := range []string{"a", "b", "c", "d", "e"} {
			v := fmt.Sprint(rapid.IntRange(0, 3).Draw(t, "val"))
			reqs = append(reqs, EtcdRequest{Put: &etcdapi.PutRequest{Key: []byte(k), Value: []byte(v)}})
		}
		for i := range rapid.IntRange(1, 60).Draw(t, "steps") + len(reqs) {
			if i >= len(reqs) {
				reqs = append(reqs, drawRequest(t, ref.rev))
			}
			req := reqs[i]
			require.NoError(t, req.validFields())
			want := ref.apply(req)
			got, next := stepEtcd(st, req)
			require.True(t, equalResponses(&want, &got), "step %d %v: model %s, naive %s",
				i, req, describeResponse(&got), describeResponse(&want))
			require.Equal(t, Revision(ref.rev), next.rev)
			require.Equal(t, Revision(ref.compactRev), next.compactRev)
			next.checkInvariants()
			st = next
		}
	})
}
