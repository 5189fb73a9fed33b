package harness

import (
	"fmt"
	"time"

	"etcdsim/linearizability"
	"etcdsim/nemesis"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// RunConfig is one seeded run: a cluster, a fault schedule, and how long.
type RunConfig struct {
	Cluster cluster.Config
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
		return fmt.Errorf("harness: duration %v must be positive", rc.Duration)
	case rc.Settle < 0:
		return fmt.Errorf("harness: settle %v must not be negative", rc.Settle)
	case rc.Duration > RunTimeMax || rc.Settle > RunTimeMax-rc.Duration:
		return fmt.Errorf("harness: duration %v plus settle %v is more than %v of simulated time",
			rc.Duration, rc.Settle, RunTimeMax)
	}
	return nil
}

// DefaultRun is cluster.DefaultConfig under partitions and crashes for
// RunDuration, then RunSettle without faults.
func DefaultRun() RunConfig {
	faults := nemesis.DefaultConfig(nemesis.Mix{Partition: true, Crash: true})
	return RunConfig{Cluster: cluster.DefaultConfig(), Faults: &faults, Duration: RunDuration,
		Settle: RunSettle}
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
			return nil, fmt.Errorf("harness: %w", err)
		}
	}
	if err := rc.Cluster.Validate(); err != nil {
		return nil, err // BEFORE the storm detector, which divides by the tick
	}
	// The storm detector is added BEFORE the cluster's safety observer
	// (cluster.New adds it), so that it counts every event, the one a
	// violation stops the world on included, and a storm is named first.
	storms := newStormDetector(rc.Cluster)
	var storm error
	w.AddAfterEvent(func() error {
		storm = storms.note(w.Now())
		return storm
	})
	c, err := cluster.New(w, rc.Cluster)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := c.Close(); err != nil {
			w.Logf("closing the stores: %v", err)
		}
	}()
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
	c.DropUnseenRevokes()
	out := newOutcome(seed, w, c)
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
	if err := check(out, c, rc); err != nil {
		return nil, fmt.Errorf("harness: seed %d: %w", seed, err)
	}
	return out, nil
}

// newOutcome is what a run that has stopped shows before any check: its
// trace, its history and the cluster's counters.
func newOutcome(seed uint64, w *sim.World, c *cluster.Cluster) *Outcome {
	st := c.Stats()
	out := &Outcome{Seed: seed, TraceHash: w.Trace().Hash(), Events: w.Events(), SimTime: w.Now(),
		History: c.History(), Ops: len(c.History().Ops), Violation: c.Violation(),
		OpsOK: st.OpsOK, OpsFailed: st.OpsFailed, OpsUnknown: st.OpsUnknown,
		LeaderChanges: st.LeaderChanges}
	out.WatchEvents, out.Watches = watchEvents(out.History), len(out.History.Watches) > 0
	return out
}

// check runs the end-of-run checks of a run that stopped without a
// violation or a storm, and puts their findings in out: HashKV, the
// acknowledged writes, linearizability (with the watches), the locks.
func check(out *Outcome, c *cluster.Cluster, rc RunConfig) error {
	out.Divergent, out.HashKVChecked = c.CheckHashKV()
	out.LostWrite, out.AckedWrites, out.AckedChecked = c.CheckAckedWrites()
	res, err := linearizability.Check(out.History,
		linearizability.Options{Budget: rc.CheckBudget, Visualize: rc.Visualize})
	if err != nil {
		return fmt.Errorf("checking history: %w", err)
	}
	out.Check, out.Checked, out.Verdict = res, true, res.Verdict
	out.WatchChecked = out.Watches && res.Verdict == linearizability.Linearizable
	out.WatchViolations = res.WatchViolations
	checkLocks(out, c, rc.Cluster.Lockers)
	return nil
}

// checkLocks runs the lock check for a run whose history is linearizable
// and whose cluster has lockers, and puts its findings in out.
func checkLocks(out *Outcome, c *cluster.Cluster, lockers int) {
	if lockers == 0 {
		return
	}
	out.LockHolds = c.LockHolds()
	if !out.Checked || out.Verdict != linearizability.Linearizable {
		return
	}
	res := cluster.CheckLocks(out.History, out.LockHolds)
	out.LocksChecked = true
	out.LockOverlaps, out.LockFenced, out.LockViolations = res.Overlaps, res.Fenced, res.Violations
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
