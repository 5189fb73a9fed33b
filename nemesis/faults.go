package nemesis

import (
	"fmt"
	"slices"
	"time"

	"etcdsim/sim"
)

// kind is one fault kind.
type kind uint8

const (
	kindPartition kind = iota + 1
	kindCrash
	kindReorder
	kindDuplicate
	kindDrop
	kindSkew
	kindChurn
	kindFlap
)

var kindNames = [...]string{"?", "partition", "crash", "reorder", "duplicate", "drop", "skew", "churn", "flap"}

func (k kind) String() string { return kindNames[k] }

// network reports whether k is a network condition (the network lane) as
// opposed to a node or topology fault (the node lane).
func (k kind) network() bool { return k == kindReorder || k == kindDuplicate || k == kindDrop }

// Fault settings: strong enough to matter within a few seconds.
const (
	reorderJitter = 20 * time.Millisecond
	duplicateRate = 0.3
	dropRate      = 0.2
	skewPPM       = 300_000 // 30% fast or slow
)

// fault is an applied fault and how to undo it.
type fault struct {
	text string
	node sim.NodeID
	heal func() error
}

// with combines f and g into one fault healed together (g first).
func (f *fault) with(g *fault) *fault {
	node := f.node
	if node == 0 {
		node = g.node
	}
	return &fault{text: f.text + " + " + g.text, node: node, heal: func() error {
		errG := g.heal()
		if err := f.heal(); err != nil {
			return err
		}
		return errG
	}}
}

func (k kind) apply(l *lane) (*fault, error) {
	switch k {
	case kindPartition:
		return l.partition()
	case kindCrash:
		return l.crash()
	case kindReorder:
		return l.reorder()
	case kindDuplicate:
		return l.netRate("duplicate", duplicateRate, l.n.w.Network().SetDuplicateRate)
	case kindDrop:
		return l.netRate("drop", dropRate, l.n.w.Network().SetDropRate)
	case kindSkew:
		return l.skew()
	case kindChurn:
		return l.churn()
	case kindFlap:
		return l.flap()
	}
	return nil, fmt.Errorf("nemesis: unknown fault kind %d", k)
}

// victim picks the leader half of the time (when there is one), else any
// member: faults at the leader are the ones that move a cluster.
func (l *lane) victim() sim.NodeID {
	members := l.n.t.Members()
	pick := members[l.r.IntN(len(members))]
	if l.r.IntN(2) == 0 {
		if leader, ok := l.n.t.Leader(); ok {
			return leader
		}
	}
	return pick
}

// partition isolates the victim from the other members, or splits off a
// random minority. Only links between members are cut: clients still reach
// every member, as in Jepsen, so a cut-off leader can still be asked.
func (l *lane) partition() (*fault, error) {
	members := l.n.t.Members()
	nw := l.n.w.Network()
	heal := func() error { nw.Heal(); return nil }
	if l.r.IntN(2) == 0 || len(members) < 3 {
		v := l.victim()
		var rest []sim.NodeID
		for _, id := range members {
			if id != v {
				rest = append(rest, id)
			}
		}
		return &fault{text: "isolate " + v.String(), node: v, heal: heal}, nw.Split([]sim.NodeID{v}, rest)
	}
	perm := l.r.Perm(len(members))
	minority := 1 + l.r.IntN((len(members)-1)/2)
	var a, b []sim.NodeID
	for i, j := range perm {
		if i < minority {
			a = append(a, members[j])
		} else {
			b = append(b, members[j])
		}
	}
	return &fault{text: fmt.Sprintf("partition %v | %v", a, b), heal: heal}, nw.Split(a, b)
}

func (l *lane) crash() (*fault, error) {
	v := l.victim()
	if err := l.n.w.Crash(v, sim.CrashOptions{TornWrites: true}); err != nil {
		return nil, err
	}
	return &fault{text: "crash " + v.String(), node: v, heal: func() error { return l.n.w.Restart(v) }}, nil
}

func (l *lane) reorder() (*fault, error) {
	nw := l.n.w.Network()
	nw.SetFIFO(false)
	if err := nw.SetLatency(sim.Latency{Base: sim.DefaultLatencyBase, Jitter: reorderJitter}); err != nil {
		return nil, err
	}
	return &fault{text: "reorder", heal: func() error {
		nw.SetFIFO(true)
		return nw.SetLatency(sim.Latency{Base: sim.DefaultLatencyBase, Jitter: sim.DefaultLatencyJitter})
	}}, nil
}

func (l *lane) netRate(name string, rate float64, set func(float64) error) (*fault, error) {
	if err := set(rate); err != nil {
		return nil, err
	}
	return &fault{text: fmt.Sprintf("%s %.0f%%", name, rate*100), heal: func() error { return set(0) }}, nil
}

