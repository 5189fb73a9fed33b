package etcdapi

// This file holds the KV service's messages: etcdserverpb's RangeRequest,
// PutRequest, DeleteRangeRequest, TxnRequest and CompactionRequest with
// their responses, and mvccpb.KeyValue.

// ResponseHeader mirrors etcdserverpb.ResponseHeader. The store fills
// Revision; the member fills ClusterId, MemberId and RaftTerm.
type ResponseHeader struct {
	ClusterId uint64
	MemberId  uint64
	Revision  int64
	RaftTerm  uint64
}

// KeyValue mirrors mvccpb.KeyValue.
// Contract: the Key and Value slices of a returned KeyValue are shared with
// the store and MUST NOT be modified by the caller.
type KeyValue struct {
	Key            []byte
	CreateRevision int64
	ModRevision    int64
	Version        int64
	Value          []byte
	Lease          int64
}

// RangeRequest_SortOrder mirrors etcdserverpb.RangeRequest_SortOrder.
type RangeRequest_SortOrder int32

// Sort orders, as etcd numbers them.
const (
	RangeRequest_NONE    RangeRequest_SortOrder = 0
	RangeRequest_ASCEND  RangeRequest_SortOrder = 1
	RangeRequest_DESCEND RangeRequest_SortOrder = 2
)

// RangeRequest_SortTarget mirrors etcdserverpb.RangeRequest_SortTarget.
type RangeRequest_SortTarget int32

// Sort targets, as etcd numbers them.
const (
	RangeRequest_KEY     RangeRequest_SortTarget = 0
	RangeRequest_VERSION RangeRequest_SortTarget = 1
	RangeRequest_CREATE  RangeRequest_SortTarget = 2
	RangeRequest_MOD     RangeRequest_SortTarget = 3
	RangeRequest_VALUE   RangeRequest_SortTarget = 4
)

// RangeRequest mirrors etcdserverpb.RangeRequest. RangeEnd empty means the
// single key Key; RangeEnd "\x00" means every key >= Key.
type RangeRequest struct {
	Key               []byte
	RangeEnd          []byte
	Limit             int64
	Revision          int64
	SortOrder         RangeRequest_SortOrder
	SortTarget        RangeRequest_SortTarget
	Serializable      bool
	KeysOnly          bool
	CountOnly         bool
	MinModRevision    int64
	MaxModRevision    int64
	MinCreateRevision int64
	MaxCreateRevision int64
}

// RangeResponse mirrors etcdserverpb.RangeResponse.
type RangeResponse struct {
	Header *ResponseHeader
	Kvs    []*KeyValue
	More   bool
	Count  int64
}

// PutRequest mirrors etcdserverpb.PutRequest.
type PutRequest struct {
	Key         []byte
	Value       []byte
	Lease       int64
	PrevKv      bool
	IgnoreValue bool
	IgnoreLease bool
}

// PutResponse mirrors etcdserverpb.PutResponse.
type PutResponse struct {
	Header *ResponseHeader
	PrevKv *KeyValue
}

// DeleteRangeRequest mirrors etcdserverpb.DeleteRangeRequest.
type DeleteRangeRequest struct {
	Key      []byte
	RangeEnd []byte
	PrevKv   bool
}

// DeleteRangeResponse mirrors etcdserverpb.DeleteRangeResponse.
type DeleteRangeResponse struct {
	Header  *ResponseHeader
	Deleted int64
	PrevKvs []*KeyValue
}

// RequestOp mirrors etcdserverpb.RequestOp: exactly one field is non-nil.
type RequestOp struct {
	RequestRange       *RangeRequest
	RequestPut         *PutRequest
	RequestDeleteRange *DeleteRangeRequest
	RequestTxn         *TxnRequest
}

// ResponseOp mirrors etcdserverpb.ResponseOp: exactly one field is non-nil.
type ResponseOp struct {
	ResponseRange       *RangeResponse
	ResponsePut         *PutResponse
	ResponseDeleteRange *DeleteRangeResponse
	ResponseTxn         *TxnResponse
}

// Compare_CompareResult mirrors etcdserverpb.Compare_CompareResult.
type Compare_CompareResult int32

// Compare results, as etcd numbers them.
const (
	Compare_EQUAL     Compare_CompareResult = 0
	Compare_GREATER   Compare_CompareResult = 1
	Compare_LESS      Compare_CompareResult = 2
	Compare_NOT_EQUAL Compare_CompareResult = 3
)

// Compare_CompareTarget mirrors etcdserverpb.Compare_CompareTarget.
type Compare_CompareTarget int32

// Compare targets, as etcd numbers them.
const (
	Compare_VERSION Compare_CompareTarget = 0
	Compare_CREATE  Compare_CompareTarget = 1
	Compare_MOD     Compare_CompareTarget = 2
	Compare_VALUE   Compare_CompareTarget = 3
	Compare_LEASE   Compare_CompareTarget = 4
)

// Compare mirrors etcdserverpb.Compare. etcd's TargetUnion oneof is spread
// over Version, CreateRevision, ModRevision, Value and Lease; only the field
// named by Target is read.
type Compare struct {
	Result         Compare_CompareResult
	Target         Compare_CompareTarget
	Key            []byte
	RangeEnd       []byte
	Version        int64
	CreateRevision int64
	ModRevision    int64
	Value          []byte
	Lease          int64
}

// TxnRequest mirrors etcdserverpb.TxnRequest.
type TxnRequest struct {
	Compare []*Compare
	Success []*RequestOp
	Failure []*RequestOp
}

// TxnResponse mirrors etcdserverpb.TxnResponse.
type TxnResponse struct {
	Header    *ResponseHeader
	Succeeded bool
	Responses []*ResponseOp
}

// CompactionRequest mirrors etcdserverpb.CompactionRequest. With Physical
// set, etcd answers only once the compaction has removed the old revisions
// from the backend; etcdsim's compaction is always complete on return.
type CompactionRequest struct {
	Revision int64
	Physical bool
}

// CompactionResponse mirrors etcdserverpb.CompactionResponse.
type CompactionResponse struct {
	Header *ResponseHeader
}

// PrefixEnd returns the RangeEnd that makes [prefix, end) every key with
// the prefix, as clientv3.GetPrefixRangeEnd: the prefix with its last byte
// below 0xff raised by one and the rest dropped, or "\x00" (every key) when
// every byte is 0xff.
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return []byte{0}
}
