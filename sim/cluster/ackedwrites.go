package cluster

import (
	"fmt"

	"etcdsim/linearizability"
	"etcdsim/mvcc/etcdapi"
)

// CheckAckedWrites is the end-of-run read of every acknowledged write: the
// leader's store, once the faults have healed, must hold each key-value a
// put or txn was acknowledged for, at the revision its response named
// (unless compaction has since removed that revision). A write a client
// was told succeeded and that the cluster then lost fails the run as a
// lost write (lost wraps ErrLostWrite), whatever the linearizability check
// makes of it; checked counts the writes found in place. ok is false when
// no member leads at the end. It MUST be called AFTER the world stops.
func (c *Cluster) CheckAckedWrites() (lost error, checked int, ok bool) {
	id, leads := c.Leader()
	if !leads {
		return nil, 0, false
	}
	store := c.members[id-1].kv.store
	for i := range c.history.Ops {
		op := &c.history.Ops[i]
		in, isEtcd := op.Input.(linearizability.EtcdRequest)
		out, answered := op.Output.(linearizability.EtcdResponse)
		if op.Unknown || !isEtcd || !answered || out.Err != nil {
			continue
		}
		rev := int64(out.Revision)
		for _, put := range ackedPuts(in, out) {
			if rev < store.CompactRev() || rev > store.Rev() {
				if rev > store.Rev() {
					return fmt.Errorf("%w: %s acknowledged %q at %v, but the leader %s is at r%d",
						ErrLostWrite, op.ID, put.Key, out.Revision, id, store.Rev()), checked, true
				}
				continue
			}
			checked++
			rr, err := store.Range(&etcdapi.RangeRequest{Key: put.Key, Revision: rev})
			if err != nil {
				failf("reading %q at r%d on %s: %v", put.Key, rev, id, err)
			}
			if len(rr.Kvs) != 1 || rr.Kvs[0].ModRevision != rev ||
				string(rr.Kvs[0].Value) != string(put.Value) {
				return fmt.Errorf("%w: %s acknowledged %q=%q at %v; the leader %s holds %v there",
					ErrLostWrite, op.ID, put.Key, put.Value, out.Revision, id, rr.Kvs), checked, true
			}
		}
	}
	return nil, checked, true
}

// ackedPuts lists the puts an acknowledged request made: a put, or the
// puts of the txn branch that ran.
func ackedPuts(in linearizability.EtcdRequest, out linearizability.EtcdResponse) []*etcdapi.PutRequest {
	switch {
	case in.Put != nil:
		return []*etcdapi.PutRequest{in.Put}
	case in.Txn != nil && out.Txn != nil:
		ops := in.Txn.Failure
		if out.Txn.Succeeded {
			ops = in.Txn.Success
		}
		var puts []*etcdapi.PutRequest
		for _, op := range ops {
			if op.RequestPut != nil {
				puts = append(puts, op.RequestPut)
			}
		}
		return puts
	}
	return nil
}
