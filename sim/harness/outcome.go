package harness

import (
	"fmt"

	"etcdsim/linearizability"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// Outcome is what a run found.
type Outcome struct {
	Seed      uint64
	TraceHash uint64
	Events    uint64
	SimTime   sim.Time
	Ops       int
	// Violation is a safety invariant broken (or a member stopped on an
	// error). Verdict is the linearizability checker's, valid only when
	// Checked: a run stopped by a violation is not checked.
	Violation error
	// Storm is set (wrapping ErrMessageStorm) when the run's event rate
	// passed what its configuration explains many times over: a liveness
	// failure, not a safety violation. The history is not checked.
	Storm error
	// PeakEventRate is the most events any simulated second held.
	PeakEventRate uint64
	Checked       bool
	Verdict       linearizability.Verdict
	Check         *linearizability.Result
	History       linearizability.History
	Faults        map[string]int
	// OpsOK, OpsFailed and OpsUnknown count the workload's requests:
	// answered without error, ended without effect (a refusal, or an error
	// in the answer such as ErrCompacted), and indeterminate.
	OpsOK, OpsFailed, OpsUnknown int
	// LeaderChanges counts the members that became leader.
	LeaderChanges int
	// Divergent is set (wrapping cluster.ErrDivergentMembers) when two
	// members' HashKV at one revision differ at the end of the run: etcd's
	// corruption check. HashKVChecked says the check ran.
	Divergent     error
	HashKVChecked bool
	// LostWrite is set (wrapping cluster.ErrLostWrite) when the leader's
	// store at the end lacks an acknowledged write; AckedChecked says the
	// check ran and AckedWrites how many writes it found in place.
	LostWrite    error
	AckedChecked bool
	AckedWrites  int
	// WatchEvents counts the events delivered to all watchers. Watches
	// says whether the history has watches to check, and WatchChecked
	// whether the check ran (only on a linearizable history);
	// WatchViolations are the broken watch guarantees it found.
	WatchEvents     int
	Watches         bool
	WatchChecked    bool
	WatchViolations []linearizability.WatchViolation
	// LockHolds are the lockers' holdings of their mutex. LocksChecked
	// says whether the lock check ran (only with lockers, on a
	// linearizable history); LockOverlaps counts the holdings that
	// overlapped after a holder lost its lease, LockFenced those among
	// them whose later holder has the higher token; LockViolations are the
	// broken guarantees it found (cluster.CheckLocks). LocksVerdict names
	// them.
	LockHolds                []cluster.LockHold
	LocksChecked             bool
	LockOverlaps, LockFenced int
	LockViolations           []cluster.LockViolation
}

// Failed reports whether the run found a bug: a safety violation, a
// history that is not linearizable, a broken watch or lock guarantee,
// divergent members, or a message storm.
func (o *Outcome) Failed() bool { return o.Unsafe() || o.Storm != nil }

// Unsafe reports whether the observer or a check caught a safety bug.
func (o *Outcome) Unsafe() bool {
	return o.Violation != nil || o.Divergent != nil || o.LostWrite != nil ||
		len(o.WatchViolations) > 0 || len(o.LockViolations) > 0 ||
		(o.Checked && o.Verdict == linearizability.NotLinearizable)
}

// Verdict names, a contract with scripts (`etcdsim run --json`).
const (
	VerdictInvariantViolation = "invariant-violation"
	VerdictLivenessFailure    = "liveness-failure"
	VerdictDivergentMembers   = "divergent-members"
	VerdictLostWrite          = "lost-write"
	VerdictWatchViolation     = "watch-violation"
	VerdictLockViolation      = "lock-violation"
)

// VerdictName is the run's verdict: "invariant-violation" when a safety
// violation stopped the run, "liveness-failure" after a storm,
// "lost-write" when an acknowledged write is missing at the end,
// "divergent-members" when HashKV differs, "watch-violation" when a
// watcher's deliveries break a guarantee of etcd's although the operations
// are linearizable, "lock-violation" when lock holders overlap with both
// leases live or fencing tokens go out of order (LockViolations), else the
// linearizability checker's ("linearizable", "not-linearizable",
// "unknown").
func (o *Outcome) VerdictName() string {
	switch {
	case o.Violation != nil:
		return VerdictInvariantViolation
	case o.Storm != nil:
		return VerdictLivenessFailure
	case o.Checked && o.Verdict == linearizability.NotLinearizable:
		return o.Verdict.String()
	case o.LostWrite != nil:
		return VerdictLostWrite
	case o.Divergent != nil:
		return VerdictDivergentMembers
	case len(o.WatchViolations) > 0:
		return VerdictWatchViolation
	case len(o.LockViolations) > 0:
		return VerdictLockViolation
	case !o.Checked:
		return "not-checked" // unreachable: every run that ends is checked
	}
	return o.Verdict.String()
}

// Verdicts of the lock check, a contract with scripts (`etcdsim run
// --json` checks.locks).
const (
	LocksOK         = "ok"
	LocksViolated   = "violated"
	LocksNotChecked = "not-checked"
)

// LocksVerdict is the lock check's verdict: "not-checked" when the run had
// no lockers or its history was not found linearizable, "violated" when
// holders overlapped with both leases live or tokens went out of order,
// "ok" otherwise.
func (o *Outcome) LocksVerdict() string {
	switch {
	case !o.LocksChecked:
		return LocksNotChecked
	case len(o.LockViolations) > 0:
		return LocksViolated
	}
	return LocksOK
}

// String summarizes the outcome on one line.
func (o *Outcome) String() string {
	what := "ok"
	switch {
	case o.Violation != nil:
		what = o.Violation.Error()
	case o.Storm != nil:
		what = o.Storm.Error()
	case o.Checked && o.Verdict != linearizability.Linearizable:
		what = "history " + o.Verdict.String()
	case len(o.WatchViolations) > 0:
		what = fmt.Sprintf("%d watch violation(s), the first: %v", len(o.WatchViolations),
			o.WatchViolations[0])
	case len(o.LockViolations) > 0:
		what = fmt.Sprintf("%d lock violation(s), the first: %v", len(o.LockViolations),
			o.LockViolations[0])
	}
	return fmt.Sprintf("seed %d: %s (%d ops, %d events, %v simulated)", o.Seed, what, o.Ops, o.Events, o.SimTime)
}
