package etcdcompare

import (
	"fmt"
	"strings"
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
)

// fixedLeaseIDs are the lease IDs TestFixedCases uses.
var fixedLeaseIDs = []int64{7001, 7002, 7003, 7004, 7005}

// Request builders for the fixed cases.

func put(k, v string) request {
	return request{Put: &pb.PutRequest{Key: []byte(k), Value: []byte(v)}}
}

func putPrev(k, v string) request {
	return request{Put: &pb.PutRequest{Key: []byte(k), Value: []byte(v), PrevKv: true}}
}

func putLease(k, v string, id int64) request {
	return request{Put: &pb.PutRequest{Key: []byte(k), Value: []byte(v), Lease: id}}
}

func get(k string) request { return request{Range: &pb.RangeRequest{Key: []byte(k)}} }

func getAt(k string, rev int64) request {
	return request{Range: &pb.RangeRequest{Key: []byte(k), Revision: rev}}
}

func rng(r *pb.RangeRequest) request { return request{Range: r} }

func del(k, end string) request {
	d := &pb.DeleteRangeRequest{Key: []byte(k), PrevKv: true}
	if end != "" {
		d.RangeEnd = []byte(end)
	}
	return request{DeleteRange: d}
}

func compact(rev int64) request {
	return request{Compact: &pb.CompactionRequest{Revision: rev, Physical: true}}
}

func txn(cmps []*pb.Compare, success, failure []*pb.RequestOp) request {
	return request{Txn: &pb.TxnRequest{Compare: cmps, Success: success, Failure: failure}}
}

func opPut(k, v string) *pb.RequestOp {
	return &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{Key: []byte(k), Value: []byte(v)}}}
}

func opGet(k, end string, rev int64) *pb.RequestOp {
	r := &pb.RangeRequest{Key: []byte(k), Revision: rev}
	if end != "" {
		r.RangeEnd = []byte(end)
	}
	return &pb.RequestOp{Request: &pb.RequestOp_RequestRange{RequestRange: r}}
}

func opDel(k, end string) *pb.RequestOp {
	d := &pb.DeleteRangeRequest{Key: []byte(k)}
	if end != "" {
		d.RangeEnd = []byte(end)
	}
	return &pb.RequestOp{Request: &pb.RequestOp_RequestDeleteRange{RequestDeleteRange: d}}
}

func opTxn(cmps []*pb.Compare, success, failure []*pb.RequestOp) *pb.RequestOp {
	return &pb.RequestOp{Request: &pb.RequestOp_RequestTxn{RequestTxn: &pb.TxnRequest{
		Compare: cmps, Success: success, Failure: failure}}}
}

func cmp(k string, target pb.Compare_CompareTarget, result pb.Compare_CompareResult, v any) *pb.Compare {
	c := &pb.Compare{Key: []byte(k), Target: target, Result: result}
	switch target {
	case pb.Compare_VALUE:
		c.TargetUnion = &pb.Compare_Value{Value: []byte(v.(string))}
	case pb.Compare_VERSION:
		c.TargetUnion = &pb.Compare_Version{Version: int64(v.(int))}
	case pb.Compare_CREATE:
		c.TargetUnion = &pb.Compare_CreateRevision{CreateRevision: int64(v.(int))}
	case pb.Compare_MOD:
		c.TargetUnion = &pb.Compare_ModRevision{ModRevision: int64(v.(int))}
	case pb.Compare_LEASE:
		c.TargetUnion = &pb.Compare_Lease{Lease: int64(v.(int))}
	}
	return c
}

func grant(id, ttl int64) request {
	return request{LeaseGrant: &pb.LeaseGrantRequest{ID: id, TTL: ttl}}
}

func revoke(id int64) request { return request{LeaseRevoke: &pb.LeaseRevokeRequest{ID: id}} }

func ttl(id int64) request {
	return request{LeaseTimeToLive: &pb.LeaseTimeToLiveRequest{ID: id, Keys: true}}
}

// fixedCase is a named list of requests. It runs on one etcd and one store,
// on keys of its own; rev() is the store's current revision, so a case can
// aim at revisions it just made.
type fixedCase struct {
	name string
	run  func(do func(request), rev func() int64)
}

