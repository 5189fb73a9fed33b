package nemesis

import (
	"fmt"
	"time"

	"etcdsim/sim"
)

// Mix says which faults a schedule may draw.
type Mix struct {
	// Partition splits the members in two (a random minority, or the
	// leader alone) both ways.
	Partition bool
	// Crash crashes a member (the leader half of the time), losing its
	// unsynced writes with torn tails, and restarts it at heal.
	Crash bool
	// Reorder lets links deliver out of order with wide jitter.
	Reorder bool
	// Duplicate delivers a share of messages twice.
	Duplicate bool
	// Drop loses a share of messages.
	Drop bool
	// Skew makes one member's clock run fast or slow.
	Skew bool
	// Churn crashes the leader soon after it is found and restarts
	// crashed members while fewer than a quorum run: the schedule of MIT
	// 6.5840's Figure 8 test, which makes leaders append and die before
	// their entries spread. Its steps come every few milliseconds for as
	// long as the fault lasts, up to 40 steps.
	Churn bool
	// Flap cuts the leader off from the other members soon after it is
	// found and reconnects cut-off members while fewer than a quorum are
	// connected: 6.5840's Figure8Unreliable schedule. Cut-off leaders keep
	// taking client writes that never spread, so logs diverge over many
	// terms, which a wrong commit rule needs to lose entries.
	Flap bool
}

// kinds lists the faults in m in a fixed order.
func (m Mix) kinds() []kind {
	var out []kind
	for _, k := range []struct {
		on bool
		k  kind
	}{{m.Partition, kindPartition}, {m.Crash, kindCrash}, {m.Reorder, kindReorder},
		{m.Duplicate, kindDuplicate}, {m.Drop, kindDrop}, {m.Skew, kindSkew},
		{m.Churn, kindChurn}, {m.Flap, kindFlap}} {
		if k.on {
			out = append(out, k.k)
		}
	}
	return out
}

// Target is what the nemesis needs from a cluster.
type Target interface {
	Members() []sim.NodeID
	Leader() (sim.NodeID, bool)
	// Annotate records a fault (heal false) or its heal in the history.
	Annotate(heal bool, node sim.NodeID, text string)
}

// Config shapes a schedule.
type Config struct {
	Mix Mix
	// Interval is the mean quiet time before each fault; Duration is the
	// mean time a fault lasts.
	Interval, Duration time.Duration
}

// DefaultConfig returns mix with a fault about every second, lasting
// about two seconds: longer than an election timeout, so leaders change.
func DefaultConfig(mix Mix) Config {
	return Config{Mix: mix, Interval: time.Second, Duration: 2 * time.Second}
}

func (cfg Config) valid() error {
	if len(cfg.Mix.kinds()) == 0 {
		return fmt.Errorf("nemesis: empty fault mix")
	}
	if cfg.Interval <= 0 || cfg.Duration <= 0 {
		return fmt.Errorf("nemesis: interval %v and duration %v must be positive", cfg.Interval, cfg.Duration)
	}
	return nil
}

// Nemesis runs a fault schedule on a world, in two lanes that run side by
// side: network conditions (reorder, duplicate, drop) and node faults
// (partition, crash, skew, churn, flap). Each lane has at most one active fault,
// so a bad network can meet a crash, as some bugs need.
type Nemesis struct {
	w       *sim.World
	t       Target
	cfg     Config
	lanes   []*lane
	stopped bool
	// counts counts faults applied, by name.
	counts map[string]int
}

// lane is one independent schedule with its own random stream.
type lane struct {
	n      *Nemesis
	name   string
	kinds  []kind
	r      *sim.Rand
	active *fault
	next   sim.TimerID
}

