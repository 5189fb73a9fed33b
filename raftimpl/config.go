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
	// ReadOnlyLeaseBased serves reads at once while the node leads, as
	// etcd-raft does: its "lease" rests on CheckQuorum, which deposes a
	// leader cut off from a quorum only an election timeout after the
	// check that saw the quorum last. Meanwhile the others may elect a
	// new leader one election timeout after they last heard from it, so a
	// cut-off leader can serve stale reads for up to an election timeout
	// even with exact clocks (etcd-io/raft#166). Needs CheckQuorum.
	ReadOnlyLeaseBased
	// ReadOnlyLeaseBounded is the lease of the Raft thesis (§6.4.1): once a
	// quorum acknowledges a heartbeat round, the leader may serve reads at
	// once until the round's send time plus an election timeout divided
	// by the clock drift bound (LeaseDriftPPM), since no acknowledging
	// follower votes for another before an election timeout passes on its
	// own clock. Outside its lease it serves reads as ReadOnlySafe does.
	// Linearizable while every clock's rate stays within the bound. Needs
	// CheckQuorum (followers ignore votes while they hear from a leader).
	ReadOnlyLeaseBounded
)

var readOnlyNames = [...]string{"safe", "lease", "lease-bounded"}

// String names the option as the CLI's --reads does.
func (o ReadOnlyOption) String() string {
	if int(o) < len(readOnlyNames) {
		return readOnlyNames[o]
	}
	return fmt.Sprintf("read-only(%d)", uint8(o))
}

// ParseReadOnlyOption reads an option by its String name; the error wraps
// ErrInvalidConfig and lists the names.
func ParseReadOnlyOption(name string) (ReadOnlyOption, error) {
	for i, n := range readOnlyNames {
		if n == name {
			return ReadOnlyOption(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown read-only option %q (valid: safe, lease, lease-bounded)",
		ErrInvalidConfig, name)
}

// LeaseDriftPPMDefault is the clock drift bound of lease-bounded reads:
// clocks may run 10% fast or slow. Quartz drifts by tens of ppm; the bound
// is wide so that the simulator's skew fault (30%) shows what passing it
// does.
const LeaseDriftPPMDefault = 100_000

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
	// LeaseDriftPPM bounds how far any clock's rate may differ from true
	// time, in parts per million, for ReadOnlyLeaseBounded (0:
	// LeaseDriftPPMDefault).
	LeaseDriftPPM uint32
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
	case c.ReadOnlyOption != ReadOnlySafe && !c.CheckQuorum:
		return bad("lease-based reads need check quorum")
	case c.ReadOnlyOption > ReadOnlyLeaseBounded:
		return bad("unknown read-only option %d", c.ReadOnlyOption)
	case c.LeaseDriftPPM >= 1_000_000:
		return bad("lease drift bound %d ppm must be below 1000000", c.LeaseDriftPPM)
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
	if c.LeaseDriftPPM == 0 {
		c.LeaseDriftPPM = LeaseDriftPPMDefault
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
