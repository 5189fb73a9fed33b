package raftimpl

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// ConfChangeType is the kind of a single-member configuration change
// (thesis §4.1: one server at a time).
type ConfChangeType uint8

const (
	// ConfChangeAddNode adds a voter, or promotes a learner.
	ConfChangeAddNode ConfChangeType = iota
	// ConfChangeAddLearner adds a non-voting member.
	ConfChangeAddLearner
	// ConfChangeRemoveNode removes a voter or learner.
	ConfChangeRemoveNode
	// ConfChangeUpdateNode changes nothing in Raft's configuration; it
	// carries a member's new attributes in Context to every host, in log
	// order with the other changes (etcd's ConfChangeUpdateNode).
	ConfChangeUpdateNode
)

// String names the change type.
func (t ConfChangeType) String() string {
	switch t {
	case ConfChangeAddNode:
		return "add"
	case ConfChangeAddLearner:
		return "add-learner"
	case ConfChangeRemoveNode:
		return "remove"
	case ConfChangeUpdateNode:
		return "update"
	}
	return fmt.Sprintf("conf-change(%d)", uint8(t))
}

// ConfChange changes the membership by one node. Context is the host's
// own data about the change, opaque to Raft (etcd's raftpb.ConfChange
// Context: the member's attributes); it travels in the entry.
type ConfChange struct {
	Type    ConfChangeType
	NodeID  NodeID
	Context []byte
}

// String describes the change, e.g. "add 4".
func (cc ConfChange) String() string { return cc.Type.String() + " " + cc.NodeID.String() }

// confChangeBytes is the encoded size without Context: type, then the id
// big-endian; the Context follows.
const confChangeBytes = 9

// Marshal encodes the change as the Data of an EntryConfChange.
func (cc ConfChange) Marshal() []byte {
	b := make([]byte, confChangeBytes, confChangeBytes+len(cc.Context))
	b[0] = byte(cc.Type)
	binary.BigEndian.PutUint64(b[1:], uint64(cc.NodeID))
	return append(b, cc.Context...)
}

// UnmarshalConfChange decodes an EntryConfChange's Data; the Context
// aliases b. It returns an error wrapping ErrInvalidConfChange for
// malformed data.
func UnmarshalConfChange(b []byte) (ConfChange, error) {
	if len(b) < confChangeBytes {
		return ConfChange{}, fmt.Errorf("%w: %d bytes, want at least %d",
			ErrInvalidConfChange, len(b), confChangeBytes)
	}
	cc := ConfChange{Type: ConfChangeType(b[0]), NodeID: NodeID(binary.BigEndian.Uint64(b[1:9]))}
	if len(b) > confChangeBytes {
		cc.Context = b[confChangeBytes:]
	}
	if cc.Type > ConfChangeUpdateNode || cc.NodeID == None {
		return ConfChange{}, fmt.Errorf("%w: %v", ErrInvalidConfChange, cc)
	}
	return cc, nil
}

// nextConf returns the configuration after applying cc to cs.
func nextConf(cs ConfState, cc ConfChange) (ConfState, error) {
	voter := slices.Contains(cs.Voters, cc.NodeID)
	learner := slices.Contains(cs.Learners, cc.NodeID)
	drop := func(ids []NodeID) []NodeID {
		return slices.DeleteFunc(slices.Clone(ids), func(id NodeID) bool { return id == cc.NodeID })
	}
	out := ConfState{Voters: drop(cs.Voters), Learners: drop(cs.Learners)}
	switch cc.Type {
	case ConfChangeAddNode:
		out.Voters = append(out.Voters, cc.NodeID)
	case ConfChangeAddLearner:
		if voter {
			return cs, fmt.Errorf("%w: %v is a voter; demotion is not modeled",
				ErrInvalidConfChange, cc.NodeID)
		}
		out.Learners = append(out.Learners, cc.NodeID)
	case ConfChangeRemoveNode, ConfChangeUpdateNode:
		if !voter && !learner {
			return cs, fmt.Errorf("%w: %v is not a member", ErrInvalidConfChange, cc.NodeID)
		}
		if cc.Type == ConfChangeUpdateNode {
			return cs, nil // the configuration stays as it is
		}
		if voter && len(cs.Voters) == 1 {
			return cs, fmt.Errorf("%w: cannot remove the last voter", ErrInvalidConfChange)
		}
	}
	slices.Sort(out.Voters)
	slices.Sort(out.Learners)
	if err := validConfState(out); err != nil {
		return cs, fmt.Errorf("%w: %v", ErrInvalidConfChange, err)
	}
	return out, nil
}

// applyConfChange switches to the configuration after a committed change,
// once the host has applied its entry. A change that does not apply is
// ignored identically on every node.
func (r *raft) applyConfChange(cc ConfChange) {
	cs, err := nextConf(r.trk.conf(), cc)
	if err != nil {
		r.logf("ignored conf change %v: %v", cc, err)
		return
	}
	r.trk.setConf(cs)
	for _, id := range r.trk.ids {
		if pr := r.trk.progress(id); pr.inflights.size == 0 {
			pr.Next = r.log.lastIndex() + 1
			pr.inflights.size = r.cfg.MaxInflightMsgs
			pr.RecentActive = true
		}
	}
	r.logf("applied conf change %v: voters=%v learners=%v", cc, cs.Voters, cs.Learners)
	if r.leadTransferee != None && !r.trk.isVoter(r.leadTransferee) {
		r.leadTransferee = None
	}
	if r.role != RoleLeader {
		return
	}
	if !r.trk.isVoter(r.id) {
		// A removed leader tells the others the commit index, then steps
		// down (thesis §4.2.2); it never campaigns again.
		r.mark(markRemovedLeaderStepDown)
		r.bcastHeartbeat(nil)
		r.becomeFollower(r.term, None)
		return
	}
	// The quorum changed: the commit index may move, and new members
	// need entries.
	r.maybeCommit()
	r.bcastAppend()
}

// handleTransferLeader starts handing leadership to m.From (thesis §3.10):
// bring its log up to date, then tell it to campaign at once.
func (r *raft) handleTransferLeader(m *Message, pr *Progress) {
	to := m.From
	if pr.IsLearner {
		r.logf("ignored transfer to learner %v", to)
		return
	}
	if to == r.id || to == r.leadTransferee {
		return
	}
	r.electionElapsed = 0
	r.leadTransferee = to
	if pr.Match == r.log.lastIndex() {
		r.sendTimeoutNow(to)
		return
	}
	r.sendAppend(to)
}

func (r *raft) sendTimeoutNow(to NodeID) {
	r.mark(markTimeoutNowSent)
	r.send(Message{To: to, Type: MsgTimeoutNow})
}
