package etcdcompare

import (
	"context"
	"fmt"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

// TestWatchNegativeStart: etcd (v3.6.6 and later, v3.7) answers a watch
// from a negative start revision at once with one response, created and
// canceled, watch ID -1, CancelReason the compacted error's text
// (server/etcdserver/api/v3rpc/watch.go recvLoop). mvcc's Watch returns
// that error instead of creating the watch; the response is what a member
// makes of a refused watch, as etcd's v3rpc does of its watch stream's
// errors. Both release lines agree.
func TestWatchNegativeStart(t *testing.T) {
	srv := startEtcd(t, etcdOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stream, err := srv.watch.Watch(ctx)
	if err != nil {
		t.Fatalf("open etcd watch stream: %v", err)
	}
	for _, start := range []int64{-1, -3} {
		create := &pb.WatchCreateRequest{Key: []byte("a"), StartRevision: start}
		if err := stream.Send(&pb.WatchRequest{RequestUnion: &pb.WatchRequest_CreateRequest{
			CreateRequest: create}}); err != nil {
			t.Fatalf("send watch create: %v", err)
		}
		resp, err := stream.Recv()
		if err != nil {
			t.Fatalf("receive watch response: %v", err)
		}
		e := fmt.Sprintf("rev=%d id=%d created=%v canceled=%v compact=%d reason=%q events=%d",
			resp.Header.Revision, resp.WatchId, resp.Created, resp.Canceled,
			resp.CompactRevision, resp.CancelReason, len(resp.Events))
		for _, version := range []string{etcdLine(), otherLine()} {
			s := openStore(t, mvcc.Config{EtcdVersion: version})
			ws := s.NewWatchStream()
			id, err := ws.Watch(&etcdapi.WatchCreateRequest{Key: create.Key,
				StartRevision: create.StartRevision})
			if err == nil {
				t.Errorf("mvcc %s: watch from %d created as %v, want it refused", version, start, id)
				continue
			}
			m := fmt.Sprintf("rev=%d id=%d created=true canceled=true compact=0 reason=%q events=0",
				s.Rev(), id, err.Error())
			if e != m || len(ws.Poll(0)) != 0 {
				t.Errorf("watch from %d:\netcd answered: %s\nmvcc %s:      %s (and %d queued)",
					start, e, version, m, len(ws.Poll(0)))
			}
		}
	}
}
