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
	// CheckBudget bounds the linearizability check; Visualize keeps what
	// Outcome.Check.WriteHTML needs.
	CheckBudget time.Duration
	Visualize   bool
	// TraceSink, if set, sees every trace record as it happens.
	TraceSink func(sim.Record)
	// MaxEvents bounds a run (0: RunEventsMax). A planted bug can make a
	// cluster flood its links; the bound turns that into a reported
	// runaway instead of minutes of wall time.
	MaxEvents uint64
	// Latency, when set, replaces the network's default link delay (for
	// example a cross-region cluster).
	Latency *sim.Latency
}

// Defaults of a run, shared with the CLI so that replay lines reproduce.
const (
	RunEventsMax   = 5_000_000
	RunDuration    = 20 * time.Second
	RunSettle      = 5 * time.Second
	RunCheckBudget = 30 * time.Second
)

// DefaultRun is DefaultConfig under partitions and crashes for RunDuration,
// then RunSettle without faults.
func DefaultRun() RunConfig {
	faults := nemesis.DefaultConfig(nemesis.Mix{Partition: true, Crash: true})
	return RunConfig{Cluster: DefaultConfig(), Faults: &faults, Duration: RunDuration,
		Settle: RunSettle, CheckBudget: RunCheckBudget}
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
	// Runaway is set when the run hit MaxEvents: a liveness failure (a
	// message storm), not a safety violation. The history is not checked.
	Runaway error
	Checked bool
	Verdict linearizability.Verdict
	Check   *linearizability.Result
	History linearizability.History
	Faults  map[string]int
}

// Failed reports whether the run found a bug: a safety violation, a
// history that is not linearizable, or a runaway.
func (o *Outcome) Failed() bool { return o.Unsafe() || o.Runaway != nil }

// Unsafe reports whether the observer or the checker caught a safety bug.
func (o *Outcome) Unsafe() bool {
	return o.Violation != nil || (o.Checked && o.Verdict == linearizability.NotLinearizable)
}

// VerdictName is the checker's verdict, or "not-checked".
func (o *Outcome) VerdictName() string {
	if !o.Checked {
		return "not-checked"
	}
	return o.Verdict.String()
}

// String summarizes the outcome on one line.
func (o *Outcome) String() string {
	what := "ok"
	switch {
	case o.Violation != nil:
		what = o.Violation.Error()
	case o.Runaway != nil:
		what = o.Runaway.Error()
	case o.Checked && o.Verdict != linearizability.Linearizable:
		what = "history " + o.Verdict.String()
	}
	return fmt.Sprintf("seed %d: %s (%d ops, %d events, %v simulated)", o.Seed, what, o.Ops, o.Events, o.SimTime)
}

// Run plays one seeded run. A safety violation stops the world at once; the
// history is then checked only if no invariant broke.
func Run(seed uint64, rc RunConfig) (*Outcome, error) {
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
	maxEvents := rc.MaxEvents
	if maxEvents == 0 {
		maxEvents = RunEventsMax
	}
	var runaway error
	observe := c.observe
	w.SetAfterEvent(func() error {
		if w.Events() >= maxEvents {
			runaway = fmt.Errorf("cluster: seed %d: runaway: %d events by %v (a message storm?)",
				seed, maxEvents, w.Now())
			return runaway
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
	out := &Outcome{Seed: seed, TraceHash: w.Trace().Hash(), Events: w.Events(), SimTime: w.Now(),
		History: c.History(), Ops: len(c.History().Ops), Violation: c.Violation()}
	if nem != nil {
		out.Faults = nem.Counts()
	}
	out.Runaway = runaway
	if runErr != nil && out.Violation == nil && runaway == nil {
		return nil, runErr
	}
	if out.Violation != nil || runaway != nil {
		return out, nil
	}
	res, err := linearizability.Check(out.History,
		linearizability.Options{Budget: rc.CheckBudget, Visualize: rc.Visualize})
	if err != nil {
		return nil, fmt.Errorf("cluster: seed %d: checking history: %w", seed, err)
	}
	out.Check, out.Checked, out.Verdict = res, true, res.Verdict
	return out, nil
}
