package etcdcompare

import (
	"math/rand/v2"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
)

// The key space is small so that requests keep meeting each other's keys.
var (
	genKeys   = []string{"a", "b", "c", "d", "e", "f", "p/a", "p/b", "p/c"}
	genEnds   = []string{"b", "c", "d", "f", "g", "p/", "p/b", "p0", "z"}
	genValues = []string{"", "x", "y", "z", "v1", "v2"}
	// genLeaseIDs are the explicit lease IDs used; some are granted, some
	// never.
	genLeaseIDs = []int64{101, 102, 103, 104, 1 << 62}
	// genTTLs are large enough that nothing expires during a test.
	genTTLs = []int64{1000, 3600, 86400}
)

// maxLeaseTTL is etcd's lease.MaxLeaseTTL.
const maxLeaseTTL = 9000000000

// gen produces a random request sequence from a seed. Before each request
// the caller tells it the state it may aim at (rev, compactRev, leases),
// read from the mvcc side so that the sequence depends on the seed only.
type gen struct {
	r          *rand.Rand
	rev        int64
	compactRev int64
	leases     []int64 // live lease IDs
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *gen) chance(percent int) bool { return g.r.IntN(100) < percent }

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

func (g *gen) key() []byte {
	if g.chance(1) {
		return nil // etcd: key is not provided
	}
	return []byte(pick(g, genKeys))
}

// keyRange picks a key and range end: one key, [key, end) (possibly
// empty or reversed), a prefix, every key from key on, or every key.
func (g *gen) keyRange() (key, end []byte) {
	switch n := g.r.IntN(100); {
	case n < 45:
		return g.key(), nil
	case n < 75:
		return g.key(), []byte(pick(g, genEnds))
	case n < 85:
		return []byte("p/"), []byte("p0")
	case n < 93:
		return g.key(), []byte{0}
	default:
		return []byte{0}, []byte{0}
	}
}

// revision picks a revision around the live window: compacted, at the
// compaction, live, current, future, and rarely negative.
func (g *gen) revision() int64 {
	if g.chance(3) {
		return -1 - g.r.Int64N(2)
	}
	lo := max(g.compactRev-2, 0)
	hi := g.rev + 2
	return lo + g.r.Int64N(hi-lo+1)
}

func (g *gen) leaseID() int64 {
	if len(g.leases) > 0 && g.chance(75) {
		return pick(g, g.leases)
	}
	return pick(g, genLeaseIDs)
}

func (g *gen) put(key []byte) *pb.PutRequest {
	p := &pb.PutRequest{Key: key, Value: []byte(pick(g, genValues)), PrevKv: g.chance(50)}
	if g.chance(25) {
		p.Lease = g.leaseID()
	}
	if g.chance(6) {
		p.IgnoreValue = true
		if g.chance(80) {
			p.Value = nil
		}
	}
	if g.chance(6) {
		p.IgnoreLease = true
		if g.chance(80) {
			p.Lease = 0
		} else if p.Lease == 0 {
			p.Lease = g.leaseID() // etcd: lease is provided
		}
	}
	return p
}

func (g *gen) rangeReq() *pb.RangeRequest {
	key, end := g.keyRange()
	r := &pb.RangeRequest{Key: key, RangeEnd: end}
	if g.chance(20) {
		r.Limit = g.r.Int64N(4)
		if g.chance(10) {
			r.Limit = -1
		}
	}
	if g.chance(25) {
		r.Revision = g.revision()
	}
	if g.chance(30) {
		r.SortOrder = pb.RangeRequest_SortOrder(g.r.IntN(3))
		r.SortTarget = pb.RangeRequest_SortTarget(g.r.IntN(5))
		if g.chance(4) {
			r.SortOrder = 3 // invalid
		}
		if g.chance(4) {
			r.SortTarget = 5 // invalid
		}
	}
	r.KeysOnly = g.chance(15)
	r.CountOnly = g.chance(10)
	if g.chance(12) {
		r.MinModRevision = g.r.Int64N(g.rev + 2)
	}
	if g.chance(12) {
		r.MaxModRevision = g.r.Int64N(g.rev + 2)
	}
	if g.chance(12) {
		r.MinCreateRevision = g.r.Int64N(g.rev + 2)
	}
	if g.chance(12) {
		r.MaxCreateRevision = g.r.Int64N(g.rev + 2)
	}
	r.Serializable = g.chance(10) // mvcc ignores it; a single member answers alike
	return r
}

