package linearizability

import (
	"bytes"

	"etcdsim/mvcc/etcdapi"
)

// stepEtcd returns the response the model gives to req in st and the state
// after it. A request that fails leaves the state unchanged.
func stepEtcd(st *etcdState, req EtcdRequest) (EtcdResponse, *etcdState) {
	switch {
	case req.Range != nil:
		rr, err := readRange(st, st.rev, req.Range)
		if err != nil {
			return EtcdResponse{Err: err}, st
		}
		return EtcdResponse{Revision: st.rev, Range: rr}, st
	case req.Put != nil:
		if err := checkPut(st, req.Put); err != nil {
			return EtcdResponse{Err: err}, st
		}
		w := newStoreWriter(st)
		put := w.runPut(req.Put)
		next := w.commit()
		return EtcdResponse{Revision: next.rev, Put: put}, next
	case req.DeleteRange != nil:
		w := newStoreWriter(st)
		del := w.runDelete(req.DeleteRange)
		next := w.commit()
		return EtcdResponse{Revision: next.rev, DeleteRange: del}, next
	case req.Txn != nil:
		return stepTxn(st, req.Txn)
	case req.LeaseGrant != nil:
		return stepLeaseGrant(st, req.LeaseGrant)
	case req.LeaseRevoke != nil:
		return stepLeaseRevoke(st, leaseID(req.LeaseRevoke.ID))
	case req.Compact != nil:
		return stepCompact(st, Revision(req.Compact.Revision))
	}
	assertf(false, "request passed validation with no field set")
	return EtcdResponse{}, st
}

// txnResult is a TxnResponse with room for the results of two ops, so
// that a small txn's response costs one allocation.
type txnResult struct {
	resp etcdapi.TxnResponse
	ops  [2]etcdapi.ResponseOp
	ptrs [2]*etcdapi.ResponseOp
}

// newTxnResponse returns a response with n empty results (none: nil, as
// an etcd client sees an empty list).
func newTxnResponse(succeeded bool, n int) *etcdapi.TxnResponse {
	res := &txnResult{resp: etcdapi.TxnResponse{Succeeded: succeeded}}
	if n == 0 {
		return &res.resp
	}
	ops, ptrs := res.ops[:], res.ptrs[:]
	if n > len(ops) {
		ops, ptrs = make([]etcdapi.ResponseOp, n), make([]*etcdapi.ResponseOp, n)
	}
	for i := range n {
		ptrs[i] = &ops[i]
	}
	res.resp.Responses = ptrs[:n]
	return &res.resp
}

// stepTxn runs a txn as etcd's applyTxn does (etcd v3.6 and later,
// server/etcdserver/txn/txn.go): the compares against st choose a branch;
// every op of the branch is checked in order against st, and the first
// that fails fails the txn before anything is written (checkTxn); then the
// ops run in one revision, each reading the writes before it.
func stepTxn(st *etcdState, t *etcdapi.TxnRequest) (EtcdResponse, *etcdState) {
	ok := comparesHold(st, t.Compare)
	ops := t.Failure
	if ok {
		ops = t.Success
	}
	for _, op := range ops {
		if err := checkOp(st, op); err != nil {
			return EtcdResponse{Err: err}, st
		}
	}
	resp := newTxnResponse(ok, len(ops))
	w := newStoreWriter(st)
	for i, op := range ops {
		w.runOp(op, resp.Responses[i])
	}
	next := w.commit()
	return EtcdResponse{Revision: next.rev, Txn: resp}, next
}

// checkOp is etcd's checkRequestPut and checkRequestRange for one op of a
// txn, against the store before the txn: a leased put needs its lease,
// and a range's revision must be neither compacted nor in the future.
func checkOp(st *etcdState, op *etcdapi.RequestOp) error {
	if op.RequestPut != nil {
		return checkPut(st, op.RequestPut)
	}
	if r := op.RequestRange; r != nil {
		switch rev := Revision(r.Revision); {
		case rev == 0:
		case rev > st.rev:
			return etcdapi.ErrFutureRev
		case rev < st.compactRev:
			return etcdapi.ErrCompacted
		}
	}
	return nil
}

// checkPut fails a put whose lease is not granted.
func checkPut(st *etcdState, p *etcdapi.PutRequest) error {
	if p.Lease != 0 && !st.hasLease(p.Lease) {
		return etcdapi.ErrLeaseNotFound
	}
	return nil
}

// runOp runs one checked op of a txn and fills its result in out.
func (w *storeWriter) runOp(op *etcdapi.RequestOp, out *etcdapi.ResponseOp) {
	switch {
	case op.RequestRange != nil:
		rr, err := readRange(w.view(), w.readRev(), op.RequestRange)
		assertf(err == nil, "checked range failed: %v", err)
		out.ResponseRange = rr
	case op.RequestPut != nil:
		out.ResponsePut = w.runPut(op.RequestPut)
	case op.RequestDeleteRange != nil:
		out.ResponseDeleteRange = w.runDelete(op.RequestDeleteRange)
	default:
		assertf(false, "txn op passed validation with no field set")
	}
}

