package etcdapi

// This file holds the Watch service's messages and mvccpb.Event.

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

// WatchRequest mirrors etcdserverpb.WatchRequest, one message on a watch
// stream: exactly one field is non-nil.
type WatchRequest struct {
	CreateRequest   *WatchCreateRequest
	CancelRequest   *WatchCancelRequest
	ProgressRequest *WatchProgressRequest
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

// WatchCancelRequest mirrors etcdserverpb.WatchCancelRequest.
type WatchCancelRequest struct {
	WatchId int64
}

// WatchProgressRequest mirrors etcdserverpb.WatchProgressRequest: it asks
// the stream for a progress notification once every watcher has caught up.
type WatchProgressRequest struct{}

// WatchResponse mirrors etcdserverpb.WatchResponse. A progress notification
// has no events; one answering a WatchProgressRequest has WatchId -1, as in
// etcd.
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

// IsProgressNotify reports whether r is a progress notification: no events,
// and neither a creation nor a cancellation (clientv3's IsProgressNotify).
func (r *WatchResponse) IsProgressNotify() bool {
	return len(r.Events) == 0 && !r.Created && !r.Canceled && r.CompactRevision == 0 &&
		r.Header != nil && r.Header.Revision != 0
}
