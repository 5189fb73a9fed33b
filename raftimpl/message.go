package raftimpl

import "strconv"

// MessageType names a Raft message. Local messages (Hup, Beat, CheckQuorum)
// never cross the network; Step refuses them from a peer.
type MessageType uint8

// The message types, after etcd raftpb. Values are stable: the WAL never
// stores messages, but traces and the simulator's network print them.
const (
	MsgHup            MessageType = iota // local: start an election
	MsgBeat                              // local: leader sends heartbeats
	MsgCheckQuorum                       // local: leader checks its quorum
	MsgProp                              // a proposal, forwarded to the leader
	MsgApp                               // AppendEntries request
	MsgAppResp                           // AppendEntries response
	MsgVote                              // RequestVote request
	MsgVoteResp                          // RequestVote response
	MsgPreVote                           // Pre-Vote request (thesis §9.6)
	MsgPreVoteResp                       // Pre-Vote response
	MsgSnap                              // InstallSnapshot request
	MsgHeartbeat                         // empty AppendEntries carrying commit
	MsgHeartbeatResp                     // heartbeat response
	MsgReadIndex                         // read request, forwarded to leader
	MsgReadIndexResp                     // read index for a follower's request
	MsgTransferLeader                    // ask the leader to hand over
	MsgTimeoutNow                        // tell a follower to campaign at once
	msgTypeCount
)

var msgTypeNames = [msgTypeCount]string{
	"MsgHup", "MsgBeat", "MsgCheckQuorum", "MsgProp", "MsgApp", "MsgAppResp",
	"MsgVote", "MsgVoteResp", "MsgPreVote", "MsgPreVoteResp", "MsgSnap",
	"MsgHeartbeat", "MsgHeartbeatResp", "MsgReadIndex", "MsgReadIndexResp",
	"MsgTransferLeader", "MsgTimeoutNow",
}

// String returns the etcd-style name of the message type.
func (t MessageType) String() string {
	if t < msgTypeCount {
		return msgTypeNames[t]
	}
	return "MsgType(" + strconv.Itoa(int(t)) + ")"
}

// isLocal reports whether t is generated inside a node and never sent.
func (t MessageType) isLocal() bool {
	return t == MsgHup || t == MsgBeat || t == MsgCheckQuorum
}

// isResponse reports whether t answers a request.
func (t MessageType) isResponse() bool {
	switch t {
	case MsgAppResp, MsgVoteResp, MsgPreVoteResp, MsgHeartbeatResp, MsgReadIndexResp:
		return true
	}
	return false
}

// voteRespType returns the response type for a vote request type.
func voteRespType(t MessageType) MessageType {
	if t == MsgPreVote {
		return MsgPreVoteResp
	}
	return MsgVoteResp
}

// Message is one Raft message, field for field in the spirit of etcd's
// raftpb.Message. Which fields mean something depends on Type:
//
//   - MsgApp: Index/LogTerm name the entry preceding Entries (the consistency
//     check); Commit is the leader's commit index.
//   - MsgAppResp: Index is the follower's last matching index, or on Reject
//     the rejected Index, with RejectHint/LogTerm the follower's conflict
//     hint (fast backtracking, thesis §5.3 / etcd findConflictByTerm).
//   - MsgVote/MsgPreVote: Index/LogTerm describe the candidate's last entry.
//   - MsgHeartbeat(Resp), MsgReadIndex(Resp): Context carries a read request.
//   - MsgHeartbeat(Resp): Round numbers the leader's heartbeat round, and a
//     response echoes it (lease-bounded reads; 0 otherwise).
//
// Ownership: Entries and Snapshot are shared, never copied; nobody may
// modify them after sending.
type Message struct {
	Type       MessageType
	From       NodeID
	To         NodeID
	Term       Term
	LogTerm    Term
	Index      LogIndex
	Entries    []Entry
	Commit     LogIndex
	Reject     bool
	RejectHint LogIndex
	Snapshot   *Snapshot
	Context    []byte
	Round      uint64
}

// assign copies src into m field by field. While the GC marks, copying a
// whole Message (it holds pointers) into the heap takes a bulk write
// barrier costing hundreds of instructions; field stores take the inline
// barrier. Every field must be listed (TestMessageAssignCopiesEveryField).
func (m *Message) assign(src *Message) {
	m.Type, m.From, m.To, m.Term, m.LogTerm, m.Index = src.Type, src.From, src.To, src.Term, src.LogTerm, src.Index
	m.Entries, m.Commit, m.Reject, m.RejectHint = src.Entries, src.Commit, src.Reject, src.RejectHint
	m.Snapshot, m.Context, m.Round = src.Snapshot, src.Context, src.Round
}
