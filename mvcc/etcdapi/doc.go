// Package etcdapi is etcd's v3 API in plain Go: the request, response,
// KeyValue, Event and error types of etcdserverpb, mvccpb, v3lockpb and
// v3electionpb, field for field and with etcd's Go names, so that someone
// who knows etcd recognises them. It is the one spelling of etcd's API in
// etcdsim: the store (mvcc), the cluster's members and client, the recorded
// history, the checker's etcd model and the gRPC front end all use these
// types, and none converts between two copies. It is a leaf: it imports
// nothing of etcdsim's.
//
// # Model
//
// Messages are plain structs. A protobuf oneof is a struct with one pointer
// field per case, exactly one of them set (RequestOp, ResponseOp,
// WatchRequest); Compare's TargetUnion is spread over one field per target,
// of which Compare.Target names the one read. Byte strings stay []byte, as
// in etcd; a nil and an empty slice mean the same.
//
// Errors are *Error values with etcd's text and gRPC status code
// (rpctypes.ErrGRPC*, etcd v3.7.3 api/v3rpc/rpctypes/error.go). A client
// decides whether to retry from the code alone, as clientv3 does.
//
// # Vocabulary
//
//   - revision: the store's logical clock, raised by every change; an
//     int64 in every message, as in etcd.
//   - range [Key, RangeEnd): RangeEnd empty is the single key Key; RangeEnd
//     "\x00" is every key >= Key; a prefix p is [p, PrefixEnd(p)).
//   - lease ID: an int64, 0 meaning no lease.
//   - member ID: a uint64, 0 meaning none.
//
// # Invariants
//
// None are enforced here: these are messages. The store and the members
// validate requests at their boundaries (mvcc.ValidateRequest).
//
// # Usage
//
//	req := &etcdapi.RangeRequest{Key: []byte("a"), RangeEnd: etcdapi.PrefixEnd([]byte("a"))}
//	resp, err := store.Range(req)
//	if errors.Is(err, etcdapi.ErrCompacted) { ... }
//
// # Not modeled
//
// Protobuf encoding, gRPC streams and the gateway's JSON: the front end in
// cmd/etcdsim converts to and from etcd's published protobuf types at the
// wire. Downgrade, snapshot streaming and the v2 API are left out, as is
// WatchCreateRequest.Fragment (accepted, never acted on).
package etcdapi
