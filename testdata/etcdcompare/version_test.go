package etcdcompare

// Where etcd v3.6 and v3.7 answer differently (mvcc/version.go etcdRules).
// The same cases run against whichever etcd the module is built with
// (go.mod: v3.7.x; etcd36.mod: v3.6.x), with the store in that release
// line's mode; a second store in the other line's mode must get some
// answers wrong, so each case shows a difference that is still there.

import (
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/version"
)

// keysOnly is a keys_only range over [key, end); end "" is one key.
func keysOnly(key, end string, r *pb.RangeRequest) *pb.RangeRequest {
	r.Key, r.KeysOnly = []byte(key), true
	if end != "" {
		r.RangeEnd = []byte(end)
	}
	return r
}

// versionCases are fixed cases whose answers depend on the release line.
// TestFixedCases runs them before fixedCases, in the same session.
var versionCases = []fixedCase{
	// etcdRules.keysOnlyDropsLease: v3.7 serves a keys_only range from its
	// key index, which has no lease, unless it sorts by VALUE.
	{"keys_only answers and leases", func(do func(request), rev func() int64) {
		id := fixedLeaseIDs[4]
		do(grant(id, 3600))
		do(putLease("ko/a", "3", id))
		do(put("ko/b", "2"))
		do(putLease("ko/c", "1", id))
		leased := rev()
		do(put("ko/c", "0")) // detached from the lease: the older revision keeps it
		prefix := func(r *pb.RangeRequest) request { return rng(keysOnly("ko/", "ko0", r)) }
		do(prefix(&pb.RangeRequest{}))
		do(prefix(&pb.RangeRequest{SortTarget: pb.RangeRequest_VALUE})) // read from bbolt
		do(prefix(&pb.RangeRequest{SortTarget: pb.RangeRequest_VALUE,
			SortOrder: pb.RangeRequest_DESCEND, Limit: 2}))
		do(prefix(&pb.RangeRequest{SortTarget: pb.RangeRequest_MOD,
			SortOrder: pb.RangeRequest_DESCEND}))
		do(prefix(&pb.RangeRequest{SortTarget: pb.RangeRequest_KEY,
			SortOrder: pb.RangeRequest_ASCEND, Limit: 1}))
		do(prefix(&pb.RangeRequest{Revision: leased}))
		do(prefix(&pb.RangeRequest{MinModRevision: leased - 2, MaxCreateRevision: leased}))
		do(prefix(&pb.RangeRequest{CountOnly: true}))
		do(rng(keysOnly("ko/a", "", &pb.RangeRequest{})))
		do(rng(keysOnly("ko/a", "", &pb.RangeRequest{SortTarget: pb.RangeRequest_VALUE})))
		do(rng(keysOnly("ko/", "\x00", &pb.RangeRequest{Limit: 1})))
		// Inside a txn, also after a leased put of the same txn.
		koGet := &pb.RequestOp{Request: &pb.RequestOp_RequestRange{
			RequestRange: keysOnly("ko/", "ko0", &pb.RangeRequest{})}}
		koPut := &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{
			Key: []byte("ko/d"), Value: []byte("4"), Lease: id}}}
		do(txn(nil, []*pb.RequestOp{koGet}, nil))
		do(txn(nil, []*pb.RequestOp{koPut, koGet}, nil))
		do(prefix(&pb.RangeRequest{}))
		do(rng(&pb.RangeRequest{Key: []byte("ko/"), RangeEnd: []byte("ko0")})) // not keys_only
		do(revoke(id))
		do(del("ko/", "ko0"))
	}},
	// etcdRules.putLeaseCheckedFirst: a txn's put that names a missing
	// lease and ignores the value of a missing key fails on its lease in
	// v3.7 and on its key in v3.6.
	{"txn put checks the lease before the key", func(do func(request), rev func() int64) {
		both := &pb.PutRequest{Key: []byte("pc-missing"), Lease: 7999, IgnoreValue: true}
		op := &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: both}}
		do(txn(nil, []*pb.RequestOp{op}, nil))
		do(txn(nil, nil, []*pb.RequestOp{opGet("pc", "", 0), op}))
		do(txn(nil, []*pb.RequestOp{opTxn(nil, []*pb.RequestOp{op}, nil)}, nil))
		do(request{Put: both}) // a plain put checks the lease first in both lines
		do(put("pc-missing", "1"))
		do(txn(nil, []*pb.RequestOp{op}, nil)) // the key exists now: the lease fails alike
		do(del("pc-missing", ""))
	}},
}

// checkOtherDiffers holds a fixed case to its kind: with differs, a store
// in the other release line's mode answered at least one request unlike
// etcd; without, none.
func checkOtherDiffers(t *testing.T, differs bool, n int) {
	t.Helper()
	switch {
	case differs && n == 0:
		t.Errorf("a store in %s mode answered every request as etcd %s did: this case no "+
			"longer shows a difference between the release lines (mvcc/version.go)",
			otherLine(), version.Version)
	case !differs && n > 0:
		t.Errorf("a store in %s mode answered %d requests unlike etcd %s: a difference "+
			"between the release lines that mvcc/version.go does not list, or a case that "+
			"belongs in versionCases", otherLine(), n, version.Version)
	}
}
