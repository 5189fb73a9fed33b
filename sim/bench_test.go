package sim_test

import (
	"testing"
	"time"

	"etcdsim/sim"
)

// ticker re-arms one timer forever: each Fire is one kernel event.
type ticker struct {
	p      *sim.Proc
	period time.Duration
}

func (t *ticker) Start()                  { _, _ = t.p.SetTimer(t.period, 0) }
func (t *ticker) Receive(sim.NodeID, any) {}
func (t *ticker) Fire(uint64)             { _, _ = t.p.SetTimer(t.period, 0) }

// BenchmarkTimerEvents measures the kernel alone: 100 nodes, each with a
// periodic timer at its own period, so the queue holds 100 pending events.
// One op is one timer event.
func BenchmarkTimerEvents(b *testing.B) {
	w := sim.New(1, sim.Options{})
	for i := 1; i <= 100; i++ {
		period := time.Duration(900+i) * time.Microsecond
		_ = w.AddNode(sim.NodeID(i), func(p *sim.Proc) sim.Node { return &ticker{p: p, period: period} })
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := w.Events()
	for w.Events()-start < uint64(b.N) {
		w.Step()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// relay forwards every message it receives to the next node in a ring,
// reusing the payload pointer, so traffic never stops and never allocates.
type relay struct {
	p     *sim.Proc
	next  sim.NodeID
	burst int
}

type payload struct{ hops int }

func (r *relay) Start() {
	for i := 0; i < r.burst; i++ {
		_ = r.p.Send(r.next, &payload{}, 64)
	}
}
func (r *relay) Receive(_ sim.NodeID, msg any) {
	m := msg.(*payload)
	m.hops++
	_ = r.p.Send(r.next, m, 64)
}
func (r *relay) Fire(uint64) {}

// BenchmarkNetworkDeliveries measures message delivery with the network's
// full model on: 10 nodes in a ring with 10 messages each in flight, 1ms
// latency with 200µs jitter, FIFO links, and a partition table in which
// some off-ring links are blocked (checked on every send and delivery).
// One op is one delivered message.
func BenchmarkNetworkDeliveries(b *testing.B) {
	const n = 10
	w := sim.New(1, sim.Options{})
	for i := 1; i <= n; i++ {
		next := sim.NodeID(i%n + 1)
		_ = w.AddNode(sim.NodeID(i), func(p *sim.Proc) sim.Node { return &relay{p: p, next: next, burst: 10} })
	}
	nw := w.Network()
	_ = nw.SetLatency(sim.Latency{Base: time.Millisecond, Jitter: 200 * time.Microsecond})
	_ = nw.Block(1, 5)
	_ = nw.Block(5, 1)
	_ = nw.Block(3, 8)
	b.ReportAllocs()
	b.ResetTimer()
	start := nw.Stats().Delivered
	for nw.Stats().Delivered-start < uint64(b.N) {
		w.Step()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
