// Package gossip is a small demonstration workload for the simulation
// kernel: nodes count local events and gossip their counters until every
// node agrees on the total. It exercises the whole kernel (timers, network,
// partitions, crashes, disks, clocks) without any protocol of etcdsim's own.
package gossip

import (
	"encoding/binary"
	"fmt"
	"time"

	"etcdsim/sim"
)

// Config shapes one gossip run.
type Config struct {
	Nodes    int           // how many nodes (ids 1..Nodes)
	Duration time.Duration // total simulated time
	// IncrementsStop is when nodes stop counting; after it the gossip only
	// spreads what is known, so the counters can converge.
	IncrementsStop time.Duration
	Period         time.Duration // how often a node counts and gossips
}

// DefaultConfig is the demo: five nodes for ten seconds, with a partition,
// a crash and a clock skew along the way (see Run).
func DefaultConfig() Config {
	return Config{Nodes: 5, Duration: 10 * time.Second, IncrementsStop: 8 * time.Second,
		Period: 10 * time.Millisecond}
}

// Bounds on a Config, checked by Validate, so that no flag value makes a
// run that exhausts memory or never ends.
const (
	// NodesMin is the smallest gossip: a node gossips to a peer other
	// than itself.
	NodesMin = 2
	// NodesMax bounds Nodes. Every node holds, and every message carries,
	// a vector of Nodes counters, so a period costs Nodes² work: at 256
	// nodes (fifty times the demo's five) a message is 2 KiB and an event
	// about 1.4µs; at 1024 nodes, 7µs and ten times the memory.
	NodesMax = 256
	// DurationMax bounds Duration. The demo's counters converge within a
	// second of the heal at 60% of the run; an hour is 360,000 periods.
	DurationMax = time.Hour
	// RunEventsMax bounds the events of one run: Validate rejects a config
	// whose run could take more (runEvents), and Run stops with
	// sim.ErrEventBound if one does. 20M events are 10 to 30 seconds of
	// wall time (0.5µs an event at 2 nodes, 1.4µs at 256).
	RunEventsMax = 20_000_000
)

// eventsPerNodePeriod bounds the events one node causes per Period of
// true time: its tick and the delivery of the gossip it sends, each up to
// 20% more often on node 1's fast clock (crashes and drops only remove
// events). Runs measure about 1.9.
const eventsPerNodePeriod = 3

// runEvents is the most events a run of c can take: eventsPerNodePeriod
// per node and period, a start and a restart per node, and the faults'
// callbacks. It MUST be called only AFTER the fields it reads are checked:
// with them in bounds it cannot overflow.
func (c Config) runEvents() uint64 {
	periods := uint64(c.Duration/c.Period) + 1
	return eventsPerNodePeriod*uint64(c.Nodes)*periods + 2*uint64(c.Nodes) + 8
}

// Validate reports the first field of c out of bounds, naming the value
// and the bound. Its errors wrap ErrNodes, ErrDuration, ErrPeriod or
// ErrRunTooLong.
func (c Config) Validate() error {
	switch {
	case c.Nodes < NodesMin || c.Nodes > NodesMax:
		return fmt.Errorf("%w: %d nodes, want %d to %d", ErrNodes, c.Nodes, NodesMin, NodesMax)
	case c.Duration <= 0 || c.Duration > DurationMax:
		return fmt.Errorf("%w: %v, want more than 0s and at most %v",
			ErrDuration, c.Duration, DurationMax)
	case c.IncrementsStop < 0 || c.IncrementsStop > c.Duration:
		return fmt.Errorf("%w: increments stop at %v, want 0s to the duration %v",
			ErrDuration, c.IncrementsStop, c.Duration)
	case c.Period <= 0:
		return fmt.Errorf("%w: %v, want more than 0s", ErrPeriod, c.Period)
	}
	if n := c.runEvents(); n > RunEventsMax {
		return fmt.Errorf("%w: %d nodes for %v could take %d events, over the limit of %d",
			ErrRunTooLong, c.Nodes, c.Duration, n, RunEventsMax)
	}
	return nil
}

// Result is what a run reports.
type Result struct {
	Seed      uint64
	TraceHash uint64
	Events    uint64
	SimTime   sim.Time
	Net       sim.NetStats
	// Totals is each node's view of the sum of all counters at the end.
	Totals    []uint64
	Converged bool
}

// counterFile holds a node's own count, synced every syncEvery increments,
// so a crash may lose the last few.
const (
	counterFile = "counter"
	syncEvery   = 10
	tagTick     = 1
)

// node is one gossiping process. vector[i] is the count of node i+1 as far
// as this node knows; vector[self] is its own, persisted to disk.
type node struct {
	p        *sim.Proc
	cfg      Config
	vector   []uint64
	counting func() bool
	file     *sim.File
	r        *sim.Rand
}

func (n *node) self() int { return int(n.p.ID()) - 1 }

