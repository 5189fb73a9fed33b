package cluster

import (
	"etcdsim/linearizability"
	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/raftimpl"
)

// A leader's lessor is an actor of its own: it revokes expired leases by
// proposing revocations, which delete the leases' keys on every member.
// The history must show those deletions, or reads after them would look
// wrong; but no client waits on a revocation, so its outcome is recorded
// from what the members do, which the simulator sees whole:
//
//   - a proposal enters the history as an indeterminate revoke, called
//     when proposed;
//   - the first member to apply its entry completes the record: it took
//     effect by then, with the response the store gave (a revocation that
//     comes second, as when a lessor retries, answers lease not found);
//     the other members applying the same entry complete nothing;
//   - a proposal that no member applied by the end of the run never took
//     effect (it was not committed, or was committed too late for any
//     request to see it) and leaves the history, which spares the checker
//     a choice for each revocation a deposed leader proposed;
//   - a revocation that deleted no key changed nothing but the set of
//     leases; unless a client request called after it names its lease, no
//     request can tell whether it happened, and it leaves the history too.
//     A new leader extends every lease alike (Promote), so leases that
//     nobody keeps alive run out together: without this, a burst of such
//     revocations, each a state of its own, made the checker try every
//     subset of them.
//
// Proposals are matched by proposer and lease: two leaders may each
// revoke one lease, and a member's second proposal for a lease completes
// after its first, whatever their order in the log (both are the same
// request, so the earlier call takes the earlier effect).

// lessorProcessBase numbers the history processes of lessors'
// revocations apart from the clients'.
const lessorProcessBase linearizability.ClientID = 1 << 30

// lessorRevoke names a lessor's proposals to revoke one lease.
type lessorRevoke struct {
	client uint64
	lease  int64
}

// noteRevoke records a lessor's proposal to revoke a lease.
func (c *Cluster) noteRevoke(client uint64, lease int64, input linearizability.EtcdRequest) {
	c.lessorProcesses++
	op := c.record(linearizability.Operation{Client: lessorProcessBase + c.lessorProcesses,
		Call: lt(c.w.Now()), Unknown: true, Input: input})
	key := lessorRevoke{client, lease}
	c.revokes[key] = append(c.revokes[key], op)
}

// resolveRevoke completes the oldest record of client's proposals to
// revoke lease, when a member applies one of them at index: the first
// member to apply that entry does, and the others, applying the same
// entry later, do nothing. changedKV says whether it deleted any key.
func (c *Cluster) resolveRevoke(client uint64, lease int64, index raftimpl.LogIndex,
	resp *mvcc.Response, changedKV bool) {
	if c.revokeEntries[index] {
		return // a later member applying what the first one did
	}
	c.revokeEntries[index] = true
	key := lessorRevoke{client, lease}
	ops := c.revokes[key]
	if len(ops) == 0 {
		return // a duplicate of a proposal that applied already
	}
	c.resolve(ops[0], historyResponse(resp))
	if !changedKV {
		c.silentRevokes = append(c.silentRevokes, ops[0])
	}
	if len(ops) == 1 {
		delete(c.revokes, key)
		return
	}
	c.revokes[key] = ops[1:]
}

// DropUnseenRevokes takes out of the history the lessors' proposals that
// no member applied, and the revocations that deleted no key of a lease no
// later request names, renumbering the operations. It MUST be called AFTER
// the world stops and BEFORE the history is read for checking.
func (c *Cluster) DropUnseenRevokes() {
	drop := map[linearizability.OpID]bool{}
	for _, ops := range c.revokes { //det:ok only membership is read
		for _, id := range ops {
			drop[id] = true
		}
	}
	// lastNamed is when a client request last named each lease.
	lastNamed := map[int64]linearizability.Time{}
	for i := range c.history.Ops {
		op := &c.history.Ops[i]
		if isLessorProcess(op) {
			continue
		}
		if id := leaseNamed(op.Input.(linearizability.EtcdRequest)); id != 0 {
			lastNamed[id] = max(lastNamed[id], op.Call)
		}
	}
	for _, id := range c.silentRevokes {
		op := &c.history.Ops[id]
		lease := op.Input.(linearizability.EtcdRequest).LeaseRevoke.ID
		if at, named := lastNamed[lease]; !named || at < op.Call {
			drop[id] = true
		}
	}
	if len(drop) == 0 {
		return
	}
	kept := c.history.Ops[:0]
	for _, op := range c.history.Ops {
		if !drop[op.ID] {
			op.ID = linearizability.OpID(len(kept))
			kept = append(kept, op)
		}
	}
	c.history.Ops = kept
	clear(c.revokes)
	c.silentRevokes = nil
}

// isLessorProcess reports whether op is a lessor's revocation.
func isLessorProcess(op *linearizability.Operation) bool {
	return op.Client >= lessorProcessBase
}

// leaseNamed is the lease a client request names (0: none): a grant, a
// revocation, or a put attached to it.
func leaseNamed(in linearizability.EtcdRequest) int64 {
	switch {
	case in.LeaseGrant != nil:
		return in.LeaseGrant.ID
	case in.LeaseRevoke != nil:
		return in.LeaseRevoke.ID
	case in.Put != nil:
		return in.Put.Lease
	case in.Txn != nil:
		for _, ops := range [][]*etcdapi.RequestOp{in.Txn.Success, in.Txn.Failure} {
			for _, op := range ops {
				if op.RequestPut != nil && op.RequestPut.Lease != 0 {
					return op.RequestPut.Lease
				}
			}
		}
	}
	return 0
}
