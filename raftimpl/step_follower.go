package raftimpl

import "fmt"

// stepFollower handles a message on a follower.
func stepFollower(r *raft, m *Message) error {
	switch m.Type {
	case MsgProp:
		if r.lead == None {
			return fmt.Errorf("%w: no leader at term %v", ErrProposalDropped, r.term)
		}
		r.forward(*m)
	case MsgApp:
		r.electionElapsed = 0
		r.lead = m.From
		return r.handleAppendEntries(m)
	case MsgHeartbeat:
		r.electionElapsed = 0
		r.lead = m.From
		return r.handleHeartbeat(m)
	case MsgSnap:
		r.electionElapsed = 0
		r.lead = m.From
		r.handleSnapshot(m)
	case MsgTransferLeader:
		if r.lead == None {
			return fmt.Errorf("%w: no leader to transfer from at term %v",
				ErrProposalDropped, r.term)
		}
		r.forward(*m)
	case MsgTimeoutNow:
		// The leader hands over: campaign at once, past the lease.
		r.logf("campaigning on TimeoutNow from %v at term %v", m.From, r.term)
		r.hup(true)
	case MsgReadIndex:
		if r.lead == None {
			return fmt.Errorf("%w: no leader at term %v", ErrReadNotReady, r.term)
		}
		fwd := *m
		fwd.To = r.lead
		r.send(fwd)
	case MsgReadIndexResp:
		r.readStates = append(r.readStates, ReadState{Index: m.Index,
			RequestCtx: m.Context})
	}
	return nil
}

// stepCandidate handles a message on a candidate or pre-candidate.
func stepCandidate(r *raft, m *Message) error {
	respType := MsgVoteResp
	if r.role == RolePreCandidate {
		respType = MsgPreVoteResp
	}
	switch m.Type {
	case MsgProp:
		return fmt.Errorf("%w: campaigning at term %v", ErrProposalDropped, r.term)
	case MsgReadIndex:
		return fmt.Errorf("%w: campaigning at term %v", ErrReadNotReady, r.term)
	case MsgApp, MsgHeartbeat, MsgSnap:
		// A leader of our term (or, pre-candidate, of a later one) exists.
		r.becomeFollower(m.Term, m.From)
		return r.stepByRole(m)
	case respType:
		r.trk.recordVote(m.From, !m.Reject)
		switch _, _, res := r.trk.tallyVotes(); res {
		case voteWon:
			r.winElection(r.role)
		case voteLost:
			r.becomeFollower(r.term, None)
		}
	}
	return nil
}

// forward passes a proposal or transfer request on to the leader, keeping
// its original sender.
func (r *raft) forward(m Message) {
	if r.lead == None {
		panicf("forward %v without a leader", m.Type)
	}
	if m.Type == MsgProp {
		r.mark(markProposalForwarded)
	}
	m.To = r.lead
	m.Term = 0
	if m.From == None {
		m.From = r.id
	}
	r.push(&m)
}