func (g *gen) deleteReq(key []byte) *pb.DeleteRangeRequest {
	d := &pb.DeleteRangeRequest{Key: key, PrevKv: g.chance(50)}
	if key == nil || g.chance(30) {
		d.Key, d.RangeEnd = g.keyRange()
	}
	return d
}

func (g *gen) compare() *pb.Compare {
	c := &pb.Compare{
		Result: pb.Compare_CompareResult(g.r.IntN(4)),
		Target: pb.Compare_CompareTarget(g.r.IntN(5)),
		Key:    g.key(),
	}
	if g.chance(15) {
		c.Key, c.RangeEnd = g.keyRange()
	}
	target := c.Target
	if g.chance(3) {
		// a union that disagrees with Target: the target reads as zero
		target = pb.Compare_CompareTarget(g.r.IntN(5))
	}
	switch target {
	case pb.Compare_VERSION:
		c.TargetUnion = &pb.Compare_Version{Version: g.r.Int64N(4)}
	case pb.Compare_CREATE:
		c.TargetUnion = &pb.Compare_CreateRevision{CreateRevision: g.r.Int64N(g.rev + 2)}
	case pb.Compare_MOD:
		c.TargetUnion = &pb.Compare_ModRevision{ModRevision: g.r.Int64N(g.rev + 2)}
	case pb.Compare_VALUE:
		c.TargetUnion = &pb.Compare_Value{Value: []byte(pick(g, genValues))}
	case pb.Compare_LEASE:
		var id int64
		if g.chance(60) {
			id = g.leaseID()
		}
		c.TargetUnion = &pb.Compare_Lease{Lease: id}
	}
	return c
}

// writeKey picks a key to write in a txn; it mostly avoids keys the txn
// already writes, so that etcd's duplicate-key rejection stays occasional.
func (g *gen) writeKey(used map[string]bool) []byte {
	k := g.key()
	for try := 0; try < 5 && k != nil && used[string(k)] && g.chance(90); try++ {
		k = g.key()
	}
	if k != nil {
		used[string(k)] = true
	}
	return k
}

func (g *gen) ops(depth int, used map[string]bool) []*pb.RequestOp {
	var ops []*pb.RequestOp
	for range g.r.IntN(4) {
		var op *pb.RequestOp
		switch n := g.r.IntN(100); {
		case n < 35:
			op = &pb.RequestOp{Request: &pb.RequestOp_RequestRange{RequestRange: g.rangeReq()}}
		case n < 70:
			op = &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: g.put(g.writeKey(used))}}
		case n < 85:
			op = &pb.RequestOp{Request: &pb.RequestOp_RequestDeleteRange{
				RequestDeleteRange: g.deleteReq(g.writeKey(used))}}
		case n < 97 && depth < 2:
			op = &pb.RequestOp{Request: &pb.RequestOp_RequestTxn{RequestTxn: g.txn(depth+1, used)}}
		case n >= 99:
			op = &pb.RequestOp{} // an empty union: etcd answers key not found
		default:
			op = &pb.RequestOp{Request: &pb.RequestOp_RequestRange{RequestRange: g.rangeReq()}}
		}
		ops = append(ops, op)
	}
	return ops
}

func (g *gen) txn(depth int, used map[string]bool) *pb.TxnRequest {
	t := &pb.TxnRequest{}
	for range g.r.IntN(4) {
		t.Compare = append(t.Compare, g.compare())
	}
	t.Success = g.ops(depth, used)
	t.Failure = g.ops(depth, used)
	return t
}

