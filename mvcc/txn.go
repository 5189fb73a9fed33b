package mvcc

import (
	"bytes"

	"etcdsim/mvcc/etcdapi"
)

// Txn runs compares, then the Success or Failure list, in one revision
// (none if it changes nothing). Every compare, nested ones included, is
// evaluated against the store before the txn, and the ops on the chosen
// path are checked in order before any op runs, as in etcd v3.6 and v3.7. It
// returns etcdapi.ErrTooManyOps, etcdapi.ErrEmptyKey,
// etcdapi.ErrDuplicateKey, etcdapi.ErrKeyNotFound,
// etcdapi.ErrInvalidSortOption, etcdapi.ErrValueProvided,
// etcdapi.ErrLeaseProvided, etcdapi.ErrNoSpace, etcdapi.ErrRequestTooLarge,
// etcdapi.ErrLeaseNotFound, etcdapi.ErrCompacted or etcdapi.ErrFutureRev.
func (s *Store) Txn(r *etcdapi.TxnRequest) (*etcdapi.TxnResponse, error) {
	if r == nil {
		r = &etcdapi.TxnRequest{} // a nil message is an empty one, as in protobuf
	}
	if s.closed {
		return nil, ErrClosed
	}
	cost := costTxn(r)
	over, err := s.quotaGate(cost)
	if err != nil {
		return nil, err // etcd checks the quota before the request
	}
	if err := checkTxnRequest(r, s.cfg.MaxTxnOps); err != nil {
		return nil, err
	}
	if err := s.checkSize(sizeTxn(r)); err != nil {
		return nil, err
	}
	if s.noSpace() && cost > 0 {
		return nil, etcdapi.ErrNoSpace
	}
	resp, err := s.applyTxn(r)
	if err == nil && over {
		err = etcdapi.ErrNoSpace // applied, as etcd's quotaApplierV3.Txn
	}
	return resp, err
}

// applyTxn is etcd's applierV3backend.Txn after validation.
func (s *Store) applyTxn(r *etcdapi.TxnRequest) (*etcdapi.TxnResponse, error) {
	path := s.compareToPath(r, nil)
	// dels are the branch's deletes so far, in execution order.
	var dels []*etcdapi.DeleteRangeRequest
	check := func(op *etcdapi.RequestOp) error {
		if err := s.checkRequestOp(op); err != nil {
			return err
		}
		switch kindOf(op) {
		case opDeleteRange:
			dels = append(dels, op.RequestDeleteRange)
		case opPut:
			return checkPutAfterDeletes(op.RequestPut, dels)
		}
		return nil
	}
	if _, err := s.checkRequests(r, path, check); err != nil {
		return nil, err
	}
	resp, _ := newTxnResp(r, path)
	tw := s.beginWrite()
	_, err := s.execTxn(tw, r, path, resp)
	assertf(err == nil, "txn op failed after its checks: %v", err)
	rev := tw.rev()
	tw.end()
	resp.Header.Revision = rev
	return resp, nil
}

// compareToPath evaluates the txn's compares and, depth-first, those of the
// txns nested in the chosen branch; path[0] is this txn's outcome.
func (s *Store) compareToPath(r *etcdapi.TxnRequest, path []bool) []bool {
	ok := s.applyCompares(r.Compare)
	path = append(path, ok)
	for _, op := range branch(r, ok) {
		if kindOf(op) == opTxn {
			path = s.compareToPath(op.RequestTxn, path)
		}
	}
	return path
}

func branch(r *etcdapi.TxnRequest, succeeded bool) []*etcdapi.RequestOp {
	if succeeded {
		return r.Success
	}
	return r.Failure
}

// applyCompares reports whether every compare holds.
func (s *Store) applyCompares(cmps []*etcdapi.Compare) bool {
	for _, c := range cmps {
		if !s.applyCompare(c) {
			return false
		}
	}
	return true
}

