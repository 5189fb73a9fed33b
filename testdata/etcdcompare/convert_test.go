package etcdcompare

// Conversions between etcd's protobuf messages and etcdsim's plain-Go
// mirror of them, package etcdapi, which mvcc takes and returns. Requests
// are generated as etcdserverpb messages (exactly what goes over the wire to
// etcd) and converted to etcdapi's types; mvcc's responses are converted
// back to etcdserverpb so that one canonical renderer serves both.

import (
	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"

	"etcdsim/mvcc/etcdapi"
)

func toRange(r *pb.RangeRequest) *etcdapi.RangeRequest {
	if r == nil {
		return nil
	}
	return &etcdapi.RangeRequest{
		Key:               r.Key,
		RangeEnd:          r.RangeEnd,
		Limit:             r.Limit,
		Revision:          r.Revision,
		SortOrder:         etcdapi.RangeRequest_SortOrder(r.SortOrder),
		SortTarget:        etcdapi.RangeRequest_SortTarget(r.SortTarget),
		Serializable:      r.Serializable,
		KeysOnly:          r.KeysOnly,
		CountOnly:         r.CountOnly,
		MinModRevision:    r.MinModRevision,
		MaxModRevision:    r.MaxModRevision,
		MinCreateRevision: r.MinCreateRevision,
		MaxCreateRevision: r.MaxCreateRevision,
	}
}

func toPut(r *pb.PutRequest) *etcdapi.PutRequest {
	if r == nil {
		return nil
	}
	return &etcdapi.PutRequest{
		Key:         r.Key,
		Value:       r.Value,
		Lease:       r.Lease,
		PrevKv:      r.PrevKv,
		IgnoreValue: r.IgnoreValue,
		IgnoreLease: r.IgnoreLease,
	}
}

func toDeleteRange(r *pb.DeleteRangeRequest) *etcdapi.DeleteRangeRequest {
	if r == nil {
		return nil
	}
	return &etcdapi.DeleteRangeRequest{Key: r.Key, RangeEnd: r.RangeEnd, PrevKv: r.PrevKv}
}

func toCompare(c *pb.Compare) *etcdapi.Compare {
	if c == nil {
		return nil
	}
	out := &etcdapi.Compare{
		Result:   etcdapi.Compare_CompareResult(c.Result),
		Target:   etcdapi.Compare_CompareTarget(c.Target),
		Key:      c.Key,
		RangeEnd: c.RangeEnd,
	}
	// etcd's TargetUnion is a oneof; mvcc spreads it over fields and reads
	// the one Target names, so a union that disagrees with Target reads as
	// a zero value on both sides.
	switch u := c.TargetUnion.(type) {
	case *pb.Compare_Version:
		out.Version = u.Version
	case *pb.Compare_CreateRevision:
		out.CreateRevision = u.CreateRevision
	case *pb.Compare_ModRevision:
		out.ModRevision = u.ModRevision
	case *pb.Compare_Value:
		out.Value = u.Value
	case *pb.Compare_Lease:
		out.Lease = u.Lease
	}
	return out
}

func toOp(op *pb.RequestOp) *etcdapi.RequestOp {
	if op == nil {
		return nil
	}
	switch u := op.Request.(type) {
	case *pb.RequestOp_RequestRange:
		return &etcdapi.RequestOp{RequestRange: toRange(u.RequestRange)}
	case *pb.RequestOp_RequestPut:
		return &etcdapi.RequestOp{RequestPut: toPut(u.RequestPut)}
	case *pb.RequestOp_RequestDeleteRange:
		return &etcdapi.RequestOp{RequestDeleteRange: toDeleteRange(u.RequestDeleteRange)}
	case *pb.RequestOp_RequestTxn:
		return &etcdapi.RequestOp{RequestTxn: toTxn(u.RequestTxn)}
	}
	return &etcdapi.RequestOp{} // an empty union
}

func toOps(ops []*pb.RequestOp) []*etcdapi.RequestOp {
	var out []*etcdapi.RequestOp
	for _, op := range ops {
		out = append(out, toOp(op))
	}
	return out
}

func toTxn(r *pb.TxnRequest) *etcdapi.TxnRequest {
	if r == nil {
		return nil
	}
	out := &etcdapi.TxnRequest{Success: toOps(r.Success), Failure: toOps(r.Failure)}
	for _, c := range r.Compare {
		out.Compare = append(out.Compare, toCompare(c))
	}
	return out
}

