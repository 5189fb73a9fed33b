package nemesis

import (
	"fmt"
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
)

var kindNames = [...]string{"?", "partition", "crash", "reorder", "duplicate", "drop", "skew", "churn"}

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

// Churn timing, after 6.5840's Figure 8 test: most kills come within a few
// milliseconds of the previous step, some after up to an election timeout.
const (
	churnShortMax = 13 * time.Millisecond
	churnLongMax  = time.Second
	churnLongPct  = 10
	churnKillsMax = 40
)

// churn kills leaders in quick succession for a while. Each step crashes
// the current leader (if any) and restarts a random crashed member while
// fewer than a quorum run; at heal every crashed member restarts.
func (l *lane) churn() (*fault, error) {
	members := l.n.t.Members()
	down := map[sim.NodeID]bool{}
	steps := 0
	f := &fault{text: "churn leaders"}
	healed := false
	var step func()
	step = func() {
		if l.n.stopped || steps >= churnKillsMax || healed {
			return // healed, or stopped: no more kills
		}
		steps++
		if leader, ok := l.n.t.Leader(); ok && !down[leader] {
			if err := l.n.w.Crash(leader, sim.CrashOptions{TornWrites: true}); err == nil {
				down[leader] = true
			}
		}
		// Restart a member below a quorum, as 6.5840 does, and otherwise
		// half of the time: a Raft with a no-op entry (etcd's) needs more
		// members back for a stale candidate to gather votes.
		if up := len(members) - len(down); up < len(members)/2+1 || l.r.IntN(2) == 0 {
			l.restartOne(members, down)
		}
		delay := time.Duration(l.r.Int64N(int64(churnShortMax) + 1))
		if l.r.IntN(100) < churnLongPct {
			delay = time.Duration(l.r.Int64N(int64(churnLongMax) + 1))
		}
		_, _ = l.n.w.Schedule(delay, "nemesis churn", step)
	}
	_, _ = l.n.w.Schedule(0, "nemesis churn", step)
	f.heal = func() error {
		healed = true
		for _, id := range members {
			if down[id] {
				if err := l.n.w.Restart(id); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return f, nil
}

func (l *lane) restartOne(members []sim.NodeID, down map[sim.NodeID]bool) {
	var crashed []sim.NodeID
	for _, id := range members {
		if down[id] {
			crashed = append(crashed, id)
		}
	}
	if len(crashed) == 0 {
		return
	}
	id := crashed[l.r.IntN(len(crashed))]
	if err := l.n.w.Restart(id); err == nil {
		delete(down, id)
	}
}