// applyCompare is etcd's applyCompare: every key in the range must satisfy
// the compare; a missing key compares as a zero KeyValue, except that a
// VALUE compare on no key fails.
func (s *Store) applyCompare(c *etcdapi.Compare) bool {
	kvs, _, err := s.rangeKeys(c.Key, mkGteRange(c.RangeEnd), s.currentRev, rangeOptions{})
	if err != nil {
		return false
	}
	if len(kvs) == 0 {
		if c.Target == etcdapi.Compare_VALUE {
			return false
		}
		return compareKV(c, &etcdapi.KeyValue{})
	}
	for _, kv := range kvs {
		if !compareKV(c, kv) {
			return false
		}
	}
	return true
}

// compareKV is etcd's compareKV: compare the target field, then apply the
// result operator.
func compareKV(c *etcdapi.Compare, kv *etcdapi.KeyValue) bool {
	var result int
	switch c.Target {
	case etcdapi.Compare_VALUE:
		v := c.Value
		if v == nil {
			v = []byte{}
		}
		result = bytes.Compare(kv.Value, v)
	case etcdapi.Compare_CREATE:
		result = compareInt64(kv.CreateRevision, c.CreateRevision)
	case etcdapi.Compare_MOD:
		result = compareInt64(kv.ModRevision, c.ModRevision)
	case etcdapi.Compare_VERSION:
		result = compareInt64(kv.Version, c.Version)
	case etcdapi.Compare_LEASE:
		result = compareInt64(kv.Lease, c.Lease)
	}
	switch c.Result {
	case etcdapi.Compare_EQUAL:
		return result == 0
	case etcdapi.Compare_NOT_EQUAL:
		return result != 0
	case etcdapi.Compare_GREATER:
		return result > 0
	case etcdapi.Compare_LESS:
		return result < 0
	}
	return true // etcd: an unknown result compares true
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkRequests runs f on every non-txn op along path and returns how many
// nested txns it walked.
func (s *Store) checkRequests(r *etcdapi.TxnRequest, path []bool,
	f func(*etcdapi.RequestOp) error) (int, error) {
	txns := 0
	for _, op := range branch(r, path[0]) {
		if kindOf(op) == opTxn {
			n, err := s.checkRequests(op.RequestTxn, path[1:], f)
			if err != nil {
				return 0, err
			}
			txns += n + 1
			path = path[n+1:]
			continue
		}
		if err := f(op); err != nil {
			return 0, err
		}
	}
	return txns, nil
}

// checkPutAfterDeletes refuses an ignore_value or ignore_lease put of a key
// that an earlier delete of the same txn removes: it would find no previous
// value when it runs. etcd's duplicate-key check is meant to refuse such a
// txn but reads a range end of "\x00" as covering nothing, so etcd accepts
// it and then panics applying it (etcd-io/etcd#22445; v3.6.5, and v3.6.16
// and v3.7.3 by their source). We answer
// etcdapi.ErrKeyNotFound, etcd's error for an ignore_* put without a
// previous value, before anything is written.
func checkPutAfterDeletes(p *etcdapi.PutRequest, dels []*etcdapi.DeleteRangeRequest) error {
	if !p.IgnoreValue && !p.IgnoreLease {
		return nil
	}
	for _, d := range dels {
		if deleteCovers(d, p.Key) {
			return etcdapi.ErrKeyNotFound
		}
	}
	return nil
}

// deleteCovers reports whether delete d removes key k. Unlike keyInterval,
// which copies etcd's duplicate-key check, "\x00" as range end means every
// key from Key on, as a delete applies it.
func deleteCovers(d *etcdapi.DeleteRangeRequest, k []byte) bool {
	switch {
	case len(d.RangeEnd) == 0:
		return bytes.Equal(d.Key, k)
	case len(d.RangeEnd) == 1 && d.RangeEnd[0] == 0:
		return bytes.Compare(d.Key, k) <= 0
	}
	return bytes.Compare(d.Key, k) <= 0 && bytes.Compare(k, d.RangeEnd) < 0
}

// checkRequestOp checks one op of the chosen branch before the txn runs,
// as etcd v3.6 and v3.7 do (server/etcdserver/txn/txn.go checkTxn): ops are
// checked in order and the first failure is returned. etcd v3.5 checked
// every put before any range, so a txn with a failing range and then a
// failing put answered with the put's error there and with the range's from
// v3.6 on.
func (s *Store) checkRequestOp(op *etcdapi.RequestOp) error {
	if err := s.checkRequestPut(op); err != nil {
		return err
	}
	return s.checkRequestRange(op)
}

// checkRequestPut is etcd's checkPut: before a write txn runs, an ignore_*
// put needs its key and a leased put needs its lease. etcd v3.7 checks the
// lease first, v3.6 the key (etcdRules.putLeaseCheckedFirst).
func (s *Store) checkRequestPut(op *etcdapi.RequestOp) error {
	if kindOf(op) != opPut {
		return nil
	}
	p := op.RequestPut
	if s.rules.putLeaseCheckedFirst {
		if err := s.checkPutLease(p); err != nil {
			return err
		}
		return s.checkPutPrev(p)
	}
	if err := s.checkPutPrev(p); err != nil {
		return err
	}
	return s.checkPutLease(p)
}

// checkPutLease returns etcdapi.ErrLeaseNotFound for a put naming a lease
// the store does not hold.
func (s *Store) checkPutLease(p *etcdapi.PutRequest) error {
	if p.Lease != 0 && !s.lessor.exists(LeaseID(p.Lease)) {
		return etcdapi.ErrLeaseNotFound
	}
	return nil
}

// checkPutPrev returns etcdapi.ErrKeyNotFound for an ignore_value or
// ignore_lease put of a key that has no live value to keep.
func (s *Store) checkPutPrev(p *etcdapi.PutRequest) error {
	if !p.IgnoreValue && !p.IgnoreLease {
		return nil
	}
	if _, _, _, ok := s.ix.get(p.Key, s.currentRev); !ok {
		return etcdapi.ErrKeyNotFound
	}
	return nil
}

// checkRequestRange is etcd's checkRequestRange: a range in a txn must
// name a revision between the compaction and the current one.
func (s *Store) checkRequestRange(op *etcdapi.RequestOp) error {
	if kindOf(op) != opRange {
		return nil
	}
	switch rev := op.RequestRange.Revision; {
	case rev == 0:
		return nil
	case rev > s.currentRev:
		return etcdapi.ErrFutureRev
	case rev < s.compactRev:
		return etcdapi.ErrCompacted
	}
	return nil
}

// newTxnResp builds the response skeleton of the chosen branches. As in
// etcd, only the outermost header gets a revision.
func newTxnResp(r *etcdapi.TxnRequest, path []bool) (*etcdapi.TxnResponse, int) {
	ops := branch(r, path[0])
	resp := &etcdapi.TxnResponse{Header: &etcdapi.ResponseHeader{}, Succeeded: path[0]}
	if len(ops) > 0 { // none stays nil, as an etcd client sees it
		resp.Responses = make([]*etcdapi.ResponseOp, len(ops))
	}
	txns := 0
	for i, op := range ops {
		resp.Responses[i] = &etcdapi.ResponseOp{}
		if kindOf(op) == opTxn {
			sub, n := newTxnResp(op.RequestTxn, path[1:])
			resp.Responses[i].ResponseTxn = sub
			path = path[n+1:]
			txns += n + 1
		}
	}
	return resp, txns
}

// execTxn runs the chosen ops in tw and fills resp; it returns how many
// nested txns it walked.
func (s *Store) execTxn(tw *writeTxn, r *etcdapi.TxnRequest, path []bool,
	resp *etcdapi.TxnResponse) (int, error) {
	txns := 0
	var err error
	for i, op := range branch(r, path[0]) {
		out := resp.Responses[i]
		switch kindOf(op) {
		case opRange:
			out.ResponseRange, err = s.applyRange(op.RequestRange, tw.rev())
		case opPut:
			out.ResponsePut, err = s.putIn(tw, op.RequestPut)
		case opDeleteRange:
			out.ResponseDeleteRange, err = s.deleteRangeIn(tw, op.RequestDeleteRange)
		case opTxn:
			var n int
			n, err = s.execTxn(tw, op.RequestTxn, path[1:], out.ResponseTxn)
			txns += n + 1
			path = path[n+1:]
		}
		if err != nil {
			return 0, err
		}
	}
	return txns, nil
}
