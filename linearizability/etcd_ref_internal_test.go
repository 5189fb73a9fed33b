package linearizability

import (
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"etcdsim/testdata/proptest"
)

// refStore is a deliberately naive etcd store (maps, full copies) that the
// etcd model's persistent structure is compared against.
type refStore struct {
	rev, compactRev Revision
	hist            map[string][]refVersion // oldest first
	leases          map[LeaseID]bool
}

type refVersion struct {
	kv      KeyValue
	deleted bool
}

func newRefStore() *refStore {
	return &refStore{rev: 1, hist: map[string][]refVersion{}, leases: map[LeaseID]bool{}}
}

func (s *refStore) get(key string, rev Revision) (KeyValue, bool) {
	vs := s.hist[key]
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].kv.ModRevision <= rev {
			return vs[i].kv, !vs[i].deleted
		}
	}
	return KeyValue{}, false
}

func (s *refStore) rangeAt(lo, end string, rev Revision) []KeyValue {
	var keys []string
	for k := range s.hist { //det:ok sorted below
		if inRange(k, lo, end) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []KeyValue
	for _, k := range keys {
		if kv, ok := s.get(k, rev); ok {
			out = append(out, kv)
		}
	}
	return out
}

// write records a version at rev, replacing one written at rev already.
func (s *refStore) write(v refVersion, rev Revision) {
	vs := s.hist[v.kv.Key]
	if n := len(vs); n > 0 && vs[n-1].kv.ModRevision == rev {
		vs = vs[:n-1]
	}
	s.hist[v.kv.Key] = append(vs, v)
}

func (s *refStore) clone() *refStore {
	c := &refStore{rev: s.rev, compactRev: s.compactRev, hist: map[string][]refVersion{},
		leases: map[LeaseID]bool{}}
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
			return EtcdResponse{Err: RespLeaseExists}
		}
		s.leases[req.LeaseGrant.ID] = true
		return EtcdResponse{Revision: s.rev, LeaseGrant: &LeaseGrantResponse{ID: req.LeaseGrant.ID}}
	case req.LeaseRevoke != nil:
		id := req.LeaseRevoke.ID
		if !s.leases[id] {
			return EtcdResponse{Err: RespLeaseNotFound}
		}
		delete(s.leases, id)
		var ops []TxnOp
		for _, kv := range s.rangeAt("", "\x00", s.rev) {
			if kv.Lease == id {
				ops = append(ops, TxnOp{DeleteRange: &DeleteRangeRequest{Key: kv.Key}})
			}
		}
		resp, _ := s.txn(ops)
		return EtcdResponse{Revision: resp.Revision}
	case req.Compact != nil:
		r := req.Compact.Revision
		if r <= s.compactRev {
			return EtcdResponse{Err: RespCompacted}
		}
		if r > s.rev {
			return EtcdResponse{Err: RespFutureRev}
		}
		s.compactRev = r
		return EtcdResponse{Revision: s.rev}
	}
	return s.applyKV(req)
}

func (s *refStore) applyKV(req EtcdRequest) EtcdResponse {
	ops := []TxnOp{{Range: req.Range, Put: req.Put, DeleteRange: req.DeleteRange}}
	ok := true
	if req.Txn != nil {
		ok = comparesHoldRef(s, req.Txn.Compare)
		ops = req.Txn.Failure
		if ok {
			ops = req.Txn.Success
		}
	}
	resp, results := s.txn(ops)
	if resp.Err != RespOK || req.Txn != nil {
		if resp.Err == RespOK {
			resp.Txn = &TxnResponse{Succeeded: ok, Responses: results}
		}
		return resp
	}
	resp.Range, resp.Put, resp.DeleteRange = results[0].Range, results[0].Put, results[0].DeleteRange
	return resp
}

