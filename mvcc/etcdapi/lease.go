package etcdapi

// This file holds the Lease service's messages.

// LeaseGrantRequest mirrors etcdserverpb.LeaseGrantRequest (TTL in seconds;
// ID 0 lets the server choose one).
type LeaseGrantRequest struct {
	TTL int64
	ID  int64
}

// LeaseGrantResponse mirrors etcdserverpb.LeaseGrantResponse.
type LeaseGrantResponse struct {
	Header *ResponseHeader
	ID     int64
	TTL    int64
	Error  string
}

// LeaseRevokeRequest mirrors etcdserverpb.LeaseRevokeRequest.
type LeaseRevokeRequest struct {
	ID int64
}

// LeaseRevokeResponse mirrors etcdserverpb.LeaseRevokeResponse.
type LeaseRevokeResponse struct {
	Header *ResponseHeader
}

// LeaseKeepAliveRequest mirrors etcdserverpb.LeaseKeepAliveRequest.
type LeaseKeepAliveRequest struct {
	ID int64
}

// LeaseKeepAliveResponse mirrors etcdserverpb.LeaseKeepAliveResponse. TTL 0
// answers a keep-alive for a lease that does not exist, as etcd's
// LeaseKeepAlive stream does (the unary call returns ErrLeaseNotFound).
type LeaseKeepAliveResponse struct {
	Header *ResponseHeader
	ID     int64
	TTL    int64
}

// LeaseTimeToLiveRequest mirrors etcdserverpb.LeaseTimeToLiveRequest.
type LeaseTimeToLiveRequest struct {
	ID   int64
	Keys bool
}

// LeaseTimeToLiveResponse mirrors etcdserverpb.LeaseTimeToLiveResponse. TTL
// is -1 when the lease does not exist, as etcd answers.
type LeaseTimeToLiveResponse struct {
	Header     *ResponseHeader
	ID         int64
	TTL        int64
	GrantedTTL int64
	Keys       [][]byte
}

// LeaseLeasesRequest mirrors etcdserverpb.LeaseLeasesRequest.
type LeaseLeasesRequest struct{}

// LeaseStatus mirrors etcdserverpb.LeaseStatus.
type LeaseStatus struct {
	ID int64
}

// LeaseLeasesResponse mirrors etcdserverpb.LeaseLeasesResponse.
type LeaseLeasesResponse struct {
	Header *ResponseHeader
	Leases []*LeaseStatus
}
