package etcdapi

// This file holds the messages of etcd's concurrency services, v3lockpb
// and v3electionpb. The services are recipes over leases, txns and
// watches (etcd's server/etcdserver/api/v3lock and v3election).

// LockRequest mirrors v3lockpb.LockRequest: acquire the lock Name, held
// for as long as Lease lives.
type LockRequest struct {
	Name  []byte
	Lease int64
}

// LockResponse mirrors v3lockpb.LockResponse. Key is the holder's key: its
// create revision orders the waiters and fences the holder's writes.
type LockResponse struct {
	Header *ResponseHeader
	Key    []byte
}

// UnlockRequest mirrors v3lockpb.UnlockRequest.
type UnlockRequest struct {
	Key []byte
}

// UnlockResponse mirrors v3lockpb.UnlockResponse.
type UnlockResponse struct {
	Header *ResponseHeader
}

// LeaderKey mirrors v3electionpb.LeaderKey: the key a campaign won with.
type LeaderKey struct {
	Name  []byte
	Key   []byte
	Rev   int64
	Lease int64
}

// CampaignRequest mirrors v3electionpb.CampaignRequest.
type CampaignRequest struct {
	Name  []byte
	Lease int64
	Value []byte
}

// CampaignResponse mirrors v3electionpb.CampaignResponse.
type CampaignResponse struct {
	Header *ResponseHeader
	Leader *LeaderKey
}

// ProclaimRequest mirrors v3electionpb.ProclaimRequest.
type ProclaimRequest struct {
	Leader *LeaderKey
	Value  []byte
}

// ProclaimResponse mirrors v3electionpb.ProclaimResponse.
type ProclaimResponse struct {
	Header *ResponseHeader
}

// LeaderRequest mirrors v3electionpb.LeaderRequest; Observe takes it too.
type LeaderRequest struct {
	Name []byte
}

// LeaderResponse mirrors v3electionpb.LeaderResponse.
type LeaderResponse struct {
	Header *ResponseHeader
	Kv     *KeyValue
}

// ResignRequest mirrors v3electionpb.ResignRequest.
type ResignRequest struct {
	Leader *LeaderKey
}

// ResignResponse mirrors v3electionpb.ResignResponse.
type ResignResponse struct {
	Header *ResponseHeader
}
