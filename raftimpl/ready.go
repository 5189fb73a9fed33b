package raftimpl

// SoftState is volatile state worth showing: who leads and in which role
// this node is. It needs no persistence.
type SoftState struct {
	Lead NodeID
	Role Role
}

// Ready is what the node asks its host to do, in this order:
//
//  1. Write Snapshot (if not empty), Entries and HardState (if not empty) to
//     the WAL; if MustSync, fsync it. This MUST complete BEFORE step 2.
//  2. Send Messages.
//  3. Apply CommittedEntries to the state machine (and the Snapshot, if any,
//     before them); serve ReadStates once applied reaches their index.
//  4. Call Advance(rd).
//
// Ownership: every slice in a Ready is owned by the node, valid only until
// Advance, and the host MUST NOT modify it. The host copies what it keeps
// past Advance (Message values, for instance, into its network's queue):
// the node reuses the Messages array. Entry Data and Snapshot Data are
// never modified by the node and may be kept.
type Ready struct {
	// SoftState is non-nil when the leader or role changed.
	SoftState *SoftState
	// HardState is empty when unchanged.
	HardState HardState
	// Entries are to be appended to the WAL.
	Entries []Entry
	// Snapshot is non-empty when one arrived from the leader and must be
	// persisted and installed.
	Snapshot Snapshot
	// CommittedEntries are to be applied, in order.
	CommittedEntries []Entry
	// Messages are to be sent AFTER persisting (see step 1).
	Messages []Message
	// ReadStates answer ReadIndex requests.
	ReadStates []ReadState
	// MustSync says whether step 1 needs an fsync: set when the term, vote
	// or entries changed. Always false with BugReplyBeforeFsync planted.
	MustSync bool
}

// mustSync reports whether persisting needs an fsync: the term, the vote or
// the entries changed. The commit index alone need not be synced.
func mustSync(st, prev HardState, entries int) bool {
	return entries != 0 || st.Vote != prev.Vote || st.Term != prev.Term
}
