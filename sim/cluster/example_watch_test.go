package cluster_test

import (
	"fmt"
	"time"

	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// watchingNode is a client node that hands its messages and timers to its
// WatchClient.
type watchingNode struct{ wc *cluster.WatchClient }

func (n *watchingNode) Start()                           {}
func (n *watchingNode) Receive(from sim.NodeID, msg any) { n.wc.Receive(from, msg) }
func (n *watchingNode) Fire(tag uint64)                  { n.wc.Fire(tag) }

// ExampleWatchClient watches every workload key from revision 1 while the
// watch's member crashes: the watch resumes on another member, and its
// events still come once each, in revision order.
func ExampleWatchClient() {
	w := sim.New(1, sim.Options{})
	cfg := cluster.DefaultConfig()
	cfg.Members, cfg.Clients, cfg.Watchers, cfg.Lockers = 3, 2, 0, 0
	cfg.Workload = cluster.Workload{Keys: 3, PutPct: 100, Rate: 100}
	c, err := cluster.New(w, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	node := &watchingNode{}
	_ = w.AddNode(9000, func(p *sim.Proc) sim.Node {
		node.wc = cluster.NewWatchClient(p, cluster.DefaultWatchConfig(), c.Members())
		return node
	})
	_ = w.RunFor(2 * time.Second)
	var revs []int64
	node.wc.Watch(&etcdapi.WatchCreateRequest{Key: []byte("k"),
		RangeEnd: etcdapi.PrefixEnd([]byte("k")), StartRevision: 1},
		func(r *etcdapi.WatchResponse) {
			for _, ev := range r.Events {
				revs = append(revs, ev.Kv.ModRevision)
			}
		})
	_ = w.RunFor(2 * time.Second)
	_ = w.Crash(node.wc.Member(), sim.CrashOptions{})
	_ = w.RunFor(3 * time.Second)
	inOrder := true
	for i := range revs {
		inOrder = inOrder && revs[i] == int64(i+2) // revision 1 is the empty store
	}
	fmt.Println("resumed:", node.wc.Resumes() > 0)
	fmt.Println("every revision once, in order:", inOrder && len(revs) > 100)
	// Output:
	// resumed: true
	// every revision once, in order: true
}
