package linearizability

import (
	"errors"
	"strconv"

	"etcdsim/mvcc/etcdapi"
)

// Revision is an etcd store revision: it starts at 1 for an empty store and
// grows by one with each request that changes something. The etcd messages
// spell revisions as int64, as etcd does; the model's own state and reports
// use this type.
type Revision int64

// String prints the revision as "r<rev>".
func (r Revision) String() string { return "r" + strconv.FormatInt(int64(r), 10) }

// leaseID names an etcd lease in the model's state and descriptions; 0
// means "no lease".
type leaseID int64

// String prints the lease as "l<id>".
func (l leaseID) String() string { return "l" + strconv.FormatInt(int64(l), 10) }

// EtcdRequest is a request of the etcd model: one of etcd's own messages
// (package etcdapi), in the field named after its RPC. Exactly one field
// is set.
//
// Contract: the model reads the messages and shares their byte slices with
// its states and responses; they MUST NOT be modified while a check of the
// history runs.
type EtcdRequest struct {
	Range       *etcdapi.RangeRequest
	Put         *etcdapi.PutRequest
	DeleteRange *etcdapi.DeleteRangeRequest
	Txn         *etcdapi.TxnRequest
	LeaseGrant  *etcdapi.LeaseGrantRequest
	LeaseRevoke *etcdapi.LeaseRevokeRequest
	Compact     *etcdapi.CompactionRequest
}

func (EtcdRequest) isInput() {}

// EtcdResponse is what a determinate EtcdRequest returned: either Err, or
// the header revision and etcd's response message in the field matching
// the request's.
//
// Contract: as for EtcdRequest, the messages MUST NOT be modified while a
// check runs. The model never reads the messages' Header (it may be nil):
// the header revision is Revision.
type EtcdResponse struct {
	// Err is nil for a success, or the etcd error the request failed with,
	// possibly wrapped: etcdapi.ErrCompacted, ErrFutureRev,
	// ErrLeaseNotFound or ErrLeaseExist, the errors the model predicts.
	// The message fields are then nil.
	Err error
	// Revision is the response header's revision (etcd's
	// ResponseHeader.Revision): the store's revision after the request.
	Revision    Revision
	Range       *etcdapi.RangeResponse
	Put         *etcdapi.PutResponse
	DeleteRange *etcdapi.DeleteRangeResponse
	Txn         *etcdapi.TxnResponse
	LeaseGrant  *etcdapi.LeaseGrantResponse
	LeaseRevoke *etcdapi.LeaseRevokeResponse
	Compact     *etcdapi.CompactionResponse
}

func (EtcdResponse) isOutput() {}

// modeledErrors are the etcd errors the model predicts, with the short
// names descriptions print.
var modeledErrors = [...]struct {
	err  *etcdapi.Error
	name string
}{
	{etcdapi.ErrCompacted, "compacted"},
	{etcdapi.ErrFutureRev, "future-rev"},
	{etcdapi.ErrLeaseNotFound, "lease-not-found"},
	{etcdapi.ErrLeaseExist, "lease-exists"},
}

// modeledError returns the index in modeledErrors of the error err is or
// wraps, or -1.
func modeledError(err error) int {
	var e *etcdapi.Error
	if !errors.As(err, &e) {
		return -1
	}
	for i, m := range modeledErrors {
		if e == m.err {
			return i
		}
	}
	return -1
}

// errorName prints an error of a response by its short name.
func errorName(err error) string {
	if i := modeledError(err); i >= 0 {
		return modeledErrors[i].name
	}
	return err.Error()
}
