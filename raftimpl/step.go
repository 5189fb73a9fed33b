package raftimpl

import (
	"bytes"
	"fmt"
)

// Step handles one message: the term rules common to every role first
// (paper Figure 2, "Rules for all servers"; thesis §9.6 for Pre-Vote and
// §6.2 for the CheckQuorum lease), then the role's own step function.
func (r *raft) Step(m *Message) error {
	switch {
	case m.Term == 0:
		// Local message or proposal.
	case m.Term > r.term:
		if !r.stepHigherTerm(m) {
			return nil
		}
	case m.Term < r.term:
		r.stepLowerTerm(m)
		return nil
	}
	switch m.Type {
	case MsgHup:
		r.hup(false)
	case MsgVote, MsgPreVote:
		r.handleVoteRequest(m)
	default:
		return r.stepByRole(m)
	}
	return nil
}

// stepByRole hands m to the current role's handler. A switch rather than a
// function field: through a function value the compiler cannot see that m
// does not escape, and every Node.Step would allocate its message.
func (r *raft) stepByRole(m *Message) error {
	switch r.role {
	case RoleLeader:
		return stepLeader(r, m)
	case RoleCandidate, RolePreCandidate:
		return stepCandidate(r, m)
	default:
		return stepFollower(r, m)
	}
}

// inLease reports whether this node heard from a leader within the election
// timeout, so that CheckQuorum lets it ignore vote requests (thesis §6.2).
// With lease-bounded reads a node that just started counts as having heard
// from one (lease.go).
func (r *raft) inLease() bool {
	return r.cfg.CheckQuorum && (r.lead != None || r.voteWait) &&
		r.electionElapsed < r.cfg.ElectionTicks
}

// stepHigherTerm applies the rules for a message from a later term and
// reports whether processing goes on.
func (r *raft) stepHigherTerm(m *Message) bool {
	if m.Type == MsgVote || m.Type == MsgPreVote {
		force := bytes.Equal(m.Context, []byte(campaignTransfer))
		if !force && r.inLease() {
			r.mark(markLeaseIgnoredVote)
			r.logf("ignored %v from %v at term %v: lease not expired", m.Type, m.From, m.Term)
			return false
		}
	}
	switch {
	case m.Type == MsgPreVote:
		// A pre-vote never changes our term.
	case m.Type == MsgPreVoteResp && !m.Reject:
		// The term in a granted pre-vote response is the one we will
		// campaign at; we become candidate when a quorum grants it.
	case m.Type == MsgApp || m.Type == MsgHeartbeat || m.Type == MsgSnap:
		r.becomeFollower(m.Term, m.From)
	default:
		r.becomeFollower(m.Term, None)
	}
	return true
}

// stepLowerTerm answers a message from an earlier term where that helps the
// sender catch up, and otherwise ignores it.
func (r *raft) stepLowerTerm(m *Message) {
	switch {
	case (r.cfg.CheckQuorum || r.cfg.PreVote) && (m.Type == MsgHeartbeat || m.Type == MsgApp):
		// A stale leader cut off by a partition would otherwise never learn
		// the new term when pre-vote or the lease keeps us from voting.
		r.mark(markStaleTermAnswered)
		r.send(Message{To: m.From, Type: MsgAppResp})
	case m.Type == MsgPreVote:
		r.send(Message{To: m.From, Term: r.term, Type: MsgPreVoteResp, Reject: true})
	}
}

// handleVoteRequest grants or rejects a (pre-)vote: at most one vote per
// term, only for a log at least as up-to-date as ours (paper §5.2, §5.4.1).
func (r *raft) handleVoteRequest(m *Message) {
	canVote := r.vote == m.From ||
		(r.vote == None && r.lead == None) ||
		(m.Type == MsgPreVote && m.Term > r.term)
	upToDate := r.log.isUpToDate(m.Index, m.LogTerm) || r.cfg.Bugs.Has(BugVoteNoLogCheck)
	if !canVote || !upToDate {
		r.send(Message{To: m.From, Term: r.term, Type: voteRespType(m.Type), Reject: true})
		return
	}
	// The response carries the requested term, so that a pre-candidate can
	// tell it from a stale answer.
	r.send(Message{To: m.From, Term: m.Term, Type: voteRespType(m.Type)})
	if m.Type == MsgVote {
		r.electionElapsed = 0
		r.vote = m.From
	}
}

