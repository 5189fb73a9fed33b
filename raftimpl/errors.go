package raftimpl

import "errors"

// Configuration (Config.Validate, New).
var (
	// ErrInvalidConfig is returned when a Config breaks a documented bound.
	ErrInvalidConfig = errors.New("raftimpl: invalid config")
	// ErrUnknownBug is returned by ParseBug for a name that is not a bug.
	ErrUnknownBug = errors.New("raftimpl: unknown bug")
)

// Proposals (Propose, ProposeConfChange, TransferLeadership).
var (
	// ErrProposalDropped is returned when a proposal cannot be accepted now:
	// no leader is known, or the leader is transferring leadership, or the
	// proposing node is not a member. The client may retry.
	ErrProposalDropped = errors.New("raftimpl: proposal dropped")
	// ErrEntryTooLarge is returned when a proposal's payload exceeds
	// Config.MaxEntryBytes.
	ErrEntryTooLarge = errors.New("raftimpl: entry exceeds size limit")
	// ErrConfChangePending is returned when a configuration change is
	// proposed while an earlier one is not yet applied (one at a time).
	ErrConfChangePending = errors.New("raftimpl: configuration change already pending")
	// ErrInvalidConfChange is returned for a change that cannot apply to the
	// current configuration (remove an absent node, node id 0, ...).
	ErrInvalidConfChange = errors.New("raftimpl: invalid configuration change")
)

// Reads (ReadIndex).
var (
	// ErrReadNotReady is returned when no read index can be had now: no
	// leader is known, a node is campaigning, or too many reads wait. The
	// client may retry.
	ErrReadNotReady = errors.New("raftimpl: read index not ready")
)

// Messages (Step).
var (
	// ErrStepLocalMsg is returned when a peer sends a local-only message.
	ErrStepLocalMsg = errors.New("raftimpl: local message from the network")
	// ErrStepPeerNotFound is returned for a response from a node that is
	// not in the configuration.
	ErrStepPeerNotFound = errors.New("raftimpl: message from unknown peer")
	// ErrInvalidMessage is returned for a message whose fields are out of
	// range (wrong recipient, entries not contiguous, ...).
	ErrInvalidMessage = errors.New("raftimpl: invalid message")
)

// Storage (MemoryStorage).
var (
	// ErrCompacted is returned when an index lies before the first index
	// still held, because the log was compacted behind a snapshot.
	ErrCompacted = errors.New("raftimpl: requested index is compacted")
	// ErrSnapOutOfDate is returned when a snapshot is older than the one
	// already held.
	ErrSnapOutOfDate = errors.New("raftimpl: snapshot out of date")
	// ErrUnavailable is returned when an index lies past the last entry.
	ErrUnavailable = errors.New("raftimpl: requested entry unavailable")
)

// Invariant violations (Checker.Observe), paper Figure 3. Each means a bug
// in the Raft implementation (or a planted one).
var (
	// ErrElectionSafety: two leaders were elected in one term.
	ErrElectionSafety = errors.New("raftimpl: election safety violated")
	// ErrLeaderAppendOnly: a leader overwrote or deleted its own entries.
	ErrLeaderAppendOnly = errors.New("raftimpl: leader append-only violated")
	// ErrLogMatching: two logs hold an entry with the same index and term
	// but differ before it.
	ErrLogMatching = errors.New("raftimpl: log matching violated")
	// ErrLeaderCompleteness: a leader lacks an entry committed in an
	// earlier term.
	ErrLeaderCompleteness = errors.New("raftimpl: leader completeness violated")
	// ErrStateMachineSafety: two nodes applied different entries at one
	// index.
	ErrStateMachineSafety = errors.New("raftimpl: state machine safety violated")
	// ErrLogInconsistent: a node's log cannot be read as one run of
	// entries (its stored part ends past where its unstable part begins,
	// or leaves a gap before it): the host changed storage behind the
	// node's back, or raftimpl has a bug.
	ErrLogInconsistent = errors.New("raftimpl: log inconsistent")
)
