package cluster

import (
	"fmt"
	"time"

	"etcdsim/linearizability"
	"etcdsim/nemesis"
	"etcdsim/sim"
)

// RunConfig is one seeded run: a cluster, a fault schedule, and how long.
type RunConfig struct {
	Cluster Config
	// Faults is the fault schedule; nil runs without faults.
	Faults *nemesis.Config
	// Duration is how long clients run with faults; afterwards faults are
	// healed and clients finish during Settle.
	Duration, Settle time.Duration
	// CheckBudget bounds the linearizability check in model steps (0:
	// linearizability.BudgetDefault); Visualize keeps what
	// Outcome.Check.WriteHTML needs.
	CheckBudget linearizability.Steps
	Visualize   bool
	// TraceSink, if set, sees every trace record as it happens.
	TraceSink func(sim.Record)
	// Latency, when set, replaces the network's default link delay (for
	// example a cross-region cluster).
	Latency *sim.Latency
}

// Defaults of a run, shared with the CLI so that replay lines reproduce.
const (
	RunEventsMax = 5_000_000
	RunDuration  = 10 * time.Second
	RunSettle    = 5 * time.Second
)

// RunTimeMax bounds a run's simulated time (Duration plus Settle): a day
// of a busy cluster is some 10^8 events, minutes of wall time.
const RunTimeMax = 24 * time.Hour

// ValidateTimes reports a Duration or Settle out of range.
func (rc RunConfig) ValidateTimes() error {
	switch {
	case rc.Duration <= 0:
		return fmt.Errorf("cluster: duration %v must be positive", rc.Duration)
	case rc.Settle < 0:
		return fmt.Errorf("cluster: settle %v must not be negative", rc.Settle)
	case rc.Duration > RunTimeMax || rc.Settle > RunTimeMax-rc.Duration:
		return fmt.Errorf("cluster: duration %v plus settle %v is more than %v of simulated time",
			rc.Duration, rc.Settle, RunTimeMax)
	}
	return nil
}

// DefaultRun is DefaultConfig under partitions and crashes for RunDuration,
// then RunSettle without faults.
func DefaultRun() RunConfig {
	faults := nemesis.DefaultConfig(nemesis.Mix{Partition: true, Crash: true})
	return RunConfig{Cluster: DefaultConfig(), Faults: &faults, Duration: RunDuration,
		Settle: RunSettle}
}

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
	// Divergent is set (wrapping ErrDivergentMembers) when two members'
	// HashKV at one revision differ at the end of the run: etcd's
	// corruption check. HashKVChecked says the check ran.
	Divergent     error
	HashKVChecked bool
	// LostWrite is set (wrapping ErrLostWrite) when the leader's store at
	// the end lacks an acknowledged write; AckedChecked says the check ran
	// and AckedWrites how many writes it found in place.
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
	// broken guarantees it found (CheckLocks). LocksVerdict names them.
	LockHolds                []LockHold
	LocksChecked             bool
	LockOverlaps, LockFenced int
	LockViolations           []LockViolation
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

// Run plays one seeded run. A safety violation stops the world at once; the
// history is then checked only if no invariant broke.
func Run(seed uint64, rc RunConfig) (*Outcome, error) {
	if err := rc.ValidateTimes(); err != nil {
		return nil, err
	}
	w := sim.New(seed, sim.Options{})
	w.Trace().SetSink(rc.TraceSink)
	if rc.Latency != nil {
		if err := w.Network().SetLatency(*rc.Latency); err != nil {
			return nil, fmt.Errorf("cluster: %w", err)
		}
	}
	c, err := New(w, rc.Cluster)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := c.Close(); err != nil {
			w.Logf("closing the stores: %v", err)
		}
	}()
	storms := newStormDetector(rc.Cluster)
	var storm error
	observe := c.observe
	w.SetAfterEvent(func() error {
		if err := storms.note(w.Now()); err != nil {
			storm = err
			return storm
		}
		return observe()
	})
	var nem *nemesis.Nemesis
	if rc.Faults != nil {
		if nem, err = nemesis.Start(w, c, *rc.Faults); err != nil {
			return nil, err
		}
	}
	runErr := w.RunFor(rc.Duration)
	if runErr == nil {
		if nem != nil {
			nem.Stop()
		}
		c.StopClients()
		runErr = w.RunFor(rc.Settle)
	}
	c.dropUnseenRevokes()
	out := &Outcome{Seed: seed, TraceHash: w.Trace().Hash(), Events: w.Events(), SimTime: w.Now(),
		History: c.History(), Ops: len(c.History().Ops), Violation: c.Violation(),
		OpsOK: c.opsOK, OpsFailed: c.opsFailed, OpsUnknown: c.opsUnknown,
		LeaderChanges: c.leaderChanges}
	out.WatchEvents, out.Watches = watchEvents(out.History), len(out.History.Watches) > 0
	if nem != nil {
		out.Faults = nem.Counts()
	}
	out.Storm, out.PeakEventRate = storm, storms.peak
	if runErr != nil && out.Violation == nil && storm == nil {
		return nil, runErr
	}
	if out.Violation != nil || storm != nil {
		return out, nil
	}
	out.Divergent, out.HashKVChecked = c.checkHashKV()
	out.LostWrite, out.AckedWrites, out.AckedChecked = c.checkAckedWrites()
	res, err := linearizability.Check(out.History,
		linearizability.Options{Budget: rc.CheckBudget, Visualize: rc.Visualize})
	if err != nil {
		return nil, fmt.Errorf("cluster: seed %d: checking history: %w", seed, err)
	}
	out.Check, out.Checked, out.Verdict = res, true, res.Verdict
	out.WatchChecked = out.Watches && res.Verdict == linearizability.Linearizable
	out.WatchViolations = res.WatchViolations
	c.checkLocks(out)
	return out, nil
}

// watchEvents counts the events a history's watches delivered.
func watchEvents(h linearizability.History) int {
	n := 0
	for i := range h.Watches {
		for _, d := range h.Watches[i].Responses {
			n += len(d.Response.Events)
		}
	}
	return n
}