// send queues m from this node, filling in the term where the protocol
// wants the current one.
func (r *raft) send(m Message) {
	m.From = r.id
	switch m.Type {
	case MsgVote, MsgVoteResp, MsgPreVote, MsgPreVoteResp:
		if m.Term == 0 {
			panicf("%v must carry a term", m.Type)
		}
	case MsgProp, MsgReadIndex:
		// Forwarded requests carry no term: any term's leader may take them.
		m.Term = 0
	default:
		if m.Term != 0 {
			panicf("%v term %v set by caller", m.Type, m.Term)
		}
		m.Term = r.term
	}
	r.push(&m)
}

// push queues m for the next Ready. A grown array leaves the old one to
// a host still holding a Ready from it.
func (r *raft) push(m *Message) {
	if len(r.msgs) == cap(r.msgs) {
		grown := make([]Message, len(r.msgs), max(2*cap(r.msgs), 8))
		for i := range r.msgs {
			grown[i].assign(&r.msgs[i])
		}
		r.msgs = grown
	}
	r.msgs = r.msgs[:len(r.msgs)+1]
	r.msgs[len(r.msgs)-1].assign(m)
}

// validMessage checks a message from the network once, at the boundary.
func (r *raft) validMessage(m *Message) error {
	switch {
	case m.Type >= msgTypeCount:
		return fmt.Errorf("%w: type %d", ErrInvalidMessage, m.Type)
	case m.Type.isLocal():
		return fmt.Errorf("%w: %v from %v", ErrStepLocalMsg, m.Type, m.From)
	case m.To != r.id:
		return fmt.Errorf("%w: %v for %v delivered to %v", ErrInvalidMessage, m.Type, m.To, r.id)
	case m.From == None || m.From == r.id:
		return fmt.Errorf("%w: %v from %v", ErrInvalidMessage, m.Type, m.From)
	case m.Type.isResponse() && !r.trk.isMember(m.From):
		return fmt.Errorf("%w: %v from %v", ErrStepPeerNotFound, m.Type, m.From)
	case m.Term == 0 && m.Type != MsgProp && m.Type != MsgReadIndex &&
		m.Type != MsgTransferLeader:
		return fmt.Errorf("%w: %v from %v without a term", ErrInvalidMessage, m.Type, m.From)
	case m.Type == MsgSnap && (m.Snapshot == nil || m.Snapshot.IsEmpty()):
		return fmt.Errorf("%w: MsgSnap without snapshot", ErrInvalidMessage)
	case m.Type == MsgSnap && len(m.Snapshot.Metadata.ConfState.Voters) == 0:
		return fmt.Errorf("%w: MsgSnap without voters", ErrInvalidMessage)
	case m.Type == MsgSnap:
		if err := validConfState(m.Snapshot.Metadata.ConfState); err != nil {
			return fmt.Errorf("%w: MsgSnap configuration: %v", ErrInvalidMessage, err)
		}
	}
	for i := range m.Entries {
		want := m.Index + 1 + LogIndex(i)
		if m.Type == MsgApp && m.Entries[i].Index != want {
			return fmt.Errorf("%w: MsgApp entry %d has index %v, want %v",
				ErrInvalidMessage, i, m.Entries[i].Index, want)
		}
		if m.Entries[i].Type > EntryConfChange {
			return fmt.Errorf("%w: entry type %d", ErrInvalidMessage, m.Entries[i].Type)
		}
		if m.Type == MsgApp && m.Entries[i].Term > m.Term {
			return fmt.Errorf("%w: MsgApp entry term %v above message term %v",
				ErrInvalidMessage, m.Entries[i].Term, m.Term)
		}
	}
	return nil
}
