package mvcc

// Event_EventType mirrors mvccpb.Event_EventType.
type Event_EventType int32

// Event types, as etcd numbers them.
const (
	PUT    Event_EventType = 0
	DELETE Event_EventType = 1
)

// String names the event type as etcd does.
func (t Event_EventType) String() string {
	if t == DELETE {
		return "DELETE"
	}
	return "PUT"
}

// Event mirrors mvccpb.Event. A DELETE event's Kv carries only Key and
// ModRevision (the revision of the delete), as in etcd.
type Event struct {
	Type   Event_EventType
	Kv     *KeyValue
	PrevKv *KeyValue
}

// WatchCreateRequest_FilterType mirrors etcdserverpb.WatchCreateRequest_FilterType.
type WatchCreateRequest_FilterType int32

// Watch filters, as etcd numbers them.
const (
	WatchCreateRequest_NOPUT    WatchCreateRequest_FilterType = 0
	WatchCreateRequest_NODELETE WatchCreateRequest_FilterType = 1
)

// WatchCreateRequest mirrors etcdserverpb.WatchCreateRequest. WatchId 0 asks
// for an ID chosen by the stream (etcd's AutoWatchID). Fragment is accepted
// and ignored: responses are never split by size here.
type WatchCreateRequest struct {
	Key            []byte
	RangeEnd       []byte
	StartRevision  int64
	ProgressNotify bool
	Filters        []WatchCreateRequest_FilterType
	PrevKv         bool
	WatchId        int64
	Fragment       bool
}

// WatchResponse mirrors etcdserverpb.WatchResponse. A progress notification
// has no events; one answering RequestProgress has WatchId -1, as in etcd.
type WatchResponse struct {
	Header          *ResponseHeader
	WatchId         int64
	Created         bool
	Canceled        bool
	CompactRevision int64
	CancelReason    string
	Fragment        bool
	Events          []*Event
}

// LeaseGrantRequest mirrors etcdserverpb.LeaseGrantRequest (TTL in seconds;
// ID 0 lets the store choose one).
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

// LeaseKeepAliveResponse mirrors etcdserverpb.LeaseKeepAliveResponse.
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

// LeaseTimeToLiveResponse mirrors etcdserverpb.LeaseTimeToLiveResponse. TTL is
// -1 when the lease does not exist, as etcd answers.
type LeaseTimeToLiveResponse struct {
	Header     *ResponseHeader
	ID         int64
	TTL        int64
	GrantedTTL int64
	Keys       [][]byte
}

// LeaseStatus mirrors etcdserverpb.LeaseStatus.
type LeaseStatus struct {
	ID int64
}

// LeaseLeasesResponse mirrors etcdserverpb.LeaseLeasesResponse.
type LeaseLeasesResponse struct {
	Header *ResponseHeader
	Leases []*LeaseStatus
}

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