func (l *lane) skew() (*fault, error) {
	v := l.victim()
	ppm := int64(skewPPM)
	if l.r.IntN(2) == 0 {
		ppm = -ppm
	}
	if err := l.n.w.SetClockDrift(v, ppm); err != nil {
		return nil, err
	}
	return &fault{text: fmt.Sprintf("skew %s %+dppm", v, ppm), node: v,
		heal: func() error { return l.n.w.SetClockDrift(v, 0) }}, nil
}

// Churn timing, after 6.5840's Figure 8 tests: most steps come within a
// few milliseconds of the previous one, some after up to an election
// timeout (etcd's default, 1s).
const (
	churnShortMax = 13 * time.Millisecond
	churnLongMax  = time.Second
	churnLongPct  = 10
	churnStepsMax = 40
)

// outage is how a leader churn takes a leader out and brings a member
// back: a crash and a restart (churn), or a cut and a reconnect (flap).
type outage struct {
	name       string
	takeOut    func(sim.NodeID) error
	bringBack  func(sim.NodeID) error
	restoreAll func(out []sim.NodeID) error
	// backOften also brings a member back half of the time with a quorum
	// still in (see churn).
	backOften bool
}

// churn kills leaders in quick succession for a while, after 6.5840's
// Figure 8 test. Each step crashes the current leader (if any) and
// restarts a random crashed member while fewer than a quorum run, and
// otherwise half of the time: a Raft with a no-op entry (etcd's) needs more
// members back for a stale candidate to gather votes. At heal every crashed
// member restarts.
func (l *lane) churn() (*fault, error) {
	w := l.n.w
	return l.leaderChurn(outage{name: "churn",
		takeOut:   func(id sim.NodeID) error { return w.Crash(id, sim.CrashOptions{TornWrites: true}) },
		bringBack: w.Restart,
		restoreAll: func(out []sim.NodeID) error {
			for _, id := range out {
				if err := w.Restart(id); err != nil {
					return err
				}
			}
			return nil
		},
		backOften: true})
}

// flap cuts leaders off in quick succession for a while, after 6.5840's
// Figure8Unreliable test: each step cuts the current leader's links to the
// other members and reconnects a random cut-off member while fewer than a
// quorum are connected. Unlike a crash, a cut also stops what the leader
// already sent, and clients still reach a cut-off leader, so leaders of
// many terms each hold entries that no other member has: the logs of the
// Raft paper's Figure 8.
func (l *lane) flap() (*fault, error) {
	members := l.n.t.Members()
	nw := l.n.w.Network()
	cut := map[sim.NodeID]bool{}
	links := func(id sim.NodeID, set func(a, b sim.NodeID) error) error {
		for _, o := range members {
			if o == id || cut[o] {
				continue
			}
			if err := set(id, o); err != nil {
				return err
			}
			if err := set(o, id); err != nil {
				return err
			}
		}
		return nil
	}
	return l.leaderChurn(outage{name: "flap",
		takeOut: func(id sim.NodeID) error {
			err := links(id, nw.Block)
			cut[id] = true
			return err
		},
		bringBack: func(id sim.NodeID) error {
			delete(cut, id)
			return links(id, nw.Unblock)
		},
		restoreAll: func([]sim.NodeID) error {
			nw.Heal()
			clear(cut)
			return nil
		}})
}

// leaderChurn takes leaders out in quick succession until healed or after
// churnStepsMax steps. A step takes out the current leader, if it is not out
// already, then brings back a random member that is out while fewer than a
// quorum remain (or, with backOften, half of the time).
func (l *lane) leaderChurn(o outage) (*fault, error) {
	members := l.n.t.Members()
	var out []sim.NodeID // in the order taken out, for a fixed replay
	steps := 0
	healed := false
	var step func()
	step = func() {
		if l.n.stopped || steps >= churnStepsMax || healed {
			return
		}
		steps++
		if leader, ok := l.n.t.Leader(); ok && !slices.Contains(out, leader) {
			if err := o.takeOut(leader); err == nil {
				out = append(out, leader)
			}
		}
		if in := len(members) - len(out); len(out) > 0 &&
			(in < len(members)/2+1 || o.backOften && l.r.IntN(2) == 0) {
			i := l.r.IntN(len(out))
			if err := o.bringBack(out[i]); err == nil {
				out = slices.Delete(out, i, i+1)
			}
		}
		delay := time.Duration(l.r.Int64N(int64(churnShortMax) + 1))
		if l.r.IntN(100) < churnLongPct {
			delay = time.Duration(l.r.Int64N(int64(churnLongMax) + 1))
		}
		_, _ = l.n.w.Schedule(delay, "nemesis "+o.name, step)
	}
	_, _ = l.n.w.Schedule(0, "nemesis "+o.name, step)
	return &fault{text: o.name + " leaders", heal: func() error {
		healed = true
		err := o.restoreAll(out)
		out = nil
		return err
	}}, nil
}
