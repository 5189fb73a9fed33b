package sim_test

import (
	"fmt"
	"time"

	"etcdsim/sim"
)

// pinger sends "ping" to node 2 when it starts; pong answers.
type pinger struct{ p *sim.Proc }

func (n *pinger) Start() {
	if n.p.ID() == 1 {
		_ = n.p.Send(2, "ping", 4)
	}
}

func (n *pinger) Receive(from sim.NodeID, msg any) {
	n.p.Logf("got %v from %s at %v", msg, from, n.p.Now())
	if msg == "ping" {
		_ = n.p.Send(from, "pong", 4)
	}
}

func (n *pinger) Fire(uint64) {}

// Example runs two nodes that exchange one message each way over a 1ms
// network, then prints the trace.
func Example() {
	w := sim.New(1, sim.Options{TraceKeep: 100})
	_ = w.Network().SetLatency(sim.Latency{Base: time.Millisecond})
	for _, id := range []sim.NodeID{1, 2} {
		_ = w.AddNode(id, func(p *sim.Proc) sim.Node { return &pinger{p: p} })
	}
	if err := w.RunUntilQuiescent(100); err != nil {
		fmt.Println(err)
	}
	recs, _ := w.Trace().Records()
	for _, r := range recs {
		fmt.Println(r)
	}
	// Output:
	// 0s world network latency 1ms+0s
	// 0s n1 start
	// 0s n1 send ->n2 #1 4B
	// 0s n2 start
	// 1ms n2 deliver <-n1 #1 4B
	// 1ms n2 log got ping from n1 at 1ms
	// 1ms n2 send ->n1 #2 4B
	// 2ms n1 deliver <-n2 #2 4B
	// 2ms n1 log got pong from n2 at 2ms
}
