package raftimpl

import "strconv"

// NodeID names one Raft member. None (0) means "no node": no vote cast, no
// known leader.
type NodeID uint64

// None is the NodeID that names no node.
const None NodeID = 0

// String returns the id as a decimal number, the way traces print it.
func (id NodeID) String() string { return strconv.FormatUint(uint64(id), 10) }

// Term is a Raft term (paper §5.1): a logical clock that rises by at least one
// per election.
type Term uint64

// String returns the term as a decimal number.
func (t Term) String() string { return strconv.FormatUint(uint64(t), 10) }

// LogIndex is the 1-based position of an entry in the Raft log. Index 0 is
// the empty prefix that every log shares.
type LogIndex uint64

// String returns the index as a decimal number.
func (i LogIndex) String() string { return strconv.FormatUint(uint64(i), 10) }

// EntryType says how the application interprets an entry's Data.
type EntryType uint8

const (
	// EntryNormal carries application data (or nothing: a leader's no-op).
	EntryNormal EntryType = iota
	// EntryConfChange carries an encoded ConfChange (see ConfChange.Marshal).
	EntryConfChange
)

// String returns a short name for the entry type.
func (t EntryType) String() string {
	switch t {
	case EntryNormal:
		return "normal"
	case EntryConfChange:
		return "conf"
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Entry is one element of the replicated log.
type Entry struct {
	Term  Term
	Index LogIndex
	Type  EntryType
	Data  []byte
}

// size is the number of bytes the entry counts against message and proposal
// limits: its payload plus a fixed header.
func (e *Entry) size() uint64 { return uint64(len(e.Data)) + entryHeaderBytes }

// entryHeaderBytes is what an entry costs beyond its payload when sizing
// messages (term, index and type, as a WAL record frames them).
const entryHeaderBytes = 17

// HardState is the part of a node's state that MUST be durable BEFORE the
// node sends any message that depends on it (paper Figure 2, "persistent
// state"). Commit is persisted as a hint, as etcd does; it is not required
// for safety.
type HardState struct {
	Term   Term
	Vote   NodeID
	Commit LogIndex
}

// IsEmpty reports whether hs is the zero hard state.
func (hs HardState) IsEmpty() bool { return hs == HardState{} }

// ConfState is a membership configuration: the voters and the learners, each
// sorted by id and disjoint.
type ConfState struct {
	Voters   []NodeID
	Learners []NodeID
}

// SnapshotMetadata names the last log entry a snapshot covers and the
// configuration in force at that entry.
type SnapshotMetadata struct {
	Index     LogIndex
	Term      Term
	ConfState ConfState
}

// Snapshot is the application's state machine image up to Metadata.Index
// (paper §7). Data is opaque to Raft.
type Snapshot struct {
	Metadata SnapshotMetadata
	Data     []byte
}

// IsEmpty reports whether the snapshot covers nothing.
func (s Snapshot) IsEmpty() bool { return s.Metadata.Index == 0 }
