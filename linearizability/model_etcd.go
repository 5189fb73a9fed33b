package linearizability

import "github.com/anishathalye/porcupine"

// newEtcdModel returns the porcupine model of a whole etcd keyspace with
// revisions. It is deterministic: an indeterminate operation (nil output)
// takes effect where porcupine linearizes it, and linearizing it after
// every other operation is the same as its never taking effect.
//
// Before the end marker, an indeterminate operation is refused where it
// would change nothing (see endOfHistory), create a revision in claimed
// (a determinate operation's response proves it created that revision,
// and two operations cannot create one revision), or write a key where a
// read proves it was not written (quietSpans), or create a revision above
// seen, the highest any response or watch reports: such an operation can
// as well be placed after the end marker, and trying every order of them
// before it would cost a factorial. This keeps indeterminate
// writes whose effect never shows from being tried at every step.
func newEtcdModel(claimed map[Revision]bool, seen Revision, quiet quietSpans) porcupine.Model {
	r := &etcdRules{claimed: claimed, seen: seen, quiet: quiet}
	m := etcdModelBase
	m.Step = func(state, input, output any) (bool, any) {
		return r.step(state.(*etcdState), input, output)
	}
	return m
}

// etcdRules is what the etcd model knows about the whole history.
type etcdRules struct {
	claimed map[Revision]bool
	seen    Revision
	quiet   quietSpans
}

// step is the model's step function. Most steps porcupine tries fail on
// the revision alone, so that is tested before the state is copied.
func (r *etcdRules) step(st *etcdState, input, output any) (bool, any) {
	if _, end := input.(endOfHistory); end {
		return true, st.end()
	}
	req := input.(EtcdRequest)
	switch got := output.(type) {
	case EtcdResponse:
		if !revisionFits(st, req, &got) {
			return false, st
		}
		exp, next := stepEtcd(st, req)
		return equalResponses(&exp, &got), next
	case pinnedOutput:
		if got.Revision != st.rev+1 {
			return false, st
		}
		exp, next := stepEtcd(st, req)
		return exp.Err == nil && next.rev == got.Revision, next
	}
	if st.ended {
		_, next := stepEtcd(st, req)
		return true, next
	}
	// A put, delete or txn either changes nothing (refused) or creates
	// st.rev+1: refuse at once when that revision is taken or unseen.
	writesOnly := req.Put != nil || req.DeleteRange != nil || req.Txn != nil
	if writesOnly && (st.rev+1 > r.seen || r.claimed[st.rev+1]) {
		return false, st
	}
	_, next := stepEtcd(st, req)
	// A revoke past seen is not refused: moving it after the end would
	// keep its lease alive for the operations in between.
	beyond := next.rev > r.seen && req.LeaseRevoke == nil
	if next == st || beyond || (next.rev > st.rev && r.claimed[next.rev]) {
		return false, next
	}
	return !r.quiet.forbidsStep(st, next), next
}

// revisionFits reports whether a response's header revision can follow
// st: a write its response proves reports st.rev+1; a range, a lease
// grant, a compaction, and a delete or txn that shows no write report
// st.rev; only a revoke may report either.
func revisionFits(st *etcdState, req EtcdRequest, got *EtcdResponse) bool {
	switch {
	case got.Err != nil:
		return true
	case req.LeaseRevoke != nil:
		return got.Revision == st.rev || got.Revision == st.rev+1
	case provesWrite(req, got):
		return got.Revision == st.rev+1
	}
	return got.Revision == st.rev
}

