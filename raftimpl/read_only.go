package raftimpl

import "fmt"

// ReadState answers a ReadIndex request: once the local node has applied up
// to Index, a read that started with RequestCtx may be served
// linearizably (thesis §6.4).
type ReadState struct {
	Index      LogIndex
	RequestCtx []byte
}

// readIndexPendingMax bounds the reads waiting for a heartbeat round.
const readIndexPendingMax = 4096

// readIndexStatus is one read waiting for a quorum of heartbeat acks.
type readIndexStatus struct {
	req   Message
	index LogIndex
	acks  map[NodeID]bool
}

// readOnly queues the leader's ReadIndex requests in arrival order.
type readOnly struct {
	pending map[string]*readIndexStatus
	queue   []string
	// early holds requests that arrived before this leader committed an
	// entry of its term; they are served once it has (etcd 3.5 does the
	// same). Bounded by readIndexPendingMax.
	early []Message
}

func (ro *readOnly) reset() {
	clear(ro.pending)
	ro.queue = ro.queue[:0]
	ro.early = ro.early[:0]
}

// handleReadIndex serves a read on the leader: at once for lease-based
// reads, lease-bounded ones while the lease holds (or with
// BugReadWithoutQuorum), otherwise after a heartbeat round proves that no
// newer leader exists.
func (r *raft) handleReadIndex(m *Message) error {
	if !r.committedEntryInCurrentTerm() {
		// Our commit index may lag the cluster's until our no-op commits
		// (thesis §6.4, step 1): hold the request until then.
		if len(r.readOnly.early) >= readIndexPendingMax {
			return fmt.Errorf("%w: leader %v has not committed in term %v",
				ErrReadNotReady, r.id, r.term)
		}
		r.mark(markReadHeld)
		r.readOnly.early = append(r.readOnly.early, *m) // a copy: m is the caller's
		return nil
	}
	if len(r.trk.voters) == 1 || r.cfg.ReadOnlyOption == ReadOnlyLeaseBased || r.leaseHeld() ||
		r.cfg.Bugs.Has(BugReadWithoutQuorum) {
		r.respondReadIndex(m, r.log.committed)
		return nil
	}
	ctx := string(m.Context)
	if _, dup := r.readOnly.pending[ctx]; dup {
		return nil
	}
	if len(r.readOnly.queue) >= readIndexPendingMax {
		return fmt.Errorf("%w: %d reads pending", ErrReadNotReady, readIndexPendingMax)
	}
	r.readOnly.pending[ctx] = &readIndexStatus{req: *m, index: r.log.committed,
		acks: map[NodeID]bool{r.id: true}}
	r.readOnly.queue = append(r.readOnly.queue, ctx)
	r.bcastHeartbeat(m.Context)
	return nil
}

func (r *raft) committedEntryInCurrentTerm() bool {
	return r.log.termOrZero(r.log.committed) == r.term
}

// respondReadIndex hands the read index to the local application or to the
// follower that forwarded the request.
func (r *raft) respondReadIndex(m *Message, index LogIndex) {
	if m.From == None || m.From == r.id {
		r.readStates = append(r.readStates, ReadState{Index: index, RequestCtx: m.Context})
		return
	}
	r.send(Message{To: m.From, Type: MsgReadIndexResp, Index: index, Context: m.Context})
}

// ackReadIndex counts a heartbeat ack for the read ctx; once a quorum has
// acked, that read and every read queued before it are served.
func (r *raft) ackReadIndex(from NodeID, ctx []byte) {
	rs, ok := r.readOnly.pending[string(ctx)]
	if !ok {
		return
	}
	rs.acks[from] = true
	n := 0
	for _, id := range r.trk.voters {
		if rs.acks[id] {
			n++
		}
	}
	if n < r.trk.quorum() {
		return
	}
	for i, key := range r.readOnly.queue {
		done := r.readOnly.pending[key]
		delete(r.readOnly.pending, key)
		r.respondReadIndex(&done.req, done.index)
		if key == string(ctx) {
			r.readOnly.queue = append(r.readOnly.queue[:0], r.readOnly.queue[i+1:]...)
			return
		}
	}
	panicf("read %q acked but not queued", ctx)
}

// releaseEarlyReads serves the reads held until this leader's first commit
// in its term.
func (r *raft) releaseEarlyReads() {
	if len(r.readOnly.early) == 0 || !r.committedEntryInCurrentTerm() {
		return
	}
	early := r.readOnly.early
	r.readOnly.early = nil
	for i := range early {
		// Cannot fail: the leader has committed in its term, and the
		// queue was drained, so it has room.
		_ = r.handleReadIndex(&early[i])
	}
}
