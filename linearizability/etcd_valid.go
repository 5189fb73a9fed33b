package linearizability

import (
	"fmt"

	"etcdsim/mvcc/etcdapi"
)

// validWith checks that exactly one request field is set, that its fields
// make sense, and that out (unless the operation is indeterminate) is an
// EtcdResponse carrying a modeled error or the matching result.
func (req EtcdRequest) validWith(out Output, unknown bool) error {
	if n := req.kinds(); n != 1 {
		return fmt.Errorf("%w: etcd request with %d kinds set", ErrUnknownKind, n)
	}
	if err := req.validFields(); err != nil {
		return err
	}
	if unknown {
		if out != nil {
			return fmt.Errorf("%w: indeterminate %v has an output", ErrBadOperation, req)
		}
		return nil
	}
	resp, ok := out.(EtcdResponse)
	if !ok {
		return fmt.Errorf("%w: %v answered by %T", ErrUnknownKind, req, out)
	}
	if resp.Err != nil {
		return resp.validError(req)
	}
	if resp.kinds() != 1 || !resultMatches(req, &resp) {
		return fmt.Errorf("%w: %v answered without its result", ErrUnknownKind, req)
	}
	return resp.validMessages()
}

// kinds counts the request fields set.
func (req EtcdRequest) kinds() int {
	n := 0
	for _, b := range [...]bool{req.Range != nil, req.Put != nil, req.DeleteRange != nil,
		req.Txn != nil, req.LeaseGrant != nil, req.LeaseRevoke != nil, req.Compact != nil} {
		if b {
			n++
		}
	}
	return n
}

// validFields checks the request's own fields as etcd's API layer does
// (v3rpc/key.go), and refuses what the model does not model.
func (req EtcdRequest) validFields() error {
	switch {
	case req.Put != nil:
		return validOp(&etcdapi.RequestOp{RequestPut: req.Put})
	case req.Range != nil:
		return validOp(&etcdapi.RequestOp{RequestRange: req.Range})
	case req.DeleteRange != nil:
		return validOp(&etcdapi.RequestOp{RequestDeleteRange: req.DeleteRange})
	case req.Txn != nil:
		return validTxn(req.Txn)
	case req.LeaseGrant != nil:
		if req.LeaseGrant.ID <= 0 {
			return fmt.Errorf("%w: lease grant needs a client-chosen id > 0", ErrBadOperation)
		}
	case req.LeaseRevoke != nil:
		if req.LeaseRevoke.ID <= 0 {
			return fmt.Errorf("%w: lease revoke of id %d", ErrBadOperation, req.LeaseRevoke.ID)
		}
	}
	return nil
}

// validTxn checks a txn's compares and ops.
func validTxn(t *etcdapi.TxnRequest) error {
	for _, ops := range [...][]*etcdapi.RequestOp{t.Success, t.Failure} {
		for _, op := range ops {
			if err := validOp(op); err != nil {
				return err
			}
		}
	}
	for _, c := range t.Compare {
		switch {
		case c == nil:
			return fmt.Errorf("%w: nil compare", ErrBadOperation)
		case len(c.Key) == 0:
			return fmt.Errorf("%w: compare of an empty key", ErrBadOperation)
		case c.Target < etcdapi.Compare_VERSION || c.Target > etcdapi.Compare_LEASE ||
			c.Result < etcdapi.Compare_EQUAL || c.Result > etcdapi.Compare_NOT_EQUAL:
			return fmt.Errorf("%w: compare target %d result %d", ErrBadOperation, c.Target, c.Result)
		}
	}
	return nil
}