// Start recovers the node's own count from disk and starts its ticker.
func (n *node) Start() {
	f, err := n.p.Disk().Open(counterFile)
	if err != nil {
		panic(err) // the name is a constant: cannot fail
	}
	n.file = f
	var buf [8]byte
	if f.Size() >= 8 {
		_, _ = f.ReadAt(buf[:], 0)
		n.vector[n.self()] = binary.LittleEndian.Uint64(buf[:])
	}
	n.p.Logf("start with count %d", n.vector[n.self()])
	_, _ = n.p.SetTimer(n.cfg.Period, tagTick)
}

// Fire counts (while counting is on), gossips to one random peer, and
// re-arms the ticker.
func (n *node) Fire(uint64) {
	if n.counting() {
		me := n.self()
		n.vector[me]++
		var buf [8]byte
		binary.LittleEndian.PutUint64(buf[:], n.vector[me])
		_, _ = n.file.WriteAt(buf[:], 0)
		if n.vector[me]%syncEvery == 0 {
			_ = n.file.Sync()
		}
	}
	peer := n.r.IntN(len(n.vector) - 1)
	if peer >= n.self() {
		peer++
	}
	snapshot := append([]uint64(nil), n.vector...)
	_ = n.p.Send(sim.NodeID(peer+1), snapshot, 8*len(snapshot))
	_, _ = n.p.SetTimer(n.cfg.Period, tagTick)
}

// Receive merges a peer's vector by taking the maximum of each count.
func (n *node) Receive(_ sim.NodeID, msg any) {
	for i, c := range msg.([]uint64) {
		if c > n.vector[i] {
			n.vector[i] = c
		}
	}
}

func (n *node) total() uint64 {
	var t uint64
	for _, c := range n.vector {
		t += c
	}
	return t
}

// Run plays the demo scenario on a new world from seed: at 30% of the run
// the nodes split into two groups; at 40% the last node crashes (losing its
// unsynced count) and node 1's clock starts running 20% fast; at 50% the
// crashed node restarts; at 60% the network heals. sink, if not nil, sees
// every trace record. A cfg that fails Validate returns its error before
// anything runs; a run that passes its event bound stops with an error
// wrapping sim.ErrEventBound.
func Run(seed uint64, cfg Config, opts sim.Options, sink func(sim.Record)) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	return run(seed, cfg, opts, sink, cfg.runEvents())
}

// run is Run's body for a valid cfg, stopping after maxEvents events.
func run(seed uint64, cfg Config, opts sim.Options, sink func(sim.Record),
	maxEvents uint64) (Result, error) {
	w := sim.New(seed, opts)
	w.AddAfterEvent(func() error {
		if w.Events() > maxEvents {
			return fmt.Errorf("%w: gossip: %d nodes for %v took more than %d events",
				sim.ErrEventBound, cfg.Nodes, cfg.Duration, maxEvents)
		}
		return nil
	})
	w.Trace().SetSink(sink)
	nodes := make([]*node, cfg.Nodes)
	stop := sim.Time(cfg.IncrementsStop)
	counting := func() bool { return w.Now() < stop }
	for i := range nodes {
		id := sim.NodeID(i + 1)
		err := w.AddNode(id, func(p *sim.Proc) sim.Node {
			n := &node{p: p, cfg: cfg, vector: make([]uint64, cfg.Nodes), counting: counting,
				r: p.Rand("gossip")}
			nodes[i] = n
			return n
		})
		if err != nil {
			return Result{}, err
		}
	}
	if err := schedule(w, cfg); err != nil {
		return Result{}, err
	}
	if err := w.RunFor(cfg.Duration); err != nil {
		return Result{}, err
	}
	res := Result{Seed: seed, TraceHash: w.Trace().Hash(), Events: w.Events(), SimTime: w.Now(),
		Net: w.Network().Stats(), Converged: true}
	for _, n := range nodes {
		res.Totals = append(res.Totals, n.total())
		if n.total() != nodes[0].total() {
			res.Converged = false
		}
	}
	return res, nil
}

// schedule sets up the demo's faults as world-level callbacks.
func schedule(w *sim.World, cfg Config) error {
	at := func(pct int64) time.Duration { return cfg.Duration * time.Duration(pct) / 100 }
	ids := w.Nodes()
	half := len(ids) / 2
	last := ids[len(ids)-1]
	steps := []struct {
		pct   int64
		label string
		fn    func() error
	}{
		{30, "split", func() error { return w.Network().Split(ids[:half], ids[half:]) }},
		{40, "crash", func() error { return w.Crash(last, sim.CrashOptions{TornWrites: true}) }},
		{40, "skew", func() error { return w.SetClockDrift(ids[0], 200_000) }},
		{50, "restart", func() error { return w.Restart(last) }},
		{60, "heal", func() error { w.Network().Heal(); return nil }},
	}
	for _, s := range steps {
		fn := s.fn
		if _, err := w.Schedule(at(s.pct), s.label, func() {
			if err := fn(); err != nil {
				w.Logf("fault failed: %v", err)
			}
		}); err != nil {
			return err
		}
	}
	return nil
}