// runPut runs a checked put.
func (w *storeWriter) runPut(p *etcdapi.PutRequest) *etcdapi.PutResponse {
	prev := w.put(p.Key, p.Value, p.Lease)
	if p.PrevKv && prev != nil {
		return &etcdapi.PutResponse{PrevKv: prev}
	}
	return &etcdapi.PutResponse{}
}

// runDelete runs a delete.
func (w *storeWriter) runDelete(d *etcdapi.DeleteRangeRequest) *etcdapi.DeleteRangeResponse {
	victims := w.deleteRange(d.Key, d.RangeEnd)
	resp := &etcdapi.DeleteRangeResponse{Deleted: int64(len(victims))}
	if d.PrevKv {
		resp.PrevKvs = victims
	}
	return resp
}

// zeroKV is what a compare reads for a range with no live key.
var zeroKV etcdapi.KeyValue

// comparesHold evaluates a txn's guards as mvcc's applyCompare does: every
// live key of a guard's range must satisfy it; a range with no live key
// compares the zero key-value, except a value guard, which fails.
func comparesHold(st *etcdState, cmps []*etcdapi.Compare) bool {
	for _, c := range cmps {
		found := false
		i, _ := st.find(c.Key)
		for ; i < len(st.keys) && inRange(st.keys[i].key, c.Key, c.RangeEnd); i++ {
			kv := at(st.keys[i].head, st.rev)
			if kv == nil {
				continue
			}
			found = true
			if !compareKV(c, kv) {
				return false
			}
		}
		if !found && (c.Target == etcdapi.Compare_VALUE || !compareKV(c, &zeroKV)) {
			return false
		}
	}
	return true
}

// compareKV applies one guard to one key-value (etcd's compareKV).
func compareKV(c *etcdapi.Compare, kv *etcdapi.KeyValue) bool {
	var r int
	switch c.Target {
	case etcdapi.Compare_VALUE:
		r = bytes.Compare(kv.Value, c.Value)
	case etcdapi.Compare_VERSION:
		r = cmpInt(kv.Version, c.Version)
	case etcdapi.Compare_CREATE:
		r = cmpInt(kv.CreateRevision, c.CreateRevision)
	case etcdapi.Compare_MOD:
		r = cmpInt(kv.ModRevision, c.ModRevision)
	case etcdapi.Compare_LEASE:
		r = cmpInt(kv.Lease, c.Lease)
	}
	switch c.Result {
	case etcdapi.Compare_EQUAL:
		return r == 0
	case etcdapi.Compare_GREATER:
		return r > 0
	case etcdapi.Compare_LESS:
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

// stepLeaseGrant grants lease req.ID unless it exists.
func stepLeaseGrant(st *etcdState, req *etcdapi.LeaseGrantRequest) (EtcdResponse, *etcdState) {
	id := leaseID(req.ID)
	if st.hasLease(req.ID) {
		return EtcdResponse{Err: etcdapi.ErrLeaseExist}, st
	}
	i := 0
	for i < len(st.leases) && st.leases[i] < id {
		i++
	}
	leases := make([]leaseID, 0, len(st.leases)+1)
	leases = append(append(append(leases, st.leases[:i]...), id), st.leases[i:]...)
	w := newStoreWriter(st)
	w.setLeases(leases)
	next := w.commit()
	assertf(next.rev == st.rev, "lease grant moved rev %v -> %v", st.rev, next.rev)
	grant := &etcdapi.LeaseGrantResponse{ID: req.ID, TTL: req.TTL}
	return EtcdResponse{Revision: next.rev, LeaseGrant: grant}, next
}

// stepLeaseRevoke revokes lease id and deletes its keys in one revision.
func stepLeaseRevoke(st *etcdState, id leaseID) (EtcdResponse, *etcdState) {
	if !st.hasLease(int64(id)) {
		return EtcdResponse{Err: etcdapi.ErrLeaseNotFound}, st
	}
	leases := make([]leaseID, 0, len(st.leases))
	for _, l := range st.leases {
		if l != id {
			leases = append(leases, l)
		}
	}
	w := newStoreWriter(st)
	for _, kc := range st.keys {
		if kv := at(kc.head, st.rev); kv != nil && leaseID(kv.Lease) == id {
			w.deleteRange(kc.key, nil)
		}
	}
	w.setLeases(leases)
	next := w.commit()
	return EtcdResponse{Revision: next.rev, LeaseRevoke: &etcdapi.LeaseRevokeResponse{}}, next
}

// stepCompact compacts history up to rev, as etcd's updateCompactRev
// decides. Compaction keeps the versions (states stay equal-comparable);
// reads below compactRev fail instead.
func stepCompact(st *etcdState, rev Revision) (EtcdResponse, *etcdState) {
	if rev <= st.compactRev {
		return EtcdResponse{Err: etcdapi.ErrCompacted}, st
	}
	if rev > st.rev {
		return EtcdResponse{Err: etcdapi.ErrFutureRev}, st
	}
	next := *st
	next.compactRev = rev
	next.rehash()
	next.checkInvariants()
	return EtcdResponse{Revision: st.rev, Compact: &etcdapi.CompactionResponse{}}, &next
}
