package raftimpl

import (
	"fmt"
	"strings"
)

// Status is a copy of a node's state, for traces, tests and the observer.
type Status struct {
	ID        NodeID
	Role      Role
	Term      Term
	Vote      NodeID
	Lead      NodeID
	Commit    LogIndex
	Applied   LogIndex
	LastIndex LogIndex
	ConfState ConfState
	// Progress is set on the leader only, one entry per member in
	// ConfState order (voters, then learners).
	Progress []MemberProgress
	// LeadTransferee is the target of a transfer in progress, or None.
	LeadTransferee NodeID
}

// MemberProgress is the leader's view of one member.
type MemberProgress struct {
	ID NodeID
	Progress
}

func (r *raft) status() Status {
	s := Status{ID: r.id, Role: r.role, Term: r.term, Vote: r.vote, Lead: r.lead,
		Commit: r.log.committed, Applied: r.log.applied, LastIndex: r.log.lastIndex(),
		ConfState: r.trk.conf(), LeadTransferee: r.leadTransferee}
	if r.role == RoleLeader {
		for _, id := range r.trk.ids {
			s.Progress = append(s.Progress, MemberProgress{ID: id, Progress: *r.trk.progress(id)})
		}
	}
	return s
}

// String renders the status on one line, then one line per member's
// progress (leader only).
func (s Status) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v %v term=%v vote=%v lead=%v commit=%v applied=%v last=%v voters=%v",
		s.ID, s.Role, s.Term, s.Vote, s.Lead, s.Commit, s.Applied, s.LastIndex, s.ConfState.Voters)
	if len(s.ConfState.Learners) > 0 {
		fmt.Fprintf(&b, " learners=%v", s.ConfState.Learners)
	}
	for _, p := range s.Progress {
		fmt.Fprintf(&b, "\n  %v: %v", p.ID, &p.Progress)
	}
	return b.String()
}

// LogTerm returns the term of entry i, or false if it is compacted or past
// the last index. The observer uses it to compare logs.
func (n *Node) LogTerm(i LogIndex) (Term, bool) {
	t, err := n.r.log.term(i)
	return t, err == nil
}

// Entries returns a copy of the entries in [lo, hi), or an error wrapping
// ErrCompacted if lo is compacted. hi is clipped to the last index + 1.
func (n *Node) Entries(lo, hi LogIndex) ([]Entry, error) {
	hi = min(hi, n.r.log.lastIndex()+1)
	if lo >= hi {
		return nil, nil
	}
	ents, err := n.r.log.slice(lo, hi, noLimit)
	if err != nil {
		return nil, err
	}
	return append([]Entry(nil), ents...), nil
}

// ID returns the node's id.
func (n *Node) ID() NodeID { return n.r.id }

// Role returns the node's role; it and the accessors below read single
// fields without building a Status.
func (n *Node) Role() Role { return n.r.role }

// Term returns the node's current term.
func (n *Node) Term() Term { return n.r.term }

// Lead returns the leader the node knows of, or None.
func (n *Node) Lead() NodeID { return n.r.lead }

// CommitIndex returns the node's commit index.
func (n *Node) CommitIndex() LogIndex { return n.r.log.committed }

// AppliedIndex returns the node's applied index.
func (n *Node) AppliedIndex() LogIndex { return n.r.log.applied }

// LastIndex returns the index of the node's last entry.
func (n *Node) LastIndex() LogIndex { return n.r.log.lastIndex() }
