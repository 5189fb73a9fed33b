package etcdcompare

import (
	"context"
	"fmt"
	"os"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

// traceRequests prints each request to stderr before etcd gets it, so
// that a request that crashes etcd (which takes the test binary with it)
// can be found: ETCDCOMPARE_TRACE=1.
var traceRequests = os.Getenv("ETCDCOMPARE_TRACE") != ""

// request is one request of a sequence: exactly one field is set.
type request struct {
	Put             *pb.PutRequest
	Range           *pb.RangeRequest
	DeleteRange     *pb.DeleteRangeRequest
	Txn             *pb.TxnRequest
	Compact         *pb.CompactionRequest
	LeaseGrant      *pb.LeaseGrantRequest
	LeaseRevoke     *pb.LeaseRevokeRequest
	LeaseTimeToLive *pb.LeaseTimeToLiveRequest
	LeaseLeases     *pb.LeaseLeasesRequest
}

// String renders the request in protobuf text form.
func (r request) String() string {
	switch {
	case r.Put != nil:
		return "Put{" + r.Put.String() + "}"
	case r.Range != nil:
		return "Range{" + r.Range.String() + "}"
	case r.DeleteRange != nil:
		return "DeleteRange{" + r.DeleteRange.String() + "}"
	case r.Txn != nil:
		return "Txn{" + r.Txn.String() + "}"
	case r.Compact != nil:
		return "Compact{" + r.Compact.String() + "}"
	case r.LeaseGrant != nil:
		return "LeaseGrant{" + r.LeaseGrant.String() + "}"
	case r.LeaseRevoke != nil:
		return "LeaseRevoke{" + r.LeaseRevoke.String() + "}"
	case r.LeaseTimeToLive != nil:
		return "LeaseTimeToLive{" + r.LeaseTimeToLive.String() + "}"
	case r.LeaseLeases != nil:
		return "LeaseLeases{}"
	}
	return "empty request"
}

// doEtcd sends r to etcd and returns the canonical answer.
func doEtcd(s *etcdServer, r request) string {
	if traceRequests {
		fmt.Fprintf(os.Stderr, "etcdcompare: sending %s\n", r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var resp any
	var err error
	switch {
	case r.Put != nil:
		resp, err = s.kv.Put(ctx, r.Put)
	case r.Range != nil:
		resp, err = s.kv.Range(ctx, r.Range)
	case r.DeleteRange != nil:
		resp, err = s.kv.DeleteRange(ctx, r.DeleteRange)
	case r.Txn != nil:
		resp, err = s.kv.Txn(ctx, r.Txn)
	case r.Compact != nil:
		resp, err = s.kv.Compact(ctx, r.Compact)
	case r.LeaseGrant != nil:
		resp, err = s.lease.LeaseGrant(ctx, r.LeaseGrant)
	case r.LeaseRevoke != nil:
		resp, err = s.lease.LeaseRevoke(ctx, r.LeaseRevoke)
	case r.LeaseTimeToLive != nil:
		resp, err = s.lease.LeaseTimeToLive(ctx, r.LeaseTimeToLive)
	case r.LeaseLeases != nil:
		resp, err = s.lease.LeaseLeases(ctx, r.LeaseLeases)
	default:
		panic("empty request")
	}
	if err != nil {
		return canonical(etcdErrorName(err))
	}
	return canonical(resp)
}

// doMvcc applies r to the store and returns the canonical answer.
func doMvcc(s *mvcc.Store, r request) (out string) {
	defer func() {
		if p := recover(); p != nil {
			out = canonical(fmt.Sprintf("panic %v", p))
		}
	}()
	var resp any
	var err error
	switch {
	case r.Put != nil:
		var x *etcdapi.PutResponse
		x, err = s.Put(toPut(r.Put))
		resp = fromPut(x)
	case r.Range != nil:
		var x *etcdapi.RangeResponse
		x, err = s.Range(toRange(r.Range))
		resp = fromRange(x)
	case r.DeleteRange != nil:
		var x *etcdapi.DeleteRangeResponse
		x, err = s.DeleteRange(toDeleteRange(r.DeleteRange))
		resp = fromDeleteRange(x)
	case r.Txn != nil:
		var x *etcdapi.TxnResponse
		x, err = s.Txn(toTxn(r.Txn))
		resp = fromTxn(x)
	case r.Compact != nil:
		var x *etcdapi.CompactionResponse
		x, err = s.Compact(&etcdapi.CompactionRequest{Revision: r.Compact.Revision,
			Physical: r.Compact.Physical})
		resp = fromCompact(x)
	case r.LeaseGrant != nil:
		var x *etcdapi.LeaseGrantResponse
		x, err = s.LeaseGrant(&etcdapi.LeaseGrantRequest{TTL: r.LeaseGrant.TTL,
			ID: r.LeaseGrant.ID})
		resp = fromLeaseGrant(x)
	case r.LeaseRevoke != nil:
		var x *etcdapi.LeaseRevokeResponse
		x, err = s.LeaseRevoke(&etcdapi.LeaseRevokeRequest{ID: r.LeaseRevoke.ID})
		resp = fromLeaseRevoke(x)
	case r.LeaseTimeToLive != nil:
		var x *etcdapi.LeaseTimeToLiveResponse
		x, err = s.LeaseTimeToLive(&etcdapi.LeaseTimeToLiveRequest{ID: r.LeaseTimeToLive.ID,
			Keys: r.LeaseTimeToLive.Keys})
		resp = fromLeaseTimeToLive(x)
	case r.LeaseLeases != nil:
		var x *etcdapi.LeaseLeasesResponse
		x, err = s.LeaseLeases()
		resp = fromLeaseLeases(x)
	default:
		panic("empty request")
	}
	if err != nil {
		return canonical(mvccErrorName(err))
	}
	return canonical(resp)
}
