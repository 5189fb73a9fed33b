package raftimpl

import (
	"fmt"
	"slices"
)

// Rand is the source of randomness for election timeouts. The simulator's
// per-node random stream satisfies it; nothing else in a node draws numbers.
type Rand interface {
	// IntN returns a number in [0, n). n > 0.
	IntN(n int) int
}

// ReadOnlyOption chooses how the leader confirms it may serve a read.
type ReadOnlyOption uint8

const (
	// ReadOnlySafe confirms leadership with a heartbeat round per batch of
	// reads (ReadIndex, thesis §6.4). Linearizable without clock assumptions.
	ReadOnlySafe ReadOnlyOption = iota
	// ReadOnlyLeaseBased serves reads at once while the leader holds its
	// lease (thesis §6.4.1). Needs CheckQuorum, and is only linearizable
	// while node clocks drift within bounds: clock skew can break it.
	ReadOnlyLeaseBased
)

// String names the option.
func (o ReadOnlyOption) String() string {
	if o == ReadOnlyLeaseBased {
		return "lease"
	}
	return "safe"
}

// Defaults and bounds, after etcd 3.5.
const (
	// MaxEntryBytesDefault is etcd's --max-request-bytes default, 1.5 MiB.
	MaxEntryBytesDefault = 3 << 19
	// MaxSizePerMsgDefault bounds the bytes of entries in one MsgApp.
	MaxSizePerMsgDefault = 1 << 20
	// MaxInflightMsgsDefault bounds the MsgApps in flight to one follower.
	MaxInflightMsgsDefault = 256
	// inflightMsgsMax is the largest window Validate accepts.
	inflightMsgsMax = 1 << 16
	// membersMax bounds the configuration size (etcd recommends up to 7).
	membersMax = 64
)

// Config holds the parameters of one node. Zero values of the optional
// fields take the defaults above (see withDefaults).
type Config struct {
	// ID is this node's id. Required, not None.
	ID NodeID
	// Voters and Learners form the initial configuration of a new cluster.
	// They are ignored when the storage holds a configuration already
	// (restart from WAL or snapshot).
	Voters   []NodeID
	Learners []NodeID
	// ElectionTicks is the election timeout; a follower's randomized
	// timeout lies in [ElectionTicks, 2*ElectionTicks). Required.
	ElectionTicks int
	// HeartbeatTicks is the leader's heartbeat interval. Required, less
	// than ElectionTicks.
	HeartbeatTicks int
	// PreVote enables the Pre-Vote phase (thesis §9.6).
	PreVote bool
	// CheckQuorum makes a leader step down when it has not heard from a
	// quorum within an election timeout, and makes followers ignore vote
	// requests while they hear from a leader (thesis §6.2).
	CheckQuorum bool
	// ReadOnlyOption chooses ReadIndex (safe) or lease-based reads.
	ReadOnlyOption ReadOnlyOption
	// MaxInflightMsgs bounds pipelined MsgApps per follower.
	MaxInflightMsgs int
	// MaxSizePerMsg bounds the entry bytes of one MsgApp (at least one
	// entry is always sent).
	MaxSizePerMsg uint64
	// MaxEntryBytes bounds a proposal's payload.
	MaxEntryBytes uint64
	// NoLeaderNoop stops a new leader from appending its empty entry, as
	// MIT 6.5840's labs require. Raft stays safe: entries of earlier terms
	// still commit only under an entry of the leader's term, which now
	// arrives with the next proposal, and ReadIndex reads wait for it. The
	// no-op also travels in the same MsgApp as the earlier entries, which
	// hides a leader that commits them by counting replicas
	// (BugFigure8Commit); without it, leaders cut off one after another
	// (nemesis flap) make that mistake lose committed entries.
	NoLeaderNoop bool
	// Rand draws randomized election timeouts. Required.
	Rand Rand
	// Bugs enables planted bugs. Zero in production.
	Bugs Bugs
	// Logger, if set, receives one line per role change.
	Logger func(format string, args ...any)
}

// Validate reports, wrapping ErrInvalidConfig, the first field out of range.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	switch {
	case c.ID == None:
		return bad("id must not be 0")
	case c.ElectionTicks <= 0:
		return bad("election ticks %d must be > 0", c.ElectionTicks)
	case c.HeartbeatTicks <= 0:
		return bad("heartbeat ticks %d must be > 0", c.HeartbeatTicks)
	case c.HeartbeatTicks >= c.ElectionTicks:
		return bad("heartbeat ticks %d must be < election ticks %d",
			c.HeartbeatTicks, c.ElectionTicks)
	case c.Rand == nil:
		return bad("rand must be set")
	case c.MaxInflightMsgs < 0 || c.MaxInflightMsgs > inflightMsgsMax:
		return bad("max inflight msgs %d not in [0, %d]", c.MaxInflightMsgs, inflightMsgsMax)
	case c.ReadOnlyOption == ReadOnlyLeaseBased && !c.CheckQuorum:
		return bad("lease-based reads need check quorum")
	case c.ReadOnlyOption > ReadOnlyLeaseBased:
		return bad("unknown read-only option %d", c.ReadOnlyOption)
	}
	if err := validConfState(ConfState{Voters: c.Voters, Learners: c.Learners}); err != nil {
		return bad("%v", err)
	}
	return c.Bugs.valid()
}

// withDefaults returns a copy of c with zero optional fields set.
func (c Config) withDefaults() Config {
	if c.MaxInflightMsgs == 0 {
		c.MaxInflightMsgs = MaxInflightMsgsDefault
	}
	if c.MaxSizePerMsg == 0 {
		c.MaxSizePerMsg = MaxSizePerMsgDefault
	}
	if c.MaxEntryBytes == 0 {
		c.MaxEntryBytes = MaxEntryBytesDefault
	}
	return c
}

// validConfState checks that a configuration is well formed: ids non-zero,
// no duplicates, voters and learners disjoint, within membersMax.
func validConfState(cs ConfState) error {
	if len(cs.Voters)+len(cs.Learners) > membersMax {
		return fmt.Errorf("%d members exceed %d", len(cs.Voters)+len(cs.Learners), membersMax)
	}
	all := make([]NodeID, 0, len(cs.Voters)+len(cs.Learners))
	all = append(append(all, cs.Voters...), cs.Learners...)
	slices.Sort(all)
	for i, id := range all {
		if id == None {
			return fmt.Errorf("member id 0")
		}
		if i > 0 && all[i-1] == id {
			return fmt.Errorf("member %v listed twice", id)
		}
	}
	return nil
}