func (g *gen) compact() *pb.CompactionRequest {
	c := &pb.CompactionRequest{Physical: g.chance(50)}
	switch n := g.r.IntN(100); {
	case n < 55 && g.rev > g.compactRev:
		// a short step, so that a window of history stays readable
		c.Revision = g.compactRev + 1 + g.r.Int64N(min(g.rev-g.compactRev, 8))
	case n < 75:
		c.Revision = g.compactRev - g.r.Int64N(3) // already compacted
	case n < 95:
		c.Revision = g.rev + 1 + g.r.Int64N(3) // future
	default:
		c.Revision = -g.r.Int64N(2)
	}
	return c
}

func (g *gen) leaseGrant() *pb.LeaseGrantRequest {
	l := &pb.LeaseGrantRequest{ID: pick(g, genLeaseIDs), TTL: pick(g, genTTLs)}
	if g.chance(5) {
		l.TTL = maxLeaseTTL + 1 // too large
	}
	return l
}

// next returns the next request of the sequence.
func (g *gen) next() request {
	switch n := g.r.IntN(100); {
	case n < 25:
		return request{Put: g.put(g.key())}
	case n < 50:
		return request{Range: g.rangeReq()}
	case n < 60:
		return request{DeleteRange: g.deleteReq(g.key())}
	case n < 83:
		t := g.txn(0, map[string]bool{})
		avoidEtcdTxnCrash(t)
		return request{Txn: t}
	case n < 88:
		return request{Compact: g.compact()}
	case n < 95:
		return request{LeaseGrant: g.leaseGrant()}
	default:
		return request{LeaseRevoke: &pb.LeaseRevokeRequest{ID: g.leaseID()}}
	}
}

// hasFromKeyDelete reports whether a txn, at any depth, deletes with range
// end "\x00" (every key from Key on).
func hasFromKeyDelete(t *pb.TxnRequest) bool {
	for _, ops := range [][]*pb.RequestOp{t.Success, t.Failure} {
		for _, op := range ops {
			if d := op.GetRequestDeleteRange(); d != nil && len(d.RangeEnd) == 1 && d.RangeEnd[0] == 0 {
				return true
			}
			if n := op.GetRequestTxn(); n != nil && hasFromKeyDelete(n) {
				return true
			}
		}
	}
	return false
}

// hasPut reports whether a txn, at any depth, puts.
func hasPut(t *pb.TxnRequest) bool {
	for _, ops := range [][]*pb.RequestOp{t.Success, t.Failure} {
		for _, op := range ops {
			if op.GetRequestPut() != nil {
				return true
			}
			if n := op.GetRequestTxn(); n != nil && hasPut(n) {
				return true
			}
		}
	}
	return false
}

// boundFromKeyDeletes gives every "\x00"-ended delete of a txn, at any
// depth, the finite end "\xff", above every generated key.
func boundFromKeyDeletes(t *pb.TxnRequest) {
	for _, ops := range [][]*pb.RequestOp{t.Success, t.Failure} {
		for _, op := range ops {
			if d := op.GetRequestDeleteRange(); d != nil && len(d.RangeEnd) == 1 && d.RangeEnd[0] == 0 {
				d.RangeEnd = []byte{0xff}
			}
			if n := op.GetRequestTxn(); n != nil {
				boundFromKeyDeletes(n)
			}
		}
	}
}

// avoidEtcdTxnCrash keeps a txn from crashing etcd (v3.6.5; v3.6.16 and
// v3.7.3 keep the same code). Its duplicate-key check builds a
// "\x00"-ended delete as the empty interval [key, "\x00")
// (etcd-io/etcd#22445), so a txn may delete keys from some key on and put
// one of them again. With IgnoreValue or IgnoreLease that put fails after
// the checks and etcd panics in its apply loop; plainly, the key is deleted
// and re-created in one revision and the next compaction at that revision
// makes etcd exit on the next read of it (etcd-io/etcd#22376). Either way
// the test binary dies with it. See crash_test.go for what mvcc does with
// both. A txn that puts gets its from-key deletes bounded by "\xff", which
// deletes the same generated keys and which the check does see.
func avoidEtcdTxnCrash(t *pb.TxnRequest) {
	if hasFromKeyDelete(t) && hasPut(t) {
		boundFromKeyDeletes(t)
	}
}