func fromHeader(h *etcdapi.ResponseHeader) *pb.ResponseHeader {
	if h == nil {
		return nil
	}
	return &pb.ResponseHeader{ClusterId: h.ClusterId, MemberId: h.MemberId,
		Revision: h.Revision, RaftTerm: h.RaftTerm}
}

func fromKV(kv *etcdapi.KeyValue) *mvccpb.KeyValue {
	if kv == nil {
		return nil
	}
	return &mvccpb.KeyValue{
		Key:            kv.Key,
		CreateRevision: kv.CreateRevision,
		ModRevision:    kv.ModRevision,
		Version:        kv.Version,
		Value:          kv.Value,
		Lease:          kv.Lease,
	}
}

func fromKVs(kvs []*etcdapi.KeyValue) []*mvccpb.KeyValue {
	var out []*mvccpb.KeyValue
	for _, kv := range kvs {
		out = append(out, fromKV(kv))
	}
	return out
}

func fromRange(r *etcdapi.RangeResponse) *pb.RangeResponse {
	if r == nil {
		return nil
	}
	return &pb.RangeResponse{Header: fromHeader(r.Header), Kvs: fromKVs(r.Kvs),
		More: r.More, Count: r.Count}
}

func fromPut(r *etcdapi.PutResponse) *pb.PutResponse {
	if r == nil {
		return nil
	}
	return &pb.PutResponse{Header: fromHeader(r.Header), PrevKv: fromKV(r.PrevKv)}
}

func fromDeleteRange(r *etcdapi.DeleteRangeResponse) *pb.DeleteRangeResponse {
	if r == nil {
		return nil
	}
	return &pb.DeleteRangeResponse{Header: fromHeader(r.Header), Deleted: r.Deleted,
		PrevKvs: fromKVs(r.PrevKvs)}
}

func fromTxn(r *etcdapi.TxnResponse) *pb.TxnResponse {
	if r == nil {
		return nil
	}
	out := &pb.TxnResponse{Header: fromHeader(r.Header), Succeeded: r.Succeeded}
	for _, op := range r.Responses {
		var o *pb.ResponseOp
		switch {
		case op == nil:
		case op.ResponseRange != nil:
			o = &pb.ResponseOp{Response: &pb.ResponseOp_ResponseRange{ResponseRange: fromRange(op.ResponseRange)}}
		case op.ResponsePut != nil:
			o = &pb.ResponseOp{Response: &pb.ResponseOp_ResponsePut{ResponsePut: fromPut(op.ResponsePut)}}
		case op.ResponseDeleteRange != nil:
			o = &pb.ResponseOp{Response: &pb.ResponseOp_ResponseDeleteRange{ResponseDeleteRange: fromDeleteRange(op.ResponseDeleteRange)}}
		case op.ResponseTxn != nil:
			o = &pb.ResponseOp{Response: &pb.ResponseOp_ResponseTxn{ResponseTxn: fromTxn(op.ResponseTxn)}}
		default:
			o = &pb.ResponseOp{}
		}
		out.Responses = append(out.Responses, o)
	}
	return out
}

func fromCompact(r *etcdapi.CompactionResponse) *pb.CompactionResponse {
	if r == nil {
		return nil
	}
	return &pb.CompactionResponse{Header: fromHeader(r.Header)}
}

func fromLeaseGrant(r *etcdapi.LeaseGrantResponse) *pb.LeaseGrantResponse {
	if r == nil {
		return nil
	}
	return &pb.LeaseGrantResponse{Header: fromHeader(r.Header), ID: r.ID, TTL: r.TTL, Error: r.Error}
}

func fromLeaseRevoke(r *etcdapi.LeaseRevokeResponse) *pb.LeaseRevokeResponse {
	if r == nil {
		return nil
	}
	return &pb.LeaseRevokeResponse{Header: fromHeader(r.Header)}
}

func fromLeaseTimeToLive(r *etcdapi.LeaseTimeToLiveResponse) *pb.LeaseTimeToLiveResponse {
	if r == nil {
		return nil
	}
	return &pb.LeaseTimeToLiveResponse{Header: fromHeader(r.Header), ID: r.ID, TTL: r.TTL,
		GrantedTTL: r.GrantedTTL, Keys: r.Keys}
}

func fromLeaseLeases(r *etcdapi.LeaseLeasesResponse) *pb.LeaseLeasesResponse {
	if r == nil {
		return nil
	}
	out := &pb.LeaseLeasesResponse{Header: fromHeader(r.Header)}
	for _, l := range r.Leases {
		out.Leases = append(out.Leases, &pb.LeaseStatus{ID: l.ID})
	}
	return out
}