// etcdModelBase holds the etcd model's functions other than Step.
var etcdModelBase = porcupine.Model{
	Init:  func() any { return initialEtcdState },
	Equal: func(a, b any) bool { return equalStates(a.(*etcdState), b.(*etcdState)) },
	Hash:  func(state any) uint64 { return state.(*etcdState).hash },
	DescribeOperation: func(input, output any) string {
		if _, end := input.(endOfHistory); end {
			return "end of history"
		}
		req := input.(EtcdRequest)
		switch got := output.(type) {
		case EtcdResponse:
			return req.String() + " -> " + describeResponse(&got)
		case pinnedOutput:
			return req.String() + " -> ? (seen at " + got.Revision.String() + ")"
		}
		return req.String() + " -> ?"
	},
	DescribeState:             func(state any) string { return state.(*etcdState).describe() },
	DescribeOperationMetadata: describeMetadata,
}

// highestSeenRevision returns the highest revision a determinate response,
// a pinned write or a watch reports.
func highestSeenRevision(h History, ops []porcupine.Operation) Revision {
	seen := Revision(1)
	for _, op := range ops {
		switch out := op.Output.(type) {
		case EtcdResponse:
			if out.Err == nil {
				seen = max(seen, out.Revision)
			}
		case pinnedOutput:
			seen = max(seen, out.Revision)
		}
	}
	for _, ws := range h.Watches {
		for _, r := range ws.Responses {
			seen = max(seen, Revision(r.Response.CompactRevision), headerRevision(r.Response))
			for _, ev := range r.Response.Events {
				seen = max(seen, Revision(ev.Kv.ModRevision))
			}
		}
	}
	return seen
}

// claimedRevisions lists the revisions that operations prove they
// created: a put, a delete that deleted, a txn whose branch wrote, and an
// indeterminate write pinned by an observation.
func claimedRevisions(h History, ops []porcupine.Operation) map[Revision]bool {
	claimed := make(map[Revision]bool)
	for _, op := range ops {
		if pin, ok := op.Output.(pinnedOutput); ok {
			claimed[pin.Revision] = true
		}
	}
	for i := range h.Ops {
		op := &h.Ops[i]
		req, ok1 := op.Input.(EtcdRequest)
		resp, ok2 := op.Output.(EtcdResponse)
		if op.Unknown || !ok1 || !ok2 || resp.Err != nil {
			continue
		}
		if provesWrite(req, &resp) {
			claimed[resp.Revision] = true
		}
	}
	return claimed
}

// provesWrite reports whether a successful response shows its request
// created a revision.
func provesWrite(req EtcdRequest, resp *EtcdResponse) bool {
	if req.Txn == nil {
		return createsRevision(req, resp)
	}
	if resp.Txn == nil {
		return false
	}
	ops := req.Txn.Failure
	if resp.Txn.Succeeded {
		ops = req.Txn.Success
	}
	for i, op := range ops {
		if op.RequestPut != nil {
			return true
		}
		if op.RequestDeleteRange != nil && i < len(resp.Txn.Responses) {
			d := resp.Txn.Responses[i].ResponseDeleteRange
			if d != nil && d.Deleted > 0 {
				return true
			}
		}
	}
	return false
}

// revisionsMax is the highest revision the operations of part can reach:
// the initial revision 1, plus one for each operation that may write (a
// put, a delete, a txn, a revoke; a compaction or a grant creates none).
func revisionsMax(part []porcupine.Operation) Revision {
	n := Revision(1)
	for _, op := range part {
		if req, ok := op.Input.(EtcdRequest); ok && !isReadOnly(req) &&
			req.Compact == nil && req.LeaseGrant == nil {
			n++
		}
	}
	return n
}

// unreachableRevision returns the index of the determinate operation that
// returned first among those whose response reports a revision no order of
// the history can reach, or -1. Such a history is not linearizable, and
// the search need not try every order of its indeterminate writes to find
// that out.
func unreachableRevision(part []porcupine.Operation) int {
	limit, found := revisionsMax(part), -1
	for i, op := range part {
		resp, ok := op.Output.(EtcdResponse)
		if !ok || resp.Err != nil || resp.Revision <= limit {
			continue
		}
		if found < 0 || op.Return < part[found].Return {
			found = i
		}
	}
	return found
}
