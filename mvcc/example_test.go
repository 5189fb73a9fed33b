package mvcc_test

import (
	"bytes"
	"fmt"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

func ExampleOpenMem() {
	s, _ := mvcc.OpenMem(mvcc.Config{})
	fmt.Println(s.Rev())
	// Output: 1
}

func ExampleStore_Put() {
	s, _ := mvcc.OpenMem(mvcc.Config{})
	s.Put(&etcdapi.PutRequest{Key: []byte("a"), Value: []byte("1")})
	r, _ := s.Put(&etcdapi.PutRequest{Key: []byte("a"), Value: []byte("2"), PrevKv: true})
	fmt.Println(r.Header.Revision, string(r.PrevKv.Value))
	// Output: 3 1
}

func ExampleStore_Range() {
	s, _ := mvcc.OpenMem(mvcc.Config{})
	for _, k := range []string{"a", "b", "c"} {
		s.Put(&etcdapi.PutRequest{Key: []byte(k), Value: []byte("v")})
	}
	r, _ := s.Range(&etcdapi.RangeRequest{Key: []byte("a"), RangeEnd: []byte{0}, Limit: 2})
	fmt.Println(len(r.Kvs), r.Count, r.More)
	old, _ := s.Range(&etcdapi.RangeRequest{Key: []byte("a"), RangeEnd: []byte{0}, Revision: 2})
	fmt.Println(old.Count)
	// Output:
	// 2 3 true
	// 1
}

func ExampleStore_Txn() {
	s, _ := mvcc.OpenMem(mvcc.Config{})
	s.Put(&etcdapi.PutRequest{Key: []byte("lock"), Value: []byte("me")})
	r, _ := s.Txn(&etcdapi.TxnRequest{
		Compare: []*etcdapi.Compare{{Key: []byte("lock"), Target: etcdapi.Compare_CREATE,
			CreateRevision: 0}},
		Success: []*etcdapi.RequestOp{{RequestPut: &etcdapi.PutRequest{Key: []byte("lock"),
			Value: []byte("you")}}},
		Failure: []*etcdapi.RequestOp{{RequestRange: &etcdapi.RangeRequest{Key: []byte("lock")}}},
	})
	fmt.Println(r.Succeeded, string(r.Responses[0].ResponseRange.Kvs[0].Value))
	// Output: false me
}

func ExampleStore_Compact() {
	s, _ := mvcc.OpenMem(mvcc.Config{})
	s.Put(&etcdapi.PutRequest{Key: []byte("a")})
	s.Put(&etcdapi.PutRequest{Key: []byte("a")})
	s.Compact(&etcdapi.CompactionRequest{Revision: 3})
	_, err := s.Range(&etcdapi.RangeRequest{Key: []byte("a"), Revision: 2})
	fmt.Println(err)
	// Output: etcdserver: mvcc: required revision has been compacted
}

func ExampleStore_NewWatchStream() {
	s, _ := mvcc.OpenMem(mvcc.Config{})
	ws := s.NewWatchStream()
	ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("a")})
	s.Put(&etcdapi.PutRequest{Key: []byte("a"), Value: []byte("1")})
	for _, r := range ws.Poll(0) {
		fmt.Println(r.WatchId, r.Created, len(r.Events))
	}
	// Output:
	// 0 true 0
	// 0 false 1
}

func ExampleStore_Apply() {
	s, _ := mvcc.OpenMem(mvcc.Config{})
	req := &mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte("a")}}
	_, applied := s.Apply(1, req)
	_, again := s.Apply(1, req)
	fmt.Println(applied, again, s.Rev(), s.ConsistentIndex())
	// Output: true false 2 1
}

func ExampleStore_LeaseGrant() {
	s, _ := mvcc.OpenMem(mvcc.Config{})
	s.Promote(0)
	g, _ := s.LeaseGrant(&etcdapi.LeaseGrantRequest{ID: 5, TTL: 10})
	s.Put(&etcdapi.PutRequest{Key: []byte("a"), Lease: g.ID})
	s.SetTime(11 * 1e9)
	for _, id := range s.ExpiredLeases() {
		s.LeaseRevoke(&etcdapi.LeaseRevokeRequest{ID: int64(id)})
	}
	r, _ := s.Range(&etcdapi.RangeRequest{Key: []byte("a")})
	fmt.Println(r.Count)
	// Output: 0
}

func ExampleStore_Snapshot() {
	src, _ := mvcc.OpenMem(mvcc.Config{})
	src.Put(&etcdapi.PutRequest{Key: []byte("a"), Value: []byte("1")})
	var buf bytes.Buffer
	src.Snapshot(&buf)
	dst, _ := mvcc.OpenMem(mvcc.Config{})
	fmt.Println(dst.Restore(&buf), dst.Rev())
	// Output: <nil> 2
}

func ExampleDescribeRequest() {
	fmt.Println(mvcc.DescribeRequest(&mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte("a"),
		Value: []byte("1")}}))
	fmt.Println(mvcc.DescribeKeyValue(&etcdapi.KeyValue{Key: []byte("a"), Value: []byte("1"),
		CreateRevision: 2, ModRevision: 3, Version: 2, Lease: 7}))
	del := &etcdapi.Event{Type: etcdapi.DELETE,
		Kv: &etcdapi.KeyValue{Key: []byte("a"), ModRevision: 3}}
	fmt.Println(mvcc.DescribeWatchResponse(&etcdapi.WatchResponse{
		Header: &etcdapi.ResponseHeader{Revision: 3}, Events: []*etcdapi.Event{del}}))
	// Output:
	// put "a"="1" lease=0
	// "a"="1" create=2 mod=3 ver=2 lease=0000000000000007
	// watch=0 rev=3 DELETE "a"@3
}

// A store follows etcd v3.7 unless Config.EtcdVersion names v3.6: here a
// keys_only range, which v3.7 answers without the key's lease.
func ExampleConfig_etcdVersion() {
	for _, version := range []string{mvcc.EtcdVersion37, mvcc.EtcdVersion36} {
		s, _ := mvcc.OpenMem(mvcc.Config{EtcdVersion: version})
		s.LeaseGrant(&etcdapi.LeaseGrantRequest{ID: 7, TTL: 60})
		s.Put(&etcdapi.PutRequest{Key: []byte("a"), Value: []byte("1"), Lease: 7})
		r, _ := s.Range(&etcdapi.RangeRequest{Key: []byte("a"), KeysOnly: true})
		fmt.Println(version, r.Kvs[0].Lease)
	}
	// Output:
	// 3.7 0
	// 3.6 7
}
