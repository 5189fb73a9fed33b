package linearizability

import "fmt"

// validWith checks that exactly one request field is set, that its fields
// make sense, and that out (unless the operation is indeterminate) is an
// EtcdResponse carrying the matching result.
func (req EtcdRequest) validWith(out Output, unknown bool) error {
	set := 0
	for _, b := range []bool{req.Range != nil, req.Put != nil, req.DeleteRange != nil,
		req.Txn != nil, req.LeaseGrant != nil, req.LeaseRevoke != nil, req.Compact != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		return fmt.Errorf("%w: etcd request with %d kinds set", ErrUnknownKind, set)
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
	if resp.Err != RespOK {
		return nil
	}
	if !resultMatches(req, &resp) {
		return fmt.Errorf("%w: %v answered without its result", ErrUnknownKind, req)
	}
	return nil
}

// validFields checks the request's own fields.
func (req EtcdRequest) validFields() error {
	switch {
	case req.Put != nil:
		return validTxnOp(TxnOp{Put: req.Put})
	case req.Range != nil:
		return validTxnOp(TxnOp{Range: req.Range})
	case req.DeleteRange != nil:
		return validTxnOp(TxnOp{DeleteRange: req.DeleteRange})
	case req.Txn != nil:
		for _, ops := range [][]TxnOp{req.Txn.Success, req.Txn.Failure} {
			for _, op := range ops {
				if err := validTxnOp(op); err != nil {
					return err
				}
			}
		}
		for _, c := range req.Txn.Compare {
			if c.Target > CompareLease || c.Result > CompareNotEqual {
				return fmt.Errorf("%w: compare target %d result %d", ErrBadOperation, c.Target, c.Result)
			}
		}
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

// validTxnOp checks one range, put or delete.
func validTxnOp(op TxnOp) error {
	n := 0
	key := ""
	if op.Range != nil {
		n, key = n+1, op.Range.Key
		if op.Range.Limit < 0 {
			return fmt.Errorf("%w: negative limit", ErrBadOperation)
		}
	}
	if op.Put != nil {
		n, key = n+1, op.Put.Key
		if op.Put.Lease < 0 {
			return fmt.Errorf("%w: negative lease", ErrBadOperation)
		}
	}
	if op.DeleteRange != nil {
		n, key = n+1, op.DeleteRange.Key
	}
	if n != 1 {
		return fmt.Errorf("%w: txn op with %d kinds set", ErrUnknownKind, n)
	}
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrBadOperation)
	}
	return nil
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
	}
	return true
}
