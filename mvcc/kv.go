package mvcc

import "etcdsim/mvcc/etcdapi"

// The KV service: Range, Put, DeleteRange, Txn (txn.go) and Compact. Each
// call validates as etcd's API layer does, checks the request size and the
// quota, then applies as etcd's applierV3backend does.

// Range reads keys. It returns etcdapi.ErrEmptyKey,
// etcdapi.ErrInvalidSortOption, etcdapi.ErrCompacted (Revision below the
// compaction) or etcdapi.ErrFutureRev. A negative Limit or Revision means
// none, as in etcd; a RangeEnd at or below Key matches nothing.
func (s *Store) Range(r *etcdapi.RangeRequest) (*etcdapi.RangeResponse, error) {
	if r == nil {
		r = &etcdapi.RangeRequest{} // a nil message is an empty one, as in protobuf
	}
	if s.closed {
		return nil, ErrClosed
	}
	if err := checkRangeRequest(r); err != nil {
		return nil, err
	}
	return s.applyRange(r, s.currentRev)
}

// putResult is a PutResponse and its header in one allocation.
type putResult struct {
	resp etcdapi.PutResponse
	hdr  etcdapi.ResponseHeader
}

// Put writes one key. It returns etcdapi.ErrEmptyKey,
// etcdapi.ErrValueProvided, etcdapi.ErrLeaseProvided, etcdapi.ErrNoSpace,
// etcdapi.ErrRequestTooLarge, etcdapi.ErrLeaseNotFound, or
// etcdapi.ErrKeyNotFound (IgnoreValue or IgnoreLease on a missing key).
func (s *Store) Put(r *etcdapi.PutRequest) (*etcdapi.PutResponse, error) {
	if r == nil {
		r = &etcdapi.PutRequest{} // a nil message is an empty one, as in protobuf
	}
	if s.closed {
		return nil, ErrClosed
	}
	over, err := s.quotaGate(costPut(r))
	if err != nil {
		return nil, err // etcd checks the quota before the request
	}
	if err := checkPutRequest(r); err != nil {
		return nil, err
	}
	if err := s.checkSize(sizePut(r)); err != nil {
		return nil, err
	}
	if s.noSpace() {
		return nil, etcdapi.ErrNoSpace
	}
	if r.Lease != 0 && !s.lessor.exists(LeaseID(r.Lease)) {
		return nil, etcdapi.ErrLeaseNotFound
	}
	tw := s.beginWrite()
	resp, err := s.putIn(tw, r)
	tw.end()
	if err == nil && over {
		err = etcdapi.ErrNoSpace // applied, as etcd's quotaApplierV3.Put
	}
	return resp, err
}

// putIn applies a put inside tw (etcd's applier Put with a txn).
func (s *Store) putIn(tw *writeTxn, p *etcdapi.PutRequest) (*etcdapi.PutResponse, error) {
	val, id := p.Value, LeaseID(p.Lease)
	var prev *etcdapi.KeyValue
	if p.IgnoreValue || p.IgnoreLease || p.PrevKv {
		kvs, _, err := s.rangeKeys(p.Key, nil, tw.rev(), rangeOptions{})
		if err != nil {
			return nil, err
		}
		if len(kvs) > 0 {
			prev = kvs[0]
		}
	}
	if (p.IgnoreValue || p.IgnoreLease) && prev == nil {
		return nil, etcdapi.ErrKeyNotFound
	}
	if p.IgnoreValue {
		val = prev.Value
	}
	if p.IgnoreLease {
		id = LeaseID(prev.Lease)
	}
	res := &putResult{}
	res.resp.Header = &res.hdr
	if p.PrevKv {
		res.resp.PrevKv = prev
	}
	tw.put(p.Key, val, id)
	res.hdr.Revision = tw.beginRev + 1
	return &res.resp, nil
}

// DeleteRange deletes the keys in a range in one revision (none if nothing
// is live there). It returns etcdapi.ErrEmptyKey or etcdapi.ErrRequestTooLarge.
func (s *Store) DeleteRange(r *etcdapi.DeleteRangeRequest) (*etcdapi.DeleteRangeResponse, error) {
	if r == nil {
		r = &etcdapi.DeleteRangeRequest{} // a nil message is an empty one, as in protobuf
	}
	if s.closed {
		return nil, ErrClosed
	}
	if err := checkDeleteRequest(r); err != nil {
		return nil, err
	}
	if err := s.checkSize(sizeDeleteRange(r)); err != nil {
		return nil, err
	}
	tw := s.beginWrite()
	resp, err := s.deleteRangeIn(tw, r)
	tw.end()
	return resp, err
}

// deleteRangeIn applies a delete inside tw (etcd's applier DeleteRange).
func (s *Store) deleteRangeIn(tw *writeTxn,
	r *etcdapi.DeleteRangeRequest) (*etcdapi.DeleteRangeResponse, error) {
	resp := &etcdapi.DeleteRangeResponse{Header: &etcdapi.ResponseHeader{}}
	end := mkGteRange(r.RangeEnd)
	if r.PrevKv {
		kvs, _, err := s.rangeKeys(r.Key, end, tw.rev(), rangeOptions{})
		if err != nil {
			return nil, err
		}
		resp.PrevKvs = kvs
	}
	resp.Deleted = tw.deleteRange(r.Key, end)
	resp.Header.Revision = tw.beginRev
	if resp.Deleted != 0 || len(tw.changes) > 0 {
		resp.Header.Revision = tw.beginRev + 1
	}
	return resp, nil
}

// Compact removes every revision that no read at or after r.Revision
// needs, keeping each key's value at r.Revision. It returns
// etcdapi.ErrCompacted (at or below the last compaction) or
// etcdapi.ErrFutureRev. Physical is ignored: compaction is complete on
// return.
func (s *Store) Compact(r *etcdapi.CompactionRequest) (*etcdapi.CompactionResponse, error) {
	if r == nil {
		r = &etcdapi.CompactionRequest{} // a nil message is an empty one, as in protobuf
	}
	if s.closed {
		return nil, ErrClosed
	}
	rev := r.Revision
	if rev <= s.compactRev {
		return nil, etcdapi.ErrCompacted
	}
	if rev > s.currentRev {
		return nil, etcdapi.ErrFutureRev
	}
	keep, tombs := s.ix.compact(rev)
	if tombs > 0 {
		s.mark(MarkCompactKeptTombstone)
	}
	must(s.be.compact(rev, keep))
	must(s.be.putMeta(metaCompactRev, rev))
	s.compactRev = rev
	if !(s.compactRev <= s.currentRev) {
		panicf("compacted past current revision")
	}
	return &etcdapi.CompactionResponse{Header: s.header()}, nil
}
