package cluster_test

import (
	"fmt"
	"time"

	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// ExampleClient_MoveLeader hands leadership from the leader to another
// member and asks each member whom it follows; the call answers once the
// transferee leads.
func ExampleClient_MoveLeader() {
	w := sim.New(1, sim.Options{})
	c, err := cluster.New(w, maintConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	var cl *cluster.Client
	_ = w.AddNode(900, func(p *sim.Proc) sim.Node {
		cl = cluster.NewClient(p, cluster.DefaultClientConfig(), c.Members())
		return &scriptNode{cl: cl}
	})
	_ = w.RunFor(3 * time.Second)
	from, _ := c.Leader()
	to := c.Members()[0]
	if to == from {
		to = c.Members()[1]
	}
	// A client's calls run one at a time, each from the last one's answer.
	_, _ = w.Schedule(0, "move leader", func() {
		cl.MoveLeader(uint64(to), func(_ *etcdapi.MoveLeaderResponse, err error) {
			fmt.Println("moved:", err)
			cl.Status(from, func(st *etcdapi.StatusResponse, err error) {
				fmt.Println("the old leader follows the new:", st.Leader == uint64(to), err)
			})
		})
	})
	_ = w.RunFor(time.Second)
	// Output:
	// moved: <nil>
	// the old leader follows the new: true <nil>
}
