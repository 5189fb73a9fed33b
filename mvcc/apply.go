package mvcc

import "etcdsim/mvcc/etcdapi"

// Request is one entry of the replicated log: exactly one field is set
// (etcd's InternalRaftRequest, reduced to what the store applies).
type Request struct {
	Range       *etcdapi.RangeRequest
	Put         *etcdapi.PutRequest
	DeleteRange *etcdapi.DeleteRangeRequest
	Txn         *etcdapi.TxnRequest
	Compaction  *etcdapi.CompactionRequest
	LeaseGrant  *etcdapi.LeaseGrantRequest
	LeaseRevoke *etcdapi.LeaseRevokeRequest
	// Alarm lists, raises or clears alarms (Store.Alarm): members propose
	// ACTIVATE when they find the quota exceeded, and an operator's
	// DEACTIVATE clears an alarm, on every member alike.
	Alarm *etcdapi.AlarmRequest
}

// Response is the result of applying a Request: the field matching the
// request, or Err.
type Response struct {
	Range       *etcdapi.RangeResponse
	Put         *etcdapi.PutResponse
	DeleteRange *etcdapi.DeleteRangeResponse
	Txn         *etcdapi.TxnResponse
	Compaction  *etcdapi.CompactionResponse
	LeaseGrant  *etcdapi.LeaseGrantResponse
	LeaseRevoke *etcdapi.LeaseRevokeResponse
	Alarm       *etcdapi.AlarmResponse
	Err         error
}

// Apply applies the committed entry at index exactly once: an index at or
// below ConsistentIndex() was applied already and Apply returns (nil,
// false) without touching anything. Otherwise the request runs and the
// index is recorded in the same backend batch, so that after a crash the
// store and its consistent index agree. A request that fails (Response.Err)
// still consumes its index, as in etcd.
func (s *Store) Apply(index uint64, r *Request) (*Response, bool) {
	if r == nil {
		r = &Request{}
	}
	if s.closed {
		return &Response{Err: ErrClosed}, false
	}
	if index <= s.consistentIndex {
		return nil, false
	}
	s.inApply = true
	resp := s.dispatch(r)
	s.inApply = false
	s.consistentIndex = index
	must(s.be.putMeta(metaConsistentIndex, int64(index)))
	s.maybeCommit()
	s.checkInvariants(false)
	return resp, true
}

// dispatch runs the one request r carries.
func (s *Store) dispatch(r *Request) *Response {
	var resp Response
	switch {
	case r.Range != nil:
		resp.Range, resp.Err = s.Range(r.Range)
	case r.Put != nil:
		resp.Put, resp.Err = s.Put(r.Put)
	case r.DeleteRange != nil:
		resp.DeleteRange, resp.Err = s.DeleteRange(r.DeleteRange)
	case r.Txn != nil:
		resp.Txn, resp.Err = s.Txn(r.Txn)
	case r.Compaction != nil:
		resp.Compaction, resp.Err = s.Compact(r.Compaction)
	case r.LeaseGrant != nil:
		resp.LeaseGrant, resp.Err = s.LeaseGrant(r.LeaseGrant)
	case r.LeaseRevoke != nil:
		resp.LeaseRevoke, resp.Err = s.LeaseRevoke(r.LeaseRevoke)
	case r.Alarm != nil:
		resp.Alarm, resp.Err = s.Alarm(r.Alarm)
	}
	return &resp
}

// ValidateRequest runs the checks a member makes before proposing (etcd's
// API layer and its request size limit), so that a bad request never
// enters the log. Apply repeats them. The quota comes first, as etcd's
// quotaKVServer and quotaLeaseServer wrap the KV and lease servers
// (server/etcdserver/api/v3rpc/quota.go, v3.7.1): a put, a txn with puts
// or a lease grant that would reach the quota fails with
// etcdapi.ErrNoSpace, and the member, not the store, then raises the
// NOSPACE alarm through the log. Like etcd's, this check looks at the
// size alone: while an alarm is raised below the quota, writes pass it and
// Apply refuses them.
func (s *Store) ValidateRequest(r *Request) error {
	if r == nil {
		return nil
	}
	if !s.quotaAvailable(requestCost(r)) {
		return etcdapi.ErrNoSpace
	}
	switch {
	case r.Range != nil:
		return checkRangeRequest(r.Range)
	case r.Put != nil:
		if err := checkPutRequest(r.Put); err != nil {
			return err
		}
		return s.checkSize(sizePut(r.Put))
	case r.DeleteRange != nil:
		if err := checkDeleteRequest(r.DeleteRange); err != nil {
			return err
		}
		return s.checkSize(sizeDeleteRange(r.DeleteRange))
	case r.Txn != nil:
		if err := checkTxnRequest(r.Txn, s.cfg.MaxTxnOps); err != nil {
			return err
		}
		return s.checkSize(sizeTxn(r.Txn))
	}
	return nil
}

// requestCost is the quota a request would use (etcd's BackendQuota.Cost):
// 0 for every request but puts, txns and lease grants.
func requestCost(r *Request) int64 {
	switch {
	case r.Put != nil:
		return costPut(r.Put)
	case r.Txn != nil:
		return costTxn(r.Txn)
	case r.LeaseGrant != nil:
		return leaseOverheadBytes
	}
	return 0
}
