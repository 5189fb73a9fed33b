package raftimpl

import (
	"fmt"
	"slices"
)

// Role is a node's part in the protocol (paper §5.1, thesis §9.6).
type Role uint8

const (
	// RoleFollower answers leaders and candidates.
	RoleFollower Role = iota
	// RolePreCandidate asks for pre-votes without raising its term.
	RolePreCandidate
	// RoleCandidate asks for votes in a new term.
	RoleCandidate
	// RoleLeader replicates the log.
	RoleLeader
)

// String names the role.
func (r Role) String() string {
	switch r {
	case RoleFollower:
		return "follower"
	case RolePreCandidate:
		return "pre-candidate"
	case RoleCandidate:
		return "candidate"
	case RoleLeader:
		return "leader"
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// campaignTransfer marks a vote request caused by leadership transfer; it
// overrides the CheckQuorum lease of the voters (etcd campaignTransfer).
const campaignTransfer = "transfer"

// raft is the protocol state of one node. Branching lives in the step and
// tick functions; helpers compute.
type raft struct {
	id   NodeID
	cfg  Config
	term Term
	// vote is whom this node voted for in term, or None.
	vote NodeID
	// lead is the leader of term as far as this node knows, or None.
	lead NodeID
	role Role
	log  *raftLog
	trk  tracker
	// msgs are produced by this step and drained by Ready.
	msgs       []Message
	readStates []ReadState
	readOnly   readOnly

	electionElapsed  int
	heartbeatElapsed int
	// randomizedElectionTimeout lies in [ElectionTicks, 2*ElectionTicks).
	randomizedElectionTimeout int
	// leadTransferee is the target of a leadership transfer in progress.
	leadTransferee NodeID
	// pendingConfIndex is the index of the latest conf change proposed by
	// this leader; no new one is accepted until applied passes it.
	pendingConfIndex LogIndex
	// tick advances the timer of the current role.
	tick func(r *raft)
	// marks counts the tricky branches taken (marks.go).
	marks marks
	// lease is the leader's lease for lease-bounded reads (lease.go).
	lease lease
	// voteWait is set at start with lease-bounded reads: votes are ignored
	// until an election timeout has passed, as after hearing from a leader.
	voteWait bool
}

// newRaft builds the state from storage, which is either empty (a new
// member, using cfg.Voters/Learners) or restored from the WAL.
func newRaft(cfg Config, storage *MemoryStorage) (*raft, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	hs, cs := storage.InitialState()
	if len(cs.Voters)+len(cs.Learners) == 0 {
		cs = ConfState{Voters: cfg.Voters, Learners: cfg.Learners}
	}
	r := &raft{
		id:       cfg.ID,
		cfg:      cfg,
		log:      newLog(storage, cfg.MaxSizePerMsg),
		trk:      newTracker(cs),
		readOnly: readOnly{pending: map[string]*readIndexStatus{}},
	}
	if !hs.IsEmpty() {
		if hs.Commit < r.log.committed || hs.Commit > r.log.lastIndex() {
			return nil, fmt.Errorf("%w: hard state commit %v out of range [%v, %v]",
				ErrInvalidConfig, hs.Commit, r.log.committed, r.log.lastIndex())
		}
		r.log.committed = hs.Commit
		r.term, r.vote = hs.Term, hs.Vote
	}
	r.becomeFollower(r.term, None)
	r.voteWait = cfg.ReadOnlyOption == ReadOnlyLeaseBounded
	return r, nil
}

func (r *raft) hardState() HardState {
	return HardState{Term: r.term, Vote: r.vote, Commit: r.log.committed}
}

func (r *raft) logf(format string, args ...any) {
	if r.cfg.Logger != nil {
		r.cfg.Logger("%v: "+format, append([]any{r.id}, args...)...)
	}
}

// reset prepares the state for a new term or role.
func (r *raft) reset(term Term) {
	if r.term != term {
		r.term = term
		r.vote = None
	}
	r.lead = None
	r.electionElapsed = 0
	r.heartbeatElapsed = 0
	r.randomizedElectionTimeout = r.cfg.ElectionTicks + r.cfg.Rand.IntN(r.cfg.ElectionTicks)
	r.leadTransferee = None
	r.trk.resetVotes()
	last := r.log.lastIndex()
	for _, id := range r.trk.ids {
		pr := r.trk.progress(id)
		learner := pr.IsLearner
		*pr = Progress{Next: last + 1, IsLearner: learner, inflights: pr.inflights}
		pr.inflights.size = r.cfg.MaxInflightMsgs
		pr.inflights.reset()
		if id == r.id {
			pr.Match = last
		}
	}
	r.pendingConfIndex = 0
	r.readOnly.reset()
	r.resetLease()
}

func (r *raft) becomeFollower(term Term, lead NodeID) {
	r.reset(term)
	r.tick = tickElection
	r.lead = lead
	r.role = RoleFollower
	r.logf("became follower at term %v, leader %v", r.term, lead)
}

func (r *raft) becomePreCandidate() {
	if r.role == RoleLeader {
		panicf("leader %v cannot become pre-candidate", r.id)
	}
	// Pre-Vote raises neither the term nor the vote (thesis §9.6).
	r.trk.resetVotes()
	r.tick = tickElection
	r.lead = None
	r.role = RolePreCandidate
	r.logf("became pre-candidate at term %v", r.term)
}

func (r *raft) becomeCandidate() {
	if r.role == RoleLeader {
		panicf("leader %v cannot become candidate", r.id)
	}
	r.reset(r.term + 1)
	r.tick = tickElection
	r.vote = r.id
	r.role = RoleCandidate
	r.logf("became candidate at term %v", r.term)
}

func (r *raft) becomeLeader() {
	if r.role == RoleFollower {
		panicf("follower %v cannot become leader", r.id)
	}
	r.reset(r.term)
	r.tick = tickHeartbeat
	r.lead = r.id
	r.role = RoleLeader
	r.trk.progress(r.id).becomeReplicate()
	// Conf changes in the uncommitted tail count as pending (etcd).
	r.pendingConfIndex = r.log.lastIndex()
	// The no-op entry lets the leader commit entries of earlier terms
	// (paper §5.4.2, §8) without waiting for a proposal.
	if !r.cfg.NoLeaderNoop {
		r.appendEntries(Entry{Type: EntryNormal})
	}
	r.logf("became leader at term %v", r.term)
}

// tickElection advances the follower and candidate timer.
func tickElection(r *raft) {
	r.electionElapsed++
	if r.electionElapsed >= r.cfg.ElectionTicks {
		r.voteWait = false
	}
	if r.promotable() && r.electionElapsed >= r.randomizedElectionTimeout {
		r.electionElapsed = 0
		_ = r.Step(&Message{From: r.id, Type: MsgHup})
	}
}

// tickHeartbeat advances the leader's timers.
func tickHeartbeat(r *raft) {
	r.heartbeatElapsed++
	r.electionElapsed++
	r.lease.tick++
	if r.electionElapsed >= r.cfg.ElectionTicks {
		r.electionElapsed = 0
		if r.cfg.CheckQuorum {
			_ = r.Step(&Message{From: r.id, Type: MsgCheckQuorum})
		}
		if r.role == RoleLeader && r.leadTransferee != None {
			r.leadTransferee = None // transfer took too long: abort
		}
	}
	if r.role != RoleLeader {
		return
	}
	if r.heartbeatElapsed >= r.cfg.HeartbeatTicks {
		r.heartbeatElapsed = 0
		_ = r.Step(&Message{From: r.id, Type: MsgBeat})
	}
}

// promotable reports whether this node may campaign: it is a voter, and it
// holds no unapplied snapshot.
func (r *raft) promotable() bool {
	return r.trk.isVoter(r.id) && r.log.unstable.snapshot == nil
}

// hup starts an election (or pre-election) if this node may.
func (r *raft) hup(transfer bool) {
	if r.role == RoleLeader || !r.promotable() {
		return
	}
	if r.hasUnappliedConfChanges() {
		r.logf("cannot campaign at term %v: unapplied conf change", r.term)
		return
	}
	if r.cfg.PreVote && !transfer {
		r.campaign(RolePreCandidate, false)
		return
	}
	r.campaign(RoleCandidate, transfer)
}

// hasUnappliedConfChanges scans committed but unapplied entries; a node
// MUST NOT campaign with one pending, since its configuration is stale.
func (r *raft) hasUnappliedConfChanges() bool {
	if r.log.applied >= r.log.committed {
		return false
	}
	ents, err := r.log.slice(r.log.applied+1, r.log.committed+1, noLimit)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(ents, func(e Entry) bool { return e.Type == EntryConfChange })
}

// noLimit disables a byte limit.
const noLimit = ^uint64(0)

// campaign becomes a (pre-)candidate and asks every voter for its vote.
func (r *raft) campaign(role Role, transfer bool) {
	voteMsg, term := MsgVote, r.term+1
	if role == RolePreCandidate {
		r.becomePreCandidate()
		voteMsg = MsgPreVote
	} else {
		r.becomeCandidate()
		term = r.term
	}
	r.trk.recordVote(r.id, true)
	if _, _, res := r.trk.tallyVotes(); res == voteWon {
		r.winElection(role)
		return
	}
	var ctx []byte
	if transfer {
		ctx = []byte(campaignTransfer)
	}
	for _, id := range r.trk.voters {
		if id == r.id {
			continue
		}
		r.send(Message{Type: voteMsg, To: id, Term: term, Index: r.log.lastIndex(),
			LogTerm: r.log.lastTerm(), Context: ctx})
	}
}

// winElection moves a winning pre-candidate to candidate, a candidate to
// leader.
func (r *raft) winElection(role Role) {
	if role == RolePreCandidate {
		r.campaign(RoleCandidate, false)
		return
	}
	r.becomeLeader()
	r.bcastAppend()
}

// checkInvariants asserts the cheap structural invariants of the state. It
// runs after every input; a failure is a bug in this package.
func (r *raft) checkInvariants() {
	l := r.log
	last := l.lastIndex()
	if l.committed > last {
		panicf("committed %v > last index %v", l.committed, last)
	}
	if !r.cfg.Bugs.Has(BugApplyUncommitted) {
		if l.applied > l.committed {
			panicf("applied %v > committed %v", l.applied, l.committed)
		}
	}
	if l.unstable.snapshot == nil {
		if l.unstable.offset > l.storage.LastIndex()+1 {
			panicf("unstable offset %v past stable last %v",
				l.unstable.offset, l.storage.LastIndex())
		}
	}
	if l.firstIndex() > last+1 {
		panicf("first index %v > last %v + 1", l.firstIndex(), last)
	}
	switch r.role {
	case RoleLeader:
		if r.lead != r.id {
			panicf("leader %v thinks %v leads", r.id, r.lead)
		}
		if r.vote != r.id {
			panicf("leader %v voted for %v", r.id, r.vote)
		}
		if pr := r.trk.progress(r.id); pr != nil {
			if pr.Match != last {
				panicf("leader's own match %v != last %v", pr.Match, last)
			}
		}
	case RoleCandidate:
		if r.vote != r.id {
			panicf("candidate %v voted for %v", r.id, r.vote)
		}
		if r.lead != None {
			panicf("candidate %v knows leader %v", r.id, r.lead)
		}
	case RolePreCandidate:
		if r.lead != None {
			panicf("pre-candidate %v knows leader %v", r.id, r.lead)
		}
	}
}
