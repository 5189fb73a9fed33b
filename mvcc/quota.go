package mvcc

import (
	"fmt"

	"etcdsim/mvcc/etcdapi"
)

// The backend quota and the NOSPACE alarm, as etcd's storage/quota.go and
// applierV3Capped (v3.6.16 and v3.7.3 alike): a write whose cost would take
// the backend to the quota raises the alarm and fails; while the alarm is
// raised, puts, txns with puts (nested ones too) and lease grants fail with
// etcdapi.ErrNoSpace, and reads, deletes and compaction still work.
// AlarmDisarm clears it.
//
// The size counted is the logical size of what is stored (Store.Size), not
// the bbolt file size, so that every member decides the same way.

// Overheads etcd adds to a request's cost.
const (
	kvOverheadBytes    = 256
	leaseOverheadBytes = 64
	leaseRecordBytes   = 16
)

func costPut(r *etcdapi.PutRequest) int64 {
	return kvOverheadBytes + int64(sizePut(r))
}

// costTxn is the cost of the puts of the costlier branch, the puts of
// nested txns included, as etcd's costTxn from v3.6.14 and v3.7.1 on
// (server/storage/quota.go costTxnReq, etcd-io/etcd#22139). Earlier
// releases counted only the txn's own puts, so a txn whose only puts were
// nested was never refused for space.
func costTxn(r *etcdapi.TxnRequest) int64 {
	var ok, fail int64
	for _, op := range r.Success {
		ok += costTxnOp(op)
	}
	for _, op := range r.Failure {
		fail += costTxnOp(op)
	}
	return max(ok, fail)
}

// costTxnOp is etcd's costTxnReq: the cost of one op of a txn branch.
func costTxnOp(op *etcdapi.RequestOp) int64 {
	switch kindOf(op) {
	case opPut:
		return costPut(op.RequestPut)
	case opTxn:
		return costTxn(op.RequestTxn)
	}
	return 0
}

// checkQuota raises the NOSPACE alarm and returns etcdapi.ErrNoSpace when a write
// of cost bytes would reach the quota.
func (s *Store) checkQuota(cost int64) error {
	if cost == 0 || s.be.size()+cost < s.cfg.QuotaBackendBytes {
		return nil
	}
	s.raiseNoSpace()
	return etcdapi.ErrNoSpace
}

// raiseNoSpace raises the NOSPACE alarm, durably.
func (s *Store) raiseNoSpace() {
	if s.noSpace {
		return
	}
	s.noSpace = true
	s.mark(MarkNoSpaceRaised)
	must(s.be.putMeta(metaAlarmNoSpace, 1))
}

// Alarms returns the raised alarms.
func (s *Store) Alarms() []etcdapi.AlarmType {
	if s.noSpace {
		return []etcdapi.AlarmType{etcdapi.AlarmType_NOSPACE}
	}
	return nil
}

// AlarmDisarm clears the NOSPACE alarm (etcdctl alarm disarm). Writes are
// accepted again while under the quota.
func (s *Store) AlarmDisarm() {
	if !s.noSpace {
		return
	}
	s.noSpace = false
	must(s.be.putMeta(metaAlarmNoSpace, 0))
}

// checkSize returns etcdapi.ErrRequestTooLarge when an encoded request exceeds
// Config.MaxRequestBytes.
func (s *Store) checkSize(n int) error {
	if n > s.cfg.MaxRequestBytes {
		return fmt.Errorf("%w: %d bytes > %d", etcdapi.ErrRequestTooLarge, n, s.cfg.MaxRequestBytes)
	}
	return nil
}
