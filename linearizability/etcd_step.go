package linearizability

import (
	"sort"
	"strings"
)

// stepEtcd returns the response the model gives to req in st and the state
// after it. A request that fails leaves the state unchanged.
func stepEtcd(st *etcdState, req EtcdRequest) (EtcdResponse, *etcdState) {
	switch {
	case req.Range != nil:
		rr, err := readRange(st, st.rev, req.Range)
		if err != RespOK {
			return EtcdResponse{Err: err}, st
		}
		return EtcdResponse{Revision: st.rev, Range: rr}, st
	case req.Put != nil:
		return stepTxnOps(st, []TxnOp{{Put: req.Put}}, func(r *EtcdResponse, ops []TxnOpResponse) {
			r.Put = ops[0].Put
		})
	case req.DeleteRange != nil:
		return stepTxnOps(st, []TxnOp{{DeleteRange: req.DeleteRange}},
			func(r *EtcdResponse, ops []TxnOpResponse) { r.DeleteRange = ops[0].DeleteRange })
	case req.Txn != nil:
		ok := comparesHold(st, req.Txn.Compare)
		ops := req.Txn.Failure
		if ok {
			ops = req.Txn.Success
		}
		return stepTxnOps(st, ops, func(r *EtcdResponse, res []TxnOpResponse) {
			r.Txn = &TxnResponse{Succeeded: ok, Responses: res}
		})
	case req.LeaseGrant != nil:
		return stepLeaseGrant(st, req.LeaseGrant.ID)
	case req.LeaseRevoke != nil:
		return stepLeaseRevoke(st, req.LeaseRevoke.ID)
	case req.Compact != nil:
		return stepCompact(st, req.Compact.Revision)
	}
	assertf(false, "request passed validation with no field set")
	return EtcdResponse{}, st
}

// readRange answers a range read of st whose current revision is cur.
func readRange(st *etcdState, cur Revision, r *RangeRequest) (*RangeResponse, ResponseError) {
	rev := r.Revision
	if rev <= 0 {
		rev = cur
	}
	if rev > cur {
		return nil, RespFutureRev
	}
	if rev < st.compactRev {
		return nil, RespCompacted
	}
	kvs := st.rangeAt(r.Key, r.RangeEnd, rev)
	resp := &RangeResponse{Count: int64(len(kvs))}
	if r.CountOnly {
		return resp, RespOK
	}
	if r.Limit > 0 && int64(len(kvs)) > r.Limit {
		kvs = kvs[:r.Limit]
		resp.More = true
	}
	if r.KeysOnly {
		for i := range kvs {
			kvs[i].Value = ""
		}
	}
	resp.KVs = kvs
	return resp, RespOK
}

// stepTxnOps runs ops in one revision and lets fill place their results
// in the response. The first failing op fails the whole request.
func stepTxnOps(st *etcdState, ops []TxnOp,
	fill func(*EtcdResponse, []TxnOpResponse)) (EtcdResponse, *etcdState) {
	w := newStoreWriter(st)
	results := make([]TxnOpResponse, len(ops))
	for i, op := range ops {
		switch {
		case op.Range != nil:
			rr, err := readRange(w.view(), w.readRev(), op.Range)
			if err != RespOK {
				return EtcdResponse{Err: err}, st
			}
			results[i].Range = rr
		case op.Put != nil:
			p := op.Put
			if p.Lease != 0 && !st.hasLease(p.Lease) {
				return EtcdResponse{Err: RespLeaseNotFound}, st
			}
			prev := w.put(p.Key, p.Value, p.Lease)
			results[i].Put = &PutResponse{}
			if p.PrevKv {
				results[i].Put.PrevKv = prev
			}
		case op.DeleteRange != nil:
			d := op.DeleteRange
			victims := w.deleteRange(d.Key, d.RangeEnd)
			results[i].DeleteRange = &DeleteRangeResponse{Deleted: int64(len(victims))}
			if d.PrevKv {
				results[i].DeleteRange.PrevKvs = victims
			}
		}
	}
	next := w.commit()
	resp := EtcdResponse{Revision: next.rev}
	fill(&resp, results)
	return resp, next
}

// comparesHold evaluates a txn's guards as etcd's applyCompare does: a
// guard over keys that do not exist compares the zero key-value, except a
// value guard, which fails.
func comparesHold(st *etcdState, cmps []Compare) bool {
	for _, c := range cmps {
		kvs := st.rangeAt(c.Key, c.RangeEnd, st.rev)
		if len(kvs) == 0 {
			if c.Target == CompareValue || !compareKV(c, KeyValue{}) {
				return false
			}
			continue
		}
		for _, kv := range kvs {
			if !compareKV(c, kv) {
				return false
			}
		}
	}
	return true
}

// compareKV applies one guard to one key-value.
func compareKV(c Compare, kv KeyValue) bool {
	var r int
	switch c.Target {
	case CompareValue:
		r = strings.Compare(kv.Value, c.Value)
	case CompareVersion:
		r = cmpInt(kv.Version, c.Version)
	case CompareCreate:
		r = cmpInt(int64(kv.CreateRevision), int64(c.CreateRevision))
	case CompareMod:
		r = cmpInt(int64(kv.ModRevision), int64(c.ModRevision))
	case CompareLease:
		r = cmpInt(int64(kv.Lease), int64(c.Lease))
	}
	switch c.Result {
	case CompareEqual:
		return r == 0
	case CompareGreater:
		return r > 0
	case CompareLess:
		return r < 0
	default:
		return r != 0
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// stepLeaseGrant grants lease id unless it exists.
func stepLeaseGrant(st *etcdState, id LeaseID) (EtcdResponse, *etcdState) {
	if st.hasLease(id) {
		return EtcdResponse{Err: RespLeaseExists}, st
	}
	leases := make([]LeaseID, 0, len(st.leases)+1)
	leases = append(append(leases, st.leases...), id)
	sort.Slice(leases, func(i, j int) bool { return leases[i] < leases[j] })
	w := newStoreWriter(st)
	w.setLeases(leases)
	next := w.commit()
	assertf(next.rev == st.rev, "lease grant moved rev %v -> %v", st.rev, next.rev)
	return EtcdResponse{Revision: next.rev, LeaseGrant: &LeaseGrantResponse{ID: id}}, next
}

// stepLeaseRevoke revokes lease id and deletes its keys in one revision.
func stepLeaseRevoke(st *etcdState, id LeaseID) (EtcdResponse, *etcdState) {
	if !st.hasLease(id) {
		return EtcdResponse{Err: RespLeaseNotFound}, st
	}
	leases := make([]LeaseID, 0, len(st.leases))
	for _, l := range st.leases {
		if l != id {
			leases = append(leases, l)
		}
	}
	w := newStoreWriter(st)
	for _, kv := range st.rangeAt("", "\x00", st.rev) {
		if kv.Lease == id {
			w.deleteRange(kv.Key, "")
		}
	}
	w.setLeases(leases)
	next := w.commit()
	return EtcdResponse{Revision: next.rev}, next
}

// stepCompact compacts history up to rev. Compaction keeps the versions
// (states stay equal-comparable); reads below compactRev fail instead.
func stepCompact(st *etcdState, rev Revision) (EtcdResponse, *etcdState) {
	if rev <= st.compactRev {
		return EtcdResponse{Err: RespCompacted}, st
	}
	if rev > st.rev {
		return EtcdResponse{Err: RespFutureRev}, st
	}
	next := *st
	next.compactRev = rev
	next.rehash()
	next.checkInvariants()
	return EtcdResponse{Revision: st.rev}, &next
}
