package mvcc

import (
	"fmt"

	"etcdsim/mvcc/etcdapi"
)

// The backend quota, as etcd's storage/quota.go (v3.6.16 and v3.7.1
// alike): a write whose cost would take the backend to the quota fails
// with etcdapi.ErrNoSpace, and the NOSPACE alarm is raised (alarm.go),
// after which puts, txns with puts (nested ones too) and lease grants fail
// until the alarm is cleared.
//
// Who raises the alarm depends on how the store is driven:
//
//   - A store used on its own (Put, Txn, LeaseGrant called directly) is a
//     one-member etcd: the quota check raises the alarm at once, as member
//     soloMember.
//   - A replicated store (Apply) never raises an alarm by itself: the
//     member checks the quota before proposing (ValidateRequest, etcd's
//     quotaKVServer and quotaLeaseServer, server/etcdserver/api/v3rpc/
//     quota.go) and proposes AlarmRequest{ACTIVATE, NOSPACE} through the
//     log, so that every member raises the same alarm at the same index.
//     A write that passed that check but finds the quota exceeded when it
//     is applied takes effect and still fails with ErrNoSpace, as etcd's
//     quotaApplierV3 does (server/etcdserver/apply/quota.go, v3.7.1: it
//     applies the request, then answers ErrNoSpace when the quota was not
//     available). A client told "no space" may so have written: the
//     cluster records such a write as indeterminate.
//
// The size counted is the logical size of what is stored (Store.Size), not
// the bbolt file size, so that every member decides the same way; it falls
// when compaction deletes revisions, where etcd's file only shrinks at
// defragmentation.

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

// quotaAvailable is etcd's BackendQuota.Available: a write of cost bytes
// fits when it costs nothing or stays below the quota.
func (s *Store) quotaAvailable(cost int64) bool {
	return cost == 0 || s.be.size()+cost < s.cfg.QuotaBackendBytes
}

// quotaGate checks the quota for a write of cost bytes. A store used on
// its own refuses the write (etcd's API layer) and raises the alarm
// (checkQuota). Inside Apply the write goes ahead, and over says that it
// must then fail with ErrNoSpace all the same (etcd's quotaApplierV3).
func (s *Store) quotaGate(cost int64) (over bool, err error) {
	if s.quotaAvailable(cost) {
		return false, nil
	}
	if s.inApply {
		return true, nil
	}
	return false, s.checkQuota(cost)
}

// checkQuota returns etcdapi.ErrNoSpace when a write of cost bytes would
// reach the quota; a store used on its own then raises the NOSPACE alarm.
func (s *Store) checkQuota(cost int64) error {
	if s.quotaAvailable(cost) {
		return nil
	}
	if !s.inApply && !s.noSpace() {
		s.mark(MarkNoSpaceRaised)
		s.activate(alarmRecord{member: soloMember, alarm: etcdapi.AlarmType_NOSPACE})
	}
	return etcdapi.ErrNoSpace
}

// checkSize returns etcdapi.ErrRequestTooLarge when an encoded request exceeds
// Config.MaxRequestBytes.
func (s *Store) checkSize(n int) error {
	if n > s.cfg.MaxRequestBytes {
		return fmt.Errorf("%w: %d bytes > %d", etcdapi.ErrRequestTooLarge, n, s.cfg.MaxRequestBytes)
	}
	return nil
}
