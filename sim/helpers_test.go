package sim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/sim"
)

// recorder is a test node that remembers what reached it.
type recorder struct {
	p       *sim.Proc
	got     []got
	fired   []uint64
	onStart func(r *recorder)
	onFire  func(r *recorder, tag uint64)
}

type got struct {
	from sim.NodeID
	msg  any
	at   sim.Time
}

func (r *recorder) Start() {
	if r.onStart != nil {
		r.onStart(r)
	}
}

func (r *recorder) Receive(from sim.NodeID, msg any) {
	r.got = append(r.got, got{from: from, msg: msg, at: r.p.Now()})
}

func (r *recorder) Fire(tag uint64) {
	r.fired = append(r.fired, tag)
	if r.onFire != nil {
		r.onFire(r, tag)
	}
}

// world builds a world with n recorder nodes (ids 1..n) and returns them by
// id; a restarted node replaces its entry.
func world(t *testing.T, seed uint64, n int) (*sim.World, map[sim.NodeID]*recorder) {
	t.Helper()
	w := sim.New(seed, sim.Options{Paranoid: true, TraceKeep: 1 << 16})
	nodes := map[sim.NodeID]*recorder{}
	for i := 1; i <= n; i++ {
		id := sim.NodeID(i)
		require.NoError(t, w.AddNode(id, func(p *sim.Proc) sim.Node {
			r := &recorder{p: p}
			nodes[id] = r
			return r
		}))
	}
	require.NoError(t, w.RunFor(0)) // run the start events
	return w, nodes
}

func noJitter(t *testing.T, w *sim.World, base time.Duration) {
	t.Helper()
	require.NoError(t, w.Network().SetLatency(sim.Latency{Base: base}))
}