// fixedCases are known tricky cases where etcd v3.6 and v3.7 answer alike.
// They run in order, after versionCases (version_test.go).
var fixedCases = []fixedCase{
	{"delete and recreate resets version", func(do func(request), rev func() int64) {
		do(put("dr", "1"))
		do(putPrev("dr", "2"))
		second := rev()
		do(del("dr", ""))
		do(get("dr"))
		do(putPrev("dr", "3")) // create = this revision, version 1, no prev
		do(get("dr"))
		do(getAt("dr", second)) // the old generation: version 2
		do(getAt("dr", second+1))
		do(txn([]*pb.Compare{cmp("dr", pb.Compare_VERSION, pb.Compare_EQUAL, 1)},
			[]*pb.RequestOp{opPut("dr", "4"), opGet("dr", "", 0)}, nil))
	}},
	{"compaction at a delete revision", func(do func(request), rev func() int64) {
		do(put("cd", "1"))
		do(put("cd", "2"))
		do(del("cd", ""))
		atDelete := rev()
		do(compact(atDelete))
		do(getAt("cd", atDelete))   // compacted revision itself: empty
		do(getAt("cd", atDelete-1)) // below: compacted
		do(rng(&pb.RangeRequest{Key: []byte("cd"), RangeEnd: []byte("ce"), Revision: atDelete, CountOnly: true}))
		do(txn(nil, []*pb.RequestOp{opGet("cd", "", atDelete-1)}, nil)) // compacted inside a txn
		do(txn(nil, []*pb.RequestOp{opGet("cd", "", atDelete)}, nil))
		do(txn(nil, []*pb.RequestOp{opGet("cd", "", rev()+1)}, nil)) // future inside a txn
		do(putPrev("cd", "3"))
		do(get("cd"))
		do(compact(atDelete))     // again: compacted
		do(compact(atDelete - 1)) // below: compacted
		do(compact(rev() + 1))    // future
		do(compact(rev()))
		do(get("cd"))
		do(getAt("cd", rev()))
	}},
	{"txn compare on a missing key", func(do func(request), rev func() int64) {
		then := []*pb.RequestOp{opGet("missing", "", 0)}
		orElse := []*pb.RequestOp{opPut("missing-else", "x")}
		for _, c := range []*pb.Compare{
			cmp("missing", pb.Compare_VERSION, pb.Compare_EQUAL, 0),
			cmp("missing", pb.Compare_CREATE, pb.Compare_EQUAL, 0),
			cmp("missing", pb.Compare_MOD, pb.Compare_LESS, 5),
			cmp("missing", pb.Compare_LEASE, pb.Compare_EQUAL, 0),
			cmp("missing", pb.Compare_VALUE, pb.Compare_EQUAL, ""),
			cmp("missing", pb.Compare_VALUE, pb.Compare_NOT_EQUAL, "x"),
			cmp("missing", pb.Compare_VALUE, pb.Compare_LESS, "x"),
			cmp("missing", pb.Compare_VERSION, pb.Compare_GREATER, 0),
		} {
			do(txn([]*pb.Compare{c}, then, orElse))
		}
		// A range compare over no key at all.
		rc := cmp("missing", pb.Compare_VERSION, pb.Compare_EQUAL, 0)
		rc.RangeEnd = []byte("missinh")
		do(txn([]*pb.Compare{rc}, then, nil))
		do(del("missing-else", ""))
	}},
	{"range with limit and count", func(do func(request), rev func() int64) {
		for i := 1; i <= 5; i++ {
			do(put(fmt.Sprintf("lc/%d", i), fmt.Sprint(6-i)))
		}
		prefix := func(r *pb.RangeRequest) request {
			r.Key, r.RangeEnd = []byte("lc/"), []byte("lc0")
			return rng(r)
		}
		do(prefix(&pb.RangeRequest{Limit: 2}))
		do(prefix(&pb.RangeRequest{Limit: 5}))
		do(prefix(&pb.RangeRequest{Limit: 6}))
		do(prefix(&pb.RangeRequest{Limit: -1}))
		do(prefix(&pb.RangeRequest{Limit: 2, SortOrder: pb.RangeRequest_DESCEND}))
		do(prefix(&pb.RangeRequest{Limit: 2, SortTarget: pb.RangeRequest_VALUE}))
		do(prefix(&pb.RangeRequest{Limit: 2, MinModRevision: rev() - 1}))
		do(prefix(&pb.RangeRequest{Limit: 1, MaxCreateRevision: rev() - 3}))
		do(prefix(&pb.RangeRequest{Limit: 2, CountOnly: true}))
		do(prefix(&pb.RangeRequest{Limit: 2, KeysOnly: true}))
		do(prefix(&pb.RangeRequest{Limit: 3, Revision: rev() - 2}))
		do(rng(&pb.RangeRequest{Key: []byte("lc/3"), RangeEnd: []byte{0}, Limit: 1}))
		do(rng(&pb.RangeRequest{Key: []byte("lc/3"), RangeEnd: []byte("lc/1")})) // reversed
		do(del("lc/", "lc0"))
		do(prefix(&pb.RangeRequest{Limit: 2, Revision: rev() - 1}))
	}},
	{"lease revoke deletes its keys in one revision", func(do func(request), rev func() int64) {
		id := fixedLeaseIDs[0]
		do(grant(id, 3600))
		do(grant(id, 3600)) // exists
		do(putLease("lr/1", "a", id))
		do(putLease("lr/2", "b", id))
		do(putLease("lr/3", "c", id))
		do(put("lr/2", "detached")) // moves lr/2 off the lease
		do(request{Put: &pb.PutRequest{Key: []byte("lr/3"), Value: []byte("kept"), IgnoreLease: true, PrevKv: true}})
		do(ttl(id))
		do(revoke(id))
		do(rng(&pb.RangeRequest{Key: []byte("lr/"), RangeEnd: []byte("lr0")}))
		do(getAt("lr/1", rev()-1))
		do(ttl(id))
		do(revoke(id))                    // not found
		do(putLease("lr/4", "d", id))     // lease gone
		do(grant(fixedLeaseIDs[1], 3600)) // a lease without keys
		do(revoke(fixedLeaseIDs[1]))      // revoking it changes no revision
		do(del("lr/", "lr0"))
	}},
	{"lease grant limits and ignore flags", func(do func(request), rev func() int64) {
		id := fixedLeaseIDs[2]
		do(grant(id, 1)) // raised to the minimum TTL; revoked at once so it never expires
		do(revoke(id))
		do(grant(id, maxLeaseTTL+1))
		do(grant(id, maxLeaseTTL))
		do(putLease("ig", "v", id))
		do(request{Put: &pb.PutRequest{Key: []byte("ig"), IgnoreValue: true, PrevKv: true}})
		do(request{Put: &pb.PutRequest{Key: []byte("ig"), Value: []byte("w"), IgnoreValue: true}})
		do(request{Put: &pb.PutRequest{Key: []byte("ig"), Lease: id, IgnoreLease: true}})
		do(request{Put: &pb.PutRequest{Key: []byte("ig-missing"), IgnoreValue: true}})
		do(request{Put: &pb.PutRequest{Key: []byte("ig-missing"), IgnoreLease: true}})
		do(txn(nil, []*pb.RequestOp{{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{
			Key: []byte("ig-missing"), IgnoreValue: true}}}}, nil))
		do(get("ig"))
		do(revoke(id))
		do(get("ig"))
	}},
	{"txn validation", func(do func(request), rev func() int64) {
		do(txn(nil, nil, nil)) // empty txn
		do(txn(nil, []*pb.RequestOp{opPut("tv", "1"), opPut("tv", "2")}, nil))
		do(txn(nil, []*pb.RequestOp{opPut("tv", "1"), opDel("t", "tw")}, nil))
		do(txn(nil, []*pb.RequestOp{opDel("tv", ""), opDel("t", "tw")}, nil))
		do(txn(nil, []*pb.RequestOp{opTxn(nil, []*pb.RequestOp{opPut("tv", "a")},
			[]*pb.RequestOp{opPut("tv", "b")})}, nil)) // both branches of a nested txn: allowed
		do(txn(nil, []*pb.RequestOp{opPut("tv", "c"), opTxn(nil, []*pb.RequestOp{opPut("tv", "a")}, nil)}, nil))
		do(txn(nil, []*pb.RequestOp{opPut("tv", "x")}, []*pb.RequestOp{opPut("tv", "y")}))
		do(txn(nil, []*pb.RequestOp{{}}, nil)) // empty op
		do(txn([]*pb.Compare{{Target: pb.Compare_VALUE}}, nil, nil))
		var many []*pb.RequestOp
		for i := range 129 {
			many = append(many, opPut(fmt.Sprintf("tv/%03d", i), "v"))
		}
		do(txn(nil, many, nil))
		do(txn(nil, many[:128], nil))
		do(txn([]*pb.Compare{cmp("tv/000", pb.Compare_VERSION, pb.Compare_EQUAL, 1)},
			[]*pb.RequestOp{opDel("tv/", "tv0"), opGet("tv/", "tv0", 0),
				opTxn(nil, []*pb.RequestOp{opGet("tv/", "tv0", rev())}, nil)}, nil))
		// Two failing checks in one path: etcd v3.6 and v3.7 report the first
		// in op order (etcd v3.5 checked every put before any range).
		future := rev() + 1
		ignorePut := &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{
			Key: []byte("tv-missing"), IgnoreValue: true}}}
		leasedPut := &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{
			Key: []byte("tv-leased"), Lease: 7999}}}
		do(txn(nil, []*pb.RequestOp{ignorePut, opGet("tv", "", future)}, nil)) // put first: KeyNotFound
		do(txn(nil, []*pb.RequestOp{opGet("tv", "", future), ignorePut}, nil)) // range first: FutureRev
		do(txn(nil, []*pb.RequestOp{opGet("tv", "", 1), leasedPut}, nil))      // range first: Compacted
		do(request{Range: &pb.RangeRequest{}})
		do(request{Put: &pb.PutRequest{Value: []byte("v")}})
		do(request{DeleteRange: &pb.DeleteRangeRequest{}})
		do(rng(&pb.RangeRequest{Key: []byte{0}, RangeEnd: []byte{0}, CountOnly: true}))
	}},
	// etcd (v3.6.5 server/etcdserver/txn/txn.go executeRange; v3.7.3
	// server/etcdserver/txn/range.go rangeLimit) fetches
	// limit+1 keys in key order when the request's sort order is NONE, and
	// only then sorts them ascending by a non-KEY target: the answer is the
	// first keys by key, reordered, not the smallest by the target. The
	// first four requests are the rapid failure from TestModelMem. Nothing
	// sorts after "zy/" but "zz/" (the last case), so a from-key range here
	// sees only this case's keys.
	{"sort order NONE with a non-KEY target sorts a limited fetch", func(do func(request), rev func() int64) {
		id := fixedLeaseIDs[3]
		do(grant(id, 3600))
		do(putLease("zy/c", "c", id))
		do(txn([]*pb.Compare{cmp("zy/a", pb.Compare_VERSION, pb.Compare_EQUAL, 0)},
			[]*pb.RequestOp{opPut("zy/a", "t"), opPut("zy/b", "t")}, nil))
		do(rng(&pb.RangeRequest{Key: []byte("zy/a"), RangeEnd: []byte{0}, Limit: 1,
			SortOrder: pb.RangeRequest_NONE, SortTarget: pb.RangeRequest_CREATE}))
		// Now each target orders the keys differently (ties in VERSION and
		// CREATE), and none of them as KEY does.
		do(put("zy/b", "a"))
		do(put("zy/b", "s"))
		do(put("zy/d", "b"))
		do(put("zy/a", "z"))
		targets := []pb.RangeRequest_SortTarget{pb.RangeRequest_KEY, pb.RangeRequest_VERSION,
			pb.RangeRequest_CREATE, pb.RangeRequest_MOD, pb.RangeRequest_VALUE}
		orders := []pb.RangeRequest_SortOrder{pb.RangeRequest_NONE, pb.RangeRequest_ASCEND,
			pb.RangeRequest_DESCEND}
		for _, target := range targets {
			for _, order := range orders {
				for limit := int64(0); limit <= 3; limit++ {
					for _, end := range []string{"\x00", "zy0"} {
						do(rng(&pb.RangeRequest{Key: []byte("zy/a"), RangeEnd: []byte(end),
							Limit: limit, SortOrder: order, SortTarget: target}))
					}
				}
				do(rng(&pb.RangeRequest{Key: []byte("zy/b"), RangeEnd: []byte("zy0"), Limit: 2,
					SortOrder: order, SortTarget: target, MinModRevision: rev() - 2}))
			}
		}
		do(revoke(id))
		do(del("zy/", "zy0"))
	}},
	// Keep this case last and compact nothing after it: a key deleted and
	// put again in one revision crashes etcd (v3.6.5, and v3.6.16 and v3.7.3
	// by their source) at the next compaction (see
	// TestFromKeyDeleteRecreateThenCompact).
	{"from-key delete and put in one txn", func(do func(request), rev func() int64) {
		do(put("zz/a", "1"))
		do(put("zz/b", "1"))
		do(txn(nil, []*pb.RequestOp{opDel("zz/", "\x00"), opPut("zz/b", "2"), opGet("zz/", "zz0", 0)}, nil))
		do(rng(&pb.RangeRequest{Key: []byte("zz/"), RangeEnd: []byte("zz0")}))
		do(getAt("zz/b", rev()-1))
	}},
}

// TestFixedCases runs versionCases, then fixedCases, against an embedded
// etcd and mvcc.OpenMem in the matching EtcdVersion. It also holds each
// case to its kind: a store in the other release line's mode must answer
// some request of each version case unlike etcd, and every request of each
// fixed case as etcd.
func TestFixedCases(t *testing.T) {
	s := newSession(t, "fixed cases", etcdOptions{})
	run := func(c fixedCase, differs bool) {
		t.Run(c.name, func(t *testing.T) {
			s.t = t
			i, before := 0, s.otherDiffers
			c.run(func(r request) {
				s.do(fmt.Sprintf("%q step %d", c.name, i), r)
				i++
			}, s.store.Rev)
			checkOtherDiffers(t, differs, s.otherDiffers-before)
		})
	}
	for _, c := range versionCases {
		run(c, true)
	}
	for _, c := range fixedCases {
		run(c, false)
	}
	s.t = t
	s.checkState("fixed-cases-end")
	t.Logf("%d answers compared, %d mismatches, %d answers that a store in %s mode gets wrong",
		s.compared, s.mismatches, s.otherDiffers, otherLine())
	if testing.Verbose() {
		t.Logf("history with etcd's answers:\n%s", strings.Join(s.history, "\n"))
	}
}
