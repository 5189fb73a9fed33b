package etcdapi

// This file holds the Cluster service's messages: membership changes go
// through Raft configuration changes, one at a time, as in etcd.

// Member mirrors etcdserverpb.Member. A learner receives the log but does
// not vote and serves no linearizable request until promoted.
type Member struct {
	ID         uint64
	Name       string
	PeerURLs   []string
	ClientURLs []string
	IsLearner  bool
}

// MemberAddRequest mirrors etcdserverpb.MemberAddRequest.
type MemberAddRequest struct {
	PeerURLs  []string
	IsLearner bool
}

// MemberAddResponse mirrors etcdserverpb.MemberAddResponse: the new member
// and the membership after the change.
type MemberAddResponse struct {
	Header  *ResponseHeader
	Member  *Member
	Members []*Member
}

// MemberRemoveRequest mirrors etcdserverpb.MemberRemoveRequest.
type MemberRemoveRequest struct {
	ID uint64
}

// MemberRemoveResponse mirrors etcdserverpb.MemberRemoveResponse.
type MemberRemoveResponse struct {
	Header  *ResponseHeader
	Members []*Member
}

// MemberUpdateRequest mirrors etcdserverpb.MemberUpdateRequest.
type MemberUpdateRequest struct {
	ID       uint64
	PeerURLs []string
}

// MemberUpdateResponse mirrors etcdserverpb.MemberUpdateResponse.
type MemberUpdateResponse struct {
	Header  *ResponseHeader
	Members []*Member
}

// MemberListRequest mirrors etcdserverpb.MemberListRequest: Linearizable
// asks for the membership as of a ReadIndex, not the member's local view.
type MemberListRequest struct {
	Linearizable bool
}

// MemberListResponse mirrors etcdserverpb.MemberListResponse.
type MemberListResponse struct {
	Header  *ResponseHeader
	Members []*Member
}

// MemberPromoteRequest mirrors etcdserverpb.MemberPromoteRequest.
type MemberPromoteRequest struct {
	ID uint64
}

// MemberPromoteResponse mirrors etcdserverpb.MemberPromoteResponse.
type MemberPromoteResponse struct {
	Header  *ResponseHeader
	Members []*Member
}
