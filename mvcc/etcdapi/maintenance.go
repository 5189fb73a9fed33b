package etcdapi

import "strconv"

// This file holds the Maintenance service's messages.

// AlarmType mirrors etcdserverpb.AlarmType.
type AlarmType int32

// Alarm types, as etcd numbers them.
const (
	AlarmType_NONE    AlarmType = 0
	AlarmType_NOSPACE AlarmType = 1
	AlarmType_CORRUPT AlarmType = 2
)

// String names the alarm as etcd does.
func (a AlarmType) String() string {
	switch a {
	case AlarmType_NOSPACE:
		return "NOSPACE"
	case AlarmType_CORRUPT:
		return "CORRUPT"
	}
	return "NONE"
}

// AlarmRequest_AlarmAction mirrors etcdserverpb.AlarmRequest_AlarmAction.
type AlarmRequest_AlarmAction int32

// Alarm actions, as etcd numbers them.
const (
	AlarmRequest_GET        AlarmRequest_AlarmAction = 0
	AlarmRequest_ACTIVATE   AlarmRequest_AlarmAction = 1
	AlarmRequest_DEACTIVATE AlarmRequest_AlarmAction = 2
)

// String names the action as etcd does.
func (a AlarmRequest_AlarmAction) String() string {
	switch a {
	case AlarmRequest_ACTIVATE:
		return "ACTIVATE"
	case AlarmRequest_DEACTIVATE:
		return "DEACTIVATE"
	case AlarmRequest_GET:
		return "GET"
	}
	return "AlarmAction(" + strconv.Itoa(int(a)) + ")"
}

// AlarmRequest mirrors etcdserverpb.AlarmRequest. MemberID 0 with Alarm
// NONE in a GET lists every alarm.
type AlarmRequest struct {
	Action   AlarmRequest_AlarmAction
	MemberID uint64
	Alarm    AlarmType
}

// AlarmMember mirrors etcdserverpb.AlarmMember: one raised alarm.
type AlarmMember struct {
	MemberID uint64
	Alarm    AlarmType
}

// AlarmResponse mirrors etcdserverpb.AlarmResponse.
type AlarmResponse struct {
	Header *ResponseHeader
	Alarms []*AlarmMember
}

// StatusRequest mirrors etcdserverpb.StatusRequest.
type StatusRequest struct{}

// StatusResponse mirrors etcdserverpb.StatusResponse (without the
// downgrade fields).
type StatusResponse struct {
	Header           *ResponseHeader
	Version          string
	DbSize           int64
	Leader           uint64
	RaftIndex        uint64
	RaftTerm         uint64
	RaftAppliedIndex uint64
	Errors           []string
	DbSizeInUse      int64
	IsLearner        bool
	StorageVersion   string
	DbSizeQuota      int64
}

// DefragmentRequest mirrors etcdserverpb.DefragmentRequest.
type DefragmentRequest struct{}

// DefragmentResponse mirrors etcdserverpb.DefragmentResponse.
type DefragmentResponse struct {
	Header *ResponseHeader
}

// HashRequest mirrors etcdserverpb.HashRequest.
type HashRequest struct{}

// HashResponse mirrors etcdserverpb.HashResponse: a hash of the whole
// backend. etcd hashes the bbolt file's buckets, so members agree only when
// their files are alike; etcdsim hashes the store's contents (mvcc's
// Store.Hash), on which members that applied the same entries agree.
type HashResponse struct {
	Header *ResponseHeader
	Hash   uint32
}

// HashKVRequest mirrors etcdserverpb.HashKVRequest (Revision 0: the
// current one).
type HashKVRequest struct {
	Revision int64
}

// HashKVResponse mirrors etcdserverpb.HashKVResponse: a hash of the
// key-value history up to HashRevision, which members that applied the
// same entries agree on (etcd's corruption check).
type HashKVResponse struct {
	Header          *ResponseHeader
	Hash            uint32
	CompactRevision int64
	HashRevision    int64
}

// MoveLeaderRequest mirrors etcdserverpb.MoveLeaderRequest.
type MoveLeaderRequest struct {
	TargetID uint64
}

// MoveLeaderResponse mirrors etcdserverpb.MoveLeaderResponse.
type MoveLeaderResponse struct {
	Header *ResponseHeader
}