// validOp checks one range, put or delete.
func validOp(op *etcdapi.RequestOp) error {
	if op == nil {
		return fmt.Errorf("%w: nil txn op", ErrUnknownKind)
	}
	if op.RequestTxn != nil {
		return fmt.Errorf("%w: nested txns are not modeled", ErrBadOperation)
	}
	n := 0
	var key []byte
	if r := op.RequestRange; r != nil {
		n, key = n+1, r.Key
		if r.SortOrder < etcdapi.RangeRequest_NONE || r.SortOrder > etcdapi.RangeRequest_DESCEND ||
			r.SortTarget < etcdapi.RangeRequest_KEY || r.SortTarget > etcdapi.RangeRequest_VALUE {
			return fmt.Errorf("%w: sort order %d target %d", ErrBadOperation, r.SortOrder, r.SortTarget)
		}
	}
	if p := op.RequestPut; p != nil {
		n, key = n+1, p.Key
		if p.IgnoreValue || p.IgnoreLease {
			return fmt.Errorf("%w: puts with IgnoreValue or IgnoreLease are not modeled", ErrBadOperation)
		}
	}
	if op.RequestDeleteRange != nil {
		n, key = n+1, op.RequestDeleteRange.Key
	}
	if n != 1 {
		return fmt.Errorf("%w: txn op with %d kinds set", ErrUnknownKind, n)
	}
	if len(key) == 0 {
		return fmt.Errorf("%w: empty key", ErrBadOperation)
	}
	return nil
}

// validError checks a failed response: its error must be one the model
// predicts, and it carries no result.
func (resp *EtcdResponse) validError(req EtcdRequest) error {
	if modeledError(resp.Err) < 0 {
		return fmt.Errorf("%w: %v failed with %q, which the etcd model does not predict: record a "+
			"request that may have taken effect as indeterminate, and drop one that surely did not",
			ErrBadOperation, req, resp.Err)
	}
	if resp.kinds() != 0 {
		return fmt.Errorf("%w: %v failed with %q and has a result", ErrBadOperation, req, resp.Err)
	}
	return nil
}

// kinds counts the result fields set.
func (resp *EtcdResponse) kinds() int {
	n := 0
	for _, b := range [...]bool{resp.Range != nil, resp.Put != nil, resp.DeleteRange != nil,
		resp.Txn != nil, resp.LeaseGrant != nil, resp.LeaseRevoke != nil, resp.Compact != nil} {
		if b {
			n++
		}
	}
	return n
}

// resultMatches reports whether a successful response carries the result
// field of the request's kind.
func resultMatches(req EtcdRequest, resp *EtcdResponse) bool {
	switch {
	case req.Range != nil:
		return resp.Range != nil
	case req.Put != nil:
		return resp.Put != nil
	case req.DeleteRange != nil:
		return resp.DeleteRange != nil
	case req.Txn != nil:
		return resp.Txn != nil
	case req.LeaseGrant != nil:
		return resp.LeaseGrant != nil
	case req.LeaseRevoke != nil:
		return resp.LeaseRevoke != nil
	}
	return resp.Compact != nil
}

// validMessages checks that a successful response's messages hold no nil
// key-value and that a txn's results are each of one kind, not a txn.
func (resp *EtcdResponse) validMessages() error {
	if resp.Txn == nil {
		return validResult(resp.Range, resp.DeleteRange)
	}
	for i, r := range resp.Txn.Responses {
		if r == nil || r.ResponseTxn != nil {
			return fmt.Errorf("%w: txn result %d is nil or a nested txn's", ErrBadOperation, i)
		}
		n := 0
		for _, b := range [...]bool{r.ResponseRange != nil, r.ResponsePut != nil,
			r.ResponseDeleteRange != nil} {
			if b {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("%w: txn result %d with %d kinds set", ErrBadOperation, i, n)
		}
		if err := validResult(r.ResponseRange, r.ResponseDeleteRange); err != nil {
			return err
		}
	}
	return nil
}

// validResult checks that a range's or a delete's key-values, when the
// result is there, are not nil.
func validResult(rr *etcdapi.RangeResponse, dr *etcdapi.DeleteRangeResponse) error {
	var kvs []*etcdapi.KeyValue
	switch {
	case rr != nil:
		kvs = rr.Kvs
	case dr != nil:
		kvs = dr.PrevKvs
	}
	for _, kv := range kvs {
		if kv == nil {
			return fmt.Errorf("%w: nil key-value in a result", ErrBadOperation)
		}
	}
	return nil
}
