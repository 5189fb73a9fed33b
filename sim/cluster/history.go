package cluster

import (
	"etcdsim/linearizability"
	"etcdsim/mvcc"
)

// historyRequest is the request as the history records it for the etcd
// model. The model's request is the store's, field for field: both hold
// the same etcdapi messages, which the history shares.
func historyRequest(req *mvcc.Request) linearizability.EtcdRequest {
	return linearizability.EtcdRequest{Range: req.Range, Put: req.Put,
		DeleteRange: req.DeleteRange, Txn: req.Txn, LeaseGrant: req.LeaseGrant,
		LeaseRevoke: req.LeaseRevoke, Compact: req.Compaction}
}

// historyResponse is a response as the history records it: the store's
// messages themselves, and the header's revision.
func historyResponse(resp *mvcc.Response) linearizability.EtcdResponse {
	out := linearizability.EtcdResponse{Err: resp.Err, Range: resp.Range, Put: resp.Put,
		DeleteRange: resp.DeleteRange, Txn: resp.Txn, LeaseGrant: resp.LeaseGrant,
		LeaseRevoke: resp.LeaseRevoke, Compact: resp.Compaction}
	if h := responseHeader(resp); h != nil {
		out.Revision = linearizability.Revision(h.Revision)
	}
	return out
}
