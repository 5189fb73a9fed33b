package linearizability

import (
	"fmt"
	"strconv"
)

// Revision is an etcd store revision: it starts at 1 for an empty store and
// grows by one with each request that changes something.
type Revision int64

// String prints the revision as "r<rev>".
func (r Revision) String() string { return "r" + strconv.FormatInt(int64(r), 10) }

// LeaseID names an etcd lease; 0 means "no lease".
type LeaseID int64

// String prints the lease as "l<id>".
func (l LeaseID) String() string { return "l" + strconv.FormatInt(int64(l), 10) }

// EtcdRequest is a request of the etcd model, shaped like etcd's RequestOp
// oneof: exactly one field is set.
type EtcdRequest struct {
	Range       *RangeRequest
	Put         *PutRequest
	DeleteRange *DeleteRangeRequest
	Txn         *TxnRequest
	LeaseGrant  *LeaseGrantRequest
	LeaseRevoke *LeaseRevokeRequest
	Compact     *CompactRequest
}

func (EtcdRequest) isInput() {}

// RangeRequest reads [Key, RangeEnd) at Revision (0: the current one).
// RangeEnd "" reads Key alone; "\x00" reads every key >= Key (etcd's rule).
type RangeRequest struct {
	Key, RangeEnd string
	Revision      Revision
	// Limit caps the returned key-values (0: no limit); Count still counts
	// them all, and More says some were left out.
	Limit     int64
	KeysOnly  bool
	CountOnly bool
}

// PutRequest writes Value to Key, attached to Lease (0: none).
type PutRequest struct {
	Key, Value string
	Lease      LeaseID
	PrevKv     bool
}

// DeleteRangeRequest deletes the keys in [Key, RangeEnd).
type DeleteRangeRequest struct {
	Key, RangeEnd string
	PrevKv        bool
}

// TxnRequest is etcd's mini-transaction: if every Compare holds, Success
// runs, otherwise Failure, all in one revision.
type TxnRequest struct {
	Compare []Compare
	Success []TxnOp
	Failure []TxnOp
}

// TxnOp is one operation of a transaction branch: exactly one field is set.
type TxnOp struct {
	Range       *RangeRequest
	Put         *PutRequest
	DeleteRange *DeleteRangeRequest
}

// CompareTarget is the key-value field a Compare reads.
type CompareTarget uint8

// Compare targets, as etcd's Compare_CompareTarget.
const (
	CompareVersion CompareTarget = iota
	CompareCreate
	CompareMod
	CompareValue
	CompareLease
)

// CompareResult is the relation a Compare asks for.
type CompareResult uint8

// Compare relations, as etcd's Compare_CompareResult.
const (
	CompareEqual CompareResult = iota
	CompareGreater
	CompareLess
	CompareNotEqual
)

// Compare is one guard of a txn over Key (or [Key, RangeEnd)). Only the
// field named by Target is read.
type Compare struct {
	Key, RangeEnd  string
	Target         CompareTarget
	Result         CompareResult
	Version        int64
	CreateRevision Revision
	ModRevision    Revision
	Value          string
	Lease          LeaseID
}

// LeaseGrantRequest grants lease ID (which the client chooses, so that an
// indeterminate grant can still be modeled).
type LeaseGrantRequest struct {
	ID  LeaseID
	TTL int64
}

// LeaseRevokeRequest revokes lease ID, deleting its keys in one revision.
type LeaseRevokeRequest struct{ ID LeaseID }

// CompactRequest compacts the store's history up to Revision.
type CompactRequest struct{ Revision Revision }

// ResponseError is the etcd error a response carries, as a code: the
// recorder translates server errors into these, and drops requests that
// surely did not take effect for other reasons (no leader, too many
// requests).
type ResponseError uint8

// Response errors the etcd model predicts.
const (
	RespOK ResponseError = iota
	// RespCompacted: etcdserver's ErrCompacted.
	RespCompacted
	// RespFutureRev: etcdserver's ErrFutureRev.
	RespFutureRev
	// RespLeaseNotFound: lease.ErrLeaseNotFound.
	RespLeaseNotFound
	// RespLeaseExists: lease.ErrLeaseExists.
	RespLeaseExists
)

var responseErrorNames = [...]string{
	"ok", "compacted", "future-rev", "lease-not-found", "lease-exists",
}

// String prints the error's short name.
func (e ResponseError) String() string {
	if int(e) < len(responseErrorNames) {
		return responseErrorNames[e]
	}
	return fmt.Sprintf("error(%d)", uint8(e))
}

// KeyValue is one key's state as etcd's mvccpb.KeyValue reports it.
type KeyValue struct {
	Key, Value     string
	CreateRevision Revision
	ModRevision    Revision
	Version        int64
	Lease          LeaseID
}

// EtcdResponse is the response to an EtcdRequest: the header Revision and
// the field matching the request's (nil when Err is set).
type EtcdResponse struct {
	Err         ResponseError
	Revision    Revision
	Range       *RangeResponse
	Put         *PutResponse
	DeleteRange *DeleteRangeResponse
	Txn         *TxnResponse
	LeaseGrant  *LeaseGrantResponse
}

func (EtcdResponse) isOutput() {}

// RangeResponse lists the key-values read, in key order.
type RangeResponse struct {
	KVs   []KeyValue
	More  bool
	Count int64
}

// PutResponse carries the overwritten key-value when PrevKv was asked.
type PutResponse struct{ PrevKv *KeyValue }

// DeleteRangeResponse counts the deleted keys.
type DeleteRangeResponse struct {
	Deleted int64
	PrevKvs []KeyValue
}

// TxnResponse says which branch ran and what each of its ops returned.
type TxnResponse struct {
	Succeeded bool
	Responses []TxnOpResponse
}

// TxnOpResponse is one txn op's result: exactly one field is set.
type TxnOpResponse struct {
	Range       *RangeResponse
	Put         *PutResponse
	DeleteRange *DeleteRangeResponse
}

// LeaseGrantResponse confirms the granted lease.
type LeaseGrantResponse struct{ ID LeaseID }