func comparesHoldRef(s *refStore, cmps []Compare) bool {
	for _, c := range cmps {
		kvs := s.rangeAt(c.Key, c.RangeEnd, s.rev)
		if len(kvs) == 0 {
			kvs = []KeyValue{{}}
			if c.Target == CompareValue {
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
func (s *refStore) txn(ops []TxnOp) (EtcdResponse, []TxnOpResponse) {
	c := s.clone()
	next, wrote := s.rev+1, false
	var results []TxnOpResponse
	for _, op := range ops {
		cur := s.rev
		if wrote {
			cur = next
		}
		var r TxnOpResponse
		switch {
		case op.Range != nil:
			rr, err := refRange(c, cur, op.Range)
			if err != RespOK {
				return EtcdResponse{Err: err}, nil
			}
			r.Range = rr
		case op.Put != nil:
			if op.Put.Lease != 0 && !s.leases[op.Put.Lease] {
				return EtcdResponse{Err: RespLeaseNotFound}, nil
			}
			prev, had := c.get(op.Put.Key, cur)
			kv := KeyValue{Key: op.Put.Key, Value: op.Put.Value, CreateRevision: next,
				ModRevision: next, Version: 1, Lease: op.Put.Lease}
			if had {
				kv.CreateRevision, kv.Version = prev.CreateRevision, prev.Version+1
			}
			c.write(refVersion{kv: kv}, next)
			r.Put = &PutResponse{}
			if op.Put.PrevKv && had {
				r.Put.PrevKv = &prev
			}
			wrote = true
		case op.DeleteRange != nil:
			victims := c.rangeAt(op.DeleteRange.Key, op.DeleteRange.RangeEnd, cur)
			for _, kv := range victims {
				c.write(refVersion{kv: KeyValue{Key: kv.Key, ModRevision: next}, deleted: true}, next)
			}
			r.DeleteRange = &DeleteRangeResponse{Deleted: int64(len(victims))}
			if op.DeleteRange.PrevKv {
				r.DeleteRange.PrevKvs = victims
			}
			wrote = wrote || len(victims) > 0
		}
		results = append(results, r)
	}
	if wrote {
		c.rev = next
	}
	*s = *c
	return EtcdResponse{Revision: s.rev}, results
}

func refRange(s *refStore, cur Revision, r *RangeRequest) (*RangeResponse, ResponseError) {
	rev := r.Revision
	if rev <= 0 {
		rev = cur
	}
	if rev > cur {
		return nil, RespFutureRev
	}
	if rev < s.compactRev {
		return nil, RespCompacted
	}
	kvs := s.rangeAt(r.Key, r.RangeEnd, rev)
	out := &RangeResponse{Count: int64(len(kvs))}
	if r.CountOnly {
		return out, RespOK
	}
	if r.Limit > 0 && int64(len(kvs)) > r.Limit {
		kvs, out.More = kvs[:r.Limit], true
	}
	for i := range kvs {
		if r.KeysOnly {
			kvs[i].Value = ""
		}
	}
	out.KVs = kvs
	return out, RespOK
}

// drawRequest draws a request over keys a..c.
func drawRequest(t *rapid.T, rev Revision) EtcdRequest {
	key := rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "key")
	end := rapid.SampledFrom([]string{"", "", "c", "\x00"}).Draw(t, "end")
	val := fmt.Sprint(rapid.IntRange(0, 3).Draw(t, "val"))
	lease := LeaseID(rapid.IntRange(0, 2).Draw(t, "lease"))
	at := Revision(rapid.Int64Range(0, int64(rev)+1).Draw(t, "rev"))
	op := func() TxnOp {
		switch rapid.IntRange(0, 2).Draw(t, "txnop") {
		case 0:
			return TxnOp{Range: &RangeRequest{Key: key, RangeEnd: end}}
		case 1:
			return TxnOp{Put: &PutRequest{Key: key, Value: val, Lease: lease, PrevKv: true}}
		}
		return TxnOp{DeleteRange: &DeleteRangeRequest{Key: key, RangeEnd: end, PrevKv: true}}
	}
	switch rapid.IntRange(0, 6).Draw(t, "kind") {
	case 0:
		return EtcdRequest{Range: &RangeRequest{Key: key, RangeEnd: end, Revision: at,
			Limit: rapid.Int64Range(0, 2).Draw(t, "limit")}}
	case 1:
		return EtcdRequest{Put: &PutRequest{Key: key, Value: val, Lease: lease, PrevKv: true}}
	case 2:
		return EtcdRequest{DeleteRange: &DeleteRangeRequest{Key: key, RangeEnd: end, PrevKv: true}}
	case 3:
		cmp := Compare{Key: key, Target: CompareTarget(rapid.IntRange(0, 4).Draw(t, "target")),
			Result: CompareResult(rapid.IntRange(0, 3).Draw(t, "result")), Value: val,
			Version: int64(rapid.IntRange(0, 2).Draw(t, "version")), ModRevision: at, CreateRevision: at}
		return EtcdRequest{Txn: &TxnRequest{Compare: []Compare{cmp},
			Success: []TxnOp{op(), op()}, Failure: []TxnOp{op()}}}
	case 4:
		return EtcdRequest{LeaseGrant: &LeaseGrantRequest{ID: max(lease, 1)}}
	case 5:
		return EtcdRequest{LeaseRevoke: &LeaseRevokeRequest{ID: max(lease, 1)}}
	}
	return EtcdRequest{Compact: &CompactRequest{Revision: at}}
}

// The persistent etcd model answers every request as the naive store does.
func TestEtcdModelMatchesNaiveStore(t *testing.T) {
	proptest.Check(t, 2000, func(t *rapid.T) {
		ref, st := newRefStore(), initialEtcdState
		for i := range rapid.IntRange(1, 60).Draw(t, "steps") {
			req := drawRequest(t, ref.rev)
			want := ref.apply(req)
			got, next := stepEtcd(st, req)
			require.True(t, equalResponses(&want, &got), "step %d %v: model %s, naive %s",
				i, req, describeResponse(&got), describeResponse(&want))
			require.Equal(t, ref.rev, next.rev)
			next.checkInvariants()
			st = next
		}
	})
}
