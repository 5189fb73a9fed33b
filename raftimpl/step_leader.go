package raftimpl

import "fmt"

// stepLeader handles a message on the leader.
func stepLeader(r *raft, m *Message) error {
	switch m.Type {
	case MsgBeat:
		r.bcastHeartbeat(nil)
		return nil
	case MsgCheckQuorum:
		r.checkQuorum()
		return nil
	case MsgProp:
		return r.handleProposal(m)
	case MsgReadIndex:
		return r.handleReadIndex(m)
	}
	pr := r.trk.progress(m.From)
	if pr == nil {
		return fmt.Errorf("%w: %v from %v", ErrStepPeerNotFound, m.Type, m.From)
	}
	switch m.Type {
	case MsgAppResp:
		if !m.Reject && m.Index > r.log.lastIndex() {
			return fmt.Errorf("%w: %v acknowledges index %v past our last %v",
				ErrInvalidMessage, m.From, m.Index, r.log.lastIndex())
		}
		pr.RecentActive = true
		if m.Reject {
			r.handleAppendReject(m, pr)
		} else {
			r.handleAppendAck(m, pr)
		}
	case MsgHeartbeatResp:
		r.handleHeartbeatResp(m, pr)
	case MsgTransferLeader:
		r.handleTransferLeader(m, pr)
	}
	return nil
}

// checkQuorum steps down if a majority was not heard from within the last
// election timeout, then starts a new round (thesis §6.2).
func (r *raft) checkQuorum() {
	if !r.trk.quorumActive(r.id) {
		r.mark(markCheckQuorumStepDown)
		r.logf("stepped down at term %v: quorum not active", r.term)
		r.becomeFollower(r.term, None)
		return
	}
	for _, id := range r.trk.ids {
		if id != r.id {
			r.trk.progress(id).RecentActive = false
		}
	}
}

// handleProposal appends a proposal's entries and replicates them.
func (r *raft) handleProposal(m *Message) error {
	if !r.trk.isMember(r.id) {
		return fmt.Errorf("%w: leader %v was removed", ErrProposalDropped, r.id)
	}
	if r.leadTransferee != None {
		return fmt.Errorf("%w: transferring leadership to %v", ErrProposalDropped,
			r.leadTransferee)
	}
	for i := range m.Entries {
		if m.Entries[i].Type != EntryConfChange {
			continue
		}
		if r.pendingConfIndex > r.log.applied {
			return fmt.Errorf("%w: index %v not applied (applied %v)",
				ErrConfChangePending, r.pendingConfIndex, r.log.applied)
		}
		r.pendingConfIndex = r.log.lastIndex() + LogIndex(i) + 1
	}
	ents := m.Entries
	if m.From != r.id {
		// A forwarded proposal's entries are shared with the network's
		// copy of the message; stamping them in place would change it.
		ents = append([]Entry(nil), ents...)
	}
	r.appendEntries(ents...)
	r.bcastAppend()
	return nil
}

// handleAppendReject backs off after a failed consistency check, using the
// follower's hint to skip a whole term at a time.
func (r *raft) handleAppendReject(m *Message, pr *Progress) {
	nextProbe := m.RejectHint
	if m.LogTerm > 0 {
		nextProbe, _ = r.log.findConflictByTerm(m.RejectHint, m.LogTerm)
	}
	if pr.maybeDecrTo(m.Index, nextProbe) {
		if pr.Next < m.Index {
			r.mark(markFastBacktrack)
		}
		if pr.State == StateReplicate {
			pr.becomeProbe()
		}
		r.sendAppend(m.From)
	}
}

// handleAppendAck records a follower's progress, commits what a quorum now
// holds, and keeps the pipeline full.
func (r *raft) handleAppendAck(m *Message, pr *Progress) {
	oldPaused := pr.isPaused()
	if !pr.maybeUpdate(m.Index) {
		return
	}
	switch {
	case pr.State == StateProbe:
		pr.becomeReplicate()
	case pr.State == StateSnapshot && pr.Match >= pr.PendingSnapshot:
		pr.becomeProbe()
		pr.becomeReplicate()
	case pr.State == StateReplicate:
		pr.inflights.freeLE(m.Index)
	}
	if r.maybeCommit() {
		r.releaseEarlyReads()
		r.bcastAppend()
	} else if oldPaused {
		r.sendAppend(m.From)
	}
	// Fill the pipeline. Bounded: each send either adds to the in-flight
	// window (MaxInflightMsgs) or finds nothing left to send.
	for r.maybeSendAppend(m.From, false) {
	}
	if m.From == r.leadTransferee && pr.Match == r.log.lastIndex() {
		r.sendTimeoutNow(m.From)
	}
}

// handleHeartbeatResp unpauses a probing follower, resends what it lacks,
// and counts the acknowledgement for pending reads.
func (r *raft) handleHeartbeatResp(m *Message, pr *Progress) {
	pr.RecentActive = true
	pr.probeSent = false
	if pr.State == StateReplicate && pr.inflights.full() {
		// The window may be full of lost messages: free one slot so the
		// next MsgApp probes the follower (etcd does the same).
		r.mark(markInflightFreed)
		pr.inflights.freeFirstOne()
	}
	if pr.State == StateSnapshot {
		// The snapshot may have been lost; probe again (it is resent if the
		// entries are still compacted).
		pr.becomeProbe()
	}
	if pr.Match < r.log.lastIndex() {
		r.sendAppend(m.From)
	}
	if len(m.Context) > 0 && r.cfg.ReadOnlyOption != ReadOnlyLeaseBased {
		r.ackReadIndex(m.From, m.Context)
	}
	if m.Round != 0 {
		r.ackLeaseRound(m.From, m.Round)
	}
}
