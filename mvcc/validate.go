package mvcc

import (
	"bytes"
	"fmt"

	"etcdsim/mvcc/etcdapi"
)

// Request checks that etcd (v3.5 to v3.7) performs in its gRPC layer
// (v3rpc/key.go), done here because the store is the API.

// checkRangeRequest is etcd's checkRangeRequest (v3rpc/key.go).
func checkRangeRequest(r *etcdapi.RangeRequest) error {
	if len(r.Key) == 0 {
		return etcdapi.ErrEmptyKey
	}
	if r.SortOrder < etcdapi.RangeRequest_NONE || r.SortOrder > etcdapi.RangeRequest_DESCEND {
		return fmt.Errorf("%w: sort order %d", etcdapi.ErrInvalidSortOption, r.SortOrder)
	}
	if r.SortTarget < etcdapi.RangeRequest_KEY || r.SortTarget > etcdapi.RangeRequest_VALUE {
		return fmt.Errorf("%w: sort target %d", etcdapi.ErrInvalidSortOption, r.SortTarget)
	}
	return nil
}

// checkPutRequest is etcd's checkPutRequest.
func checkPutRequest(r *etcdapi.PutRequest) error {
	switch {
	case len(r.Key) == 0:
		return etcdapi.ErrEmptyKey
	case r.IgnoreValue && len(r.Value) != 0:
		return etcdapi.ErrValueProvided
	case r.IgnoreLease && r.Lease != 0:
		return etcdapi.ErrLeaseProvided
	}
	return nil
}

// checkDeleteRequest is etcd's checkDeleteRequest.
func checkDeleteRequest(r *etcdapi.DeleteRangeRequest) error {
	if len(r.Key) == 0 {
		return etcdapi.ErrEmptyKey
	}
	return nil
}

// checkTxnRequest is etcd's checkTxnRequest plus its duplicate-key check
// (checkIntervals) on both branches.
func checkTxnRequest(r *etcdapi.TxnRequest, maxTxnOps int) error {
	if err := checkTxnShape(r, maxTxnOps); err != nil {
		return err
	}
	if _, _, err := checkIntervals(r.Success); err != nil {
		return err
	}
	_, _, err := checkIntervals(r.Failure)
	return err
}

// checkTxnShape is etcd's checkTxnRequest: the op count bound, compare
// keys, and every op, nested txns with what is left of the bound.
func checkTxnShape(r *etcdapi.TxnRequest, maxTxnOps int) error {
	opc := max(len(r.Compare), len(r.Success), len(r.Failure))
	if opc > maxTxnOps {
		return fmt.Errorf("%w: %d > %d", etcdapi.ErrTooManyOps, opc, maxTxnOps)
	}
	for _, c := range r.Compare {
		if c == nil || len(c.Key) == 0 {
			return etcdapi.ErrEmptyKey
		}
	}
	// As etcd: a nested txn gets what its parent's largest list leaves.
	for _, ops := range [][]*etcdapi.RequestOp{r.Success, r.Failure} {
		for _, op := range ops {
			if err := checkRequestOp(op, maxTxnOps-opc); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRequestOp is etcd's checkRequestOp.
func checkRequestOp(op *etcdapi.RequestOp, maxTxnOps int) error {
	switch kindOf(op) {
	case opRange:
		return checkRangeRequest(op.RequestRange)
	case opPut:
		return checkPutRequest(op.RequestPut)
	case opDeleteRange:
		return checkDeleteRequest(op.RequestDeleteRange)
	case opTxn:
		return checkTxnShape(op.RequestTxn, maxTxnOps)
	}
	return etcdapi.ErrKeyNotFound // etcd's answer to an empty union
}

// keyInterval is a deleted range [lo, hi), or the single key lo when hi is
// empty. Like etcd's affine intervals, "\x00" as hi contains no key.
type keyInterval struct{ lo, hi []byte }

func (iv keyInterval) contains(k []byte) bool {
	if len(iv.hi) == 0 {
		return bytes.Equal(iv.lo, k)
	}
	return bytes.Compare(iv.lo, k) <= 0 && bytes.Compare(k, iv.hi) < 0
}

type intervals []keyInterval

func (ivs intervals) intersects(k []byte) bool {
	for _, iv := range ivs {
		if iv.contains(k) {
			return true
		}
	}
	return false
}

// checkIntervals is etcd's checkIntervals: within one list of ops (and the
// txns nested in it), no key may be put twice, nor put and deleted, except
// that the two branches of a nested txn may put the same key.
func checkIntervals(reqs []*etcdapi.RequestOp) (map[string]struct{}, intervals, error) {
	var dels intervals
	for _, op := range reqs {
		if kindOf(op) == opDeleteRange {
			d := op.RequestDeleteRange
			dels = append(dels, keyInterval{lo: d.Key, hi: d.RangeEnd})
		}
	}
	puts := make(map[string]struct{})
	for _, op := range reqs {
		if kindOf(op) != opTxn {
			continue
		}
		t := op.RequestTxn
		putsThen, delsThen, err := checkIntervals(t.Success)
		if err != nil {
			return nil, nil, err
		}
		putsElse, delsElse, err := checkIntervals(t.Failure)
		if err != nil {
			return nil, nil, err
		}
		for k := range putsThen { //det:ok any conflict gives the same error
			if _, dup := puts[k]; dup || dels.intersects([]byte(k)) {
				return nil, nil, etcdapi.ErrDuplicateKey
			}
			puts[k] = struct{}{}
		}
		for k := range putsElse { //det:ok any conflict gives the same error
			_, dup := puts[k]
			_, inThen := putsThen[k]
			if dup && !inThen || dels.intersects([]byte(k)) {
				return nil, nil, etcdapi.ErrDuplicateKey
			}
			puts[k] = struct{}{}
		}
		dels = append(dels, delsThen...)
		dels = append(dels, delsElse...)
	}
	for _, op := range reqs {
		if kindOf(op) != opPut {
			continue
		}
		p := op.RequestPut
		if _, dup := puts[string(p.Key)]; dup || dels.intersects(p.Key) {
			return nil, nil, etcdapi.ErrDuplicateKey
		}
		puts[string(p.Key)] = struct{}{}
	}
	return puts, dels, nil
}

// opKind names the operation a RequestOp carries.
type opKind int

const (
	opNone opKind = iota
	opRange
	opPut
	opDeleteRange
	opTxn
)

// kindOf returns the operation op carries; when a caller set several fields, the
// first of Range, Put, DeleteRange, Txn wins everywhere.
func kindOf(op *etcdapi.RequestOp) opKind {
	switch {
	case op == nil:
		return opNone
	case op.RequestRange != nil:
		return opRange
	case op.RequestPut != nil:
		return opPut
	case op.RequestDeleteRange != nil:
		return opDeleteRange
	case op.RequestTxn != nil:
		return opTxn
	}
	return opNone
}