// Start schedules faults on w against t until Stop.
func Start(w *sim.World, t Target, cfg Config) (*Nemesis, error) {
	if err := cfg.valid(); err != nil {
		return nil, err
	}
	n := &Nemesis{w: w, t: t, cfg: cfg, counts: map[string]int{}}
	var network, node []kind
	for _, k := range cfg.Mix.kinds() {
		if k.network() {
			network = append(network, k)
		} else {
			node = append(node, k)
		}
	}
	for _, l := range []struct {
		name  string
		kinds []kind
	}{{"network", network}, {"node", node}} {
		if len(l.kinds) == 0 {
			continue
		}
		ln := &lane{n: n, name: l.name, kinds: l.kinds, r: w.Rand("nemesis/" + l.name)}
		n.lanes = append(n.lanes, ln)
		if err := ln.schedule(cfg.Interval, ln.inject); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// jittered draws a duration uniform in [d/2, 3d/2].
func (l *lane) jittered(d time.Duration) time.Duration {
	return d/2 + time.Duration(l.r.Int64N(int64(d)+1))
}

func (l *lane) schedule(mean time.Duration, fn func()) error {
	id, err := l.n.w.Schedule(l.jittered(mean), "nemesis "+l.name, fn)
	l.next = id
	return err
}

// inject applies a fault drawn from the lane's kinds and schedules its heal.
func (l *lane) inject() {
	n := l.n
	if n.stopped {
		return
	}
	k := l.kinds[l.r.IntN(len(l.kinds))]
	f, err := k.apply(l)
	if err != nil {
		n.w.Logf("nemesis: %v: %v", k, err)
		_ = l.schedule(n.cfg.Interval, l.inject)
		return
	}
	n.counts[k.String()]++
	l.active = f
	n.w.Logf("nemesis: %s", f.text)
	n.t.Annotate(false, f.node, f.text)
	healAfter := l.jittered(n.cfg.Duration)
	if second, ok := l.compound(k); ok {
		// The second fault comes later, so that the first has had effects
		// (a cut-off follower falls behind) when the second strikes.
		at := time.Duration(l.r.Int64N(int64(healAfter)/2+1)) + healAfter/4
		_, _ = n.w.Schedule(at, "nemesis "+l.name+" second", func() { l.injectSecond(f, second) })
	}
	id, _ := n.w.Schedule(healAfter, "nemesis "+l.name, l.heal)
	l.next = id
}

// injectSecond adds a fault of kind k to first while first is active.
func (l *lane) injectSecond(first *fault, k kind) {
	if l.n.stopped || l.active != first {
		return
	}
	g, err := k.apply(l)
	if err != nil {
		l.n.w.Logf("nemesis: %v: %v", k, err)
		return
	}
	l.n.counts[k.String()]++
	l.active = first.with(g)
	l.n.w.Logf("nemesis: %s", g.text)
	l.n.t.Annotate(false, g.node, g.text)
}

// compoundPct is how often a lane with several kinds adds a second fault
// of another kind while the first lasts (a crash during a partition, say):
// many bugs need two things to go wrong in turn.
const compoundPct = 50

// compound draws whether to add a second fault, and of which kind.
func (l *lane) compound(first kind) (kind, bool) {
	if len(l.kinds) < 2 || l.r.IntN(100) >= compoundPct {
		return 0, false
	}
	k := l.kinds[l.r.IntN(len(l.kinds)-1)]
	if k == first {
		k = l.kinds[len(l.kinds)-1]
	}
	return k, true
}

// heal undoes the active fault and schedules the next.
func (l *lane) heal() {
	l.healActive()
	if !l.n.stopped {
		_ = l.schedule(l.n.cfg.Interval, l.inject)
	}
}

func (l *lane) healActive() {
	f := l.active
	if f == nil {
		return
	}
	l.active = nil
	if err := f.heal(); err != nil {
		l.n.w.Logf("nemesis: heal %s: %v", f.text, err)
	}
	l.n.w.Logf("nemesis: healed %s", f.text)
	l.n.t.Annotate(true, f.node, "healed "+f.text)
}

// Stop heals the active faults and injects no more.
func (n *Nemesis) Stop() {
	n.stopped = true
	for _, l := range n.lanes {
		n.w.Cancel(l.next)
		l.healActive()
	}
}

// Counts returns how many faults of each kind were applied.
func (n *Nemesis) Counts() map[string]int {
	out := make(map[string]int, len(n.counts))
	for k, v := range n.counts { //det:ok copying a map
		out[k] = v
	}
	return out
}

// Union returns the mix with every fault of m or o.
func (m Mix) Union(o Mix) Mix {
	return Mix{Partition: m.Partition || o.Partition, Crash: m.Crash || o.Crash,
		Reorder: m.Reorder || o.Reorder, Duplicate: m.Duplicate || o.Duplicate,
		Drop: m.Drop || o.Drop, Skew: m.Skew || o.Skew, Churn: m.Churn || o.Churn, Flap: m.Flap || o.Flap}
}
